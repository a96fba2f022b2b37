//! Time-sorted files stream with memory bounded by contacts; anything else
//! is read into memory. Either way the numbers are the same.

use std::path::Path;

use crate::common::{count, counts, run, total, wacost};

const EXAMPLE: &str = "examples/brazil-shop-2026-09.csv";

fn example_lines() -> (String, Vec<String>) {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(EXAMPLE)).unwrap();
    let mut lines = text.lines().map(str::to_string);
    let header = lines.next().unwrap();
    (header, lines.collect())
}

/// Runs `estimate -v` with hand-overs every 2 messages; returns (json, stderr).
fn estimate(dir: &Path, files: &[&str]) -> (serde_json::Value, String) {
    let mut c = wacost();
    c.env("WACOST_STREAM_BATCH", "2")
        .current_dir(dir)
        .arg("estimate")
        .args(files)
        .args(["--tz", "America/Sao_Paulo", "--format", "json", "-v"]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    (r.json(), r.stderr)
}

fn write(dir: &Path, name: &str, header: &str, lines: &[String]) {
    std::fs::write(dir.join(name), format!("{header}\n{}\n", lines.join("\n"))).unwrap();
}

#[test]
fn a_time_sorted_file_streams_and_prices_like_the_whole_file_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let (header, lines) = example_lines();
    write(dir.path(), "sorted.csv", &header, &lines);
    let (sorted, err) = estimate(dir.path(), &["sorted.csv"]);
    assert!(err.contains("streamed the time-sorted input"), "{err}");
    assert_eq!(total(&sorted), "2.0130");
    // Reversed: the first message breaks the order; the run starts over.
    let mut rev = lines.clone();
    rev.reverse();
    write(dir.path(), "reversed.csv", &header, &rev);
    let (reversed, err) = estimate(dir.path(), &["reversed.csv"]);
    assert!(err.contains("not sorted by time"), "{err}");
    assert_eq!(total(&reversed), "2.0130");
    assert_eq!(counts(&reversed), counts(&sorted));
    assert_eq!(reversed["lines"], sorted["lines"]);
}

#[test]
fn small_disorder_within_six_hours_still_streams() {
    let dir = tempfile::tempdir().unwrap();
    let (header, mut lines) = example_lines();
    // Swap neighbours a few minutes apart, as exports sorted by send time
    // with delivery times in the timestamp column are.
    for i in (10..40).step_by(3) {
        lines.swap(i, i + 1);
    }
    write(dir.path(), "jitter.csv", &header, &lines);
    let (v, err) = estimate(dir.path(), &["jitter.csv"]);
    assert!(err.contains("streamed the time-sorted input"), "{err}");
    assert_eq!(total(&v), "2.0130");
}

#[test]
fn files_that_overlap_in_time_are_merged_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let (header, lines) = example_lines();
    let (even, odd): (Vec<_>, Vec<_>) = lines
        .iter()
        .cloned()
        .enumerate()
        .partition(|(i, _)| i % 2 == 0);
    let strip = |v: Vec<(usize, String)>| v.into_iter().map(|x| x.1).collect::<Vec<_>>();
    write(dir.path(), "even.csv", &header, &strip(even));
    write(dir.path(), "odd.csv", &header, &strip(odd));
    let (v, err) = estimate(dir.path(), &["even.csv", "odd.csv"]);
    assert!(err.contains("not sorted by time"), "{err}");
    assert_eq!(total(&v), "2.0130");
    assert_eq!(counts(&v).0, 119);
}

#[test]
fn consecutive_files_stream() {
    let dir = tempfile::tempdir().unwrap();
    let (header, lines) = example_lines();
    write(dir.path(), "a.csv", &header, &lines[..60]);
    write(dir.path(), "b.csv", &header, &lines[60..]);
    let (v, err) = estimate(dir.path(), &["a.csv", "b.csv"]);
    assert!(err.contains("streamed the time-sorted input"), "{err}");
    assert_eq!(total(&v), "2.0130");
    assert_eq!(counts(&v).0, 119);
}

/// `estimate - -v` with hand-overs every 2 messages, stdin from `stdin`.
fn estimate_stdin(stdin: impl Into<std::process::Stdio>) -> (serde_json::Value, String) {
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("wacost"))
        .env("WACOST_STREAM_BATCH", "2")
        .env("XDG_CONFIG_HOME", "/nonexistent-wacost-config")
        .env("HOME", "/nonexistent-wacost-home")
        .env_remove("WACOST_TZ")
        .env_remove("WACOST_CURRENCY")
        .args(["estimate", "-", "--tz", "America/Sao_Paulo"])
        .args(["--format", "json", "-v"])
        .stdin(stdin)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{err}");
    (serde_json::from_slice(&out.stdout).unwrap(), err)
}

/// A pipe carrying `text`, written by a thread.
fn pipe(text: String) -> std::process::ChildStdout {
    let mut cat = std::process::Command::new("cat")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = cat.stdin.take().unwrap();
    let out = cat.stdout.take().unwrap();
    std::thread::spawn(move || {
        let _ = std::io::Write::write_all(&mut input, text.as_bytes());
        drop(input);
        cat.wait()
    });
    out
}

#[test]
fn sorted_stdin_streams_like_a_file_and_starts_over_when_it_must() {
    let (header, lines) = example_lines();
    let (sorted, err) = estimate_stdin(pipe(format!("{header}\n{}\n", lines.join("\n"))));
    assert!(err.contains("streamed the time-sorted input"), "{err}");
    assert_eq!(total(&sorted), "2.0130");
    // Out of order: read again from its first byte, from the copy.
    let mut rev = lines.clone();
    rev.reverse();
    let (reversed, err) = estimate_stdin(pipe(format!("{header}\n{}\n", rev.join("\n"))));
    assert!(err.contains("not sorted by time"), "{err}");
    assert_eq!(counts(&reversed), counts(&sorted));
    assert_eq!(reversed["lines"], sorted["lines"]);
    // A file given as stdin (`< reversed.csv`) is read again in place.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "reversed.csv", &header, &rev);
    let file = std::fs::File::open(dir.path().join("reversed.csv")).unwrap();
    let (from_file, err) = estimate_stdin(file);
    assert!(err.contains("not sorted by time"), "{err}");
    assert_eq!(from_file["lines"], sorted["lines"]);
}

#[test]
fn rows_of_one_id_are_one_message_however_far_apart() {
    // Meta retries delivery for up to 30 days (M-TTL): a status row 29 days
    // after the first row of its message is a status update of it.
    let dir = tempfile::tempdir().unwrap();
    let header = "timestamp,direction,contact,type,category,id,status";
    let rows = [
        "2026-10-01T10:00:00-03:00,outbound,+55 11 91234-5678,template,marketing,wamid.A,sent",
        "2026-10-07T10:00:00-03:00,outbound,+55 11 91234-5678,template,marketing,wamid.A,read",
        "2026-10-30T10:00:00-03:00,outbound,+55 11 91234-5678,template,marketing,wamid.A,sent",
    ]
    .map(String::from);
    write(dir.path(), "ids.csv", header, &rows);
    let (v, _) = estimate(dir.path(), &["ids.csv"]);
    // rows, inbound, outbound, billable, free, failed, rejected
    assert_eq!(counts(&v), (3, 0, 1, 1, 0, 0, 0), "{v}");
    assert_eq!(count(&v, "status_updates"), 2, "{v}");
    assert_eq!(total(&v), "0.0625");
}

#[test]
fn sent_then_failed_is_one_failed_message() {
    let dir = tempfile::tempdir().unwrap();
    let header = "timestamp,direction,contact,type,category,id,status";
    let rows = [
        "2026-10-01T10:00:00-03:00,outbound,+55 11 91234-5678,template,marketing,wamid.B,sent",
        "2026-10-01T10:00:05-03:00,outbound,+55 11 91234-5678,template,marketing,wamid.B,failed",
    ]
    .map(String::from);
    write(dir.path(), "ids.csv", header, &rows);
    let (v, _) = estimate(dir.path(), &["ids.csv"]);
    assert_eq!(counts(&v), (2, 0, 1, 0, 0, 1, 0), "{v}");
    assert_eq!(count(&v, "status_updates"), 1, "{v}");
    assert_eq!(total(&v), "0.0000");
}

#[test]
fn a_big_input_read_through_a_pipe_shows_no_progress_bar() {
    // Over ingest::progress::MIN_BYTES, but stderr is a pipe here: no bar.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    let mut text = String::from("timestamp,direction,contact,type,category\n");
    let row = "2026-09-01 10:00:00,outbound,+5511911110001,template,marketing\n";
    while (text.len() as u64) < wacost::ingest::progress::MIN_BYTES + 1 {
        text.push_str(row);
    }
    std::fs::write(&path, &text).unwrap();
    let mut c = crate::common::wacost();
    c.arg("estimate").arg(&path).args(["--format", "json"]);
    let r = crate::common::run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stderr.contains("ETA") && !r.stderr.contains('\r'),
        "{}",
        r.stderr
    );
    let rows = (text.lines().count() - 1) as u64;
    assert_eq!(r.json()["counts"]["rows"], rows);
}
