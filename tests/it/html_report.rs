//! `--format html --output FILE` (issue 17): one self-contained page with
//! the charts and tables of estimate, forecast and reconcile. Snapshots
//! keep the page's structure (headings, figures, charts and their bars,
//! table headers and totals), not its bytes; a real browser (Debian's
//! Chromium, installed by `.ci/run`) renders it.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use crate::common::{run, wacost, wacost_in, Run};

fn example(name: &str) -> String {
    format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs wacost with `--output` a fresh `.html` file; the page and the run.
fn page(args: &[&str]) -> (String, Run, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.html");
    let mut c = wacost();
    c.args(args).arg("--output").arg(&out);
    let r = run(c);
    assert!(out.exists(), "no page written: {}", r.stderr);
    (std::fs::read_to_string(&out).unwrap(), r, dir)
}

fn estimate_page(locale: &str) -> (String, Run, tempfile::TempDir) {
    let log = example("brazil-shop-2026-09.csv");
    page(&[
        "estimate",
        &log,
        "--tz",
        "America/Sao_Paulo",
        "--locale",
        locale,
    ])
}

/// The inner texts of every `<tag ...>` ... `</tag>` of the page.
fn texts(html: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        if !after.starts_with(['>', ' ']) {
            rest = after;
            continue;
        }
        let Some(gt) = after.find('>') else { break };
        let body = &after[gt + 1..];
        let end = body.find(&close).unwrap_or(body.len());
        out.push(strip_tags(&body[..end]));
        rest = &body[end..];
    }
    out
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in s.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// The page's structure as lines: title, headings, figures, each chart's
/// name and bar count, legends, table headers, row counts and total rows.
fn outline(html: &str) -> String {
    let mut out = vec![format!("title: {}", texts(html, "title")[0])];
    for h in texts(html, "h2") {
        out.push(format!("h2: {h}"));
    }
    let values = texts(html, "b");
    let labels: Vec<String> = texts(html, "span")
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    for (v, l) in values.iter().zip(&labels) {
        out.push(format!("figure: {l} = {v}"));
    }
    for svg in html.split("<svg").skip(1) {
        let name = svg
            .split("aria-label=\"")
            .nth(1)
            .and_then(|s| s.split('"').next());
        out.push(format!(
            "chart: {} ({} bars)",
            name.unwrap_or("?"),
            svg.split("</svg>")
                .next()
                .unwrap_or("")
                .matches("<rect")
                .count()
        ));
    }
    for ul in texts(html, "ul") {
        out.push(format!("legend: {ul}"));
    }
    for table in html.split("<table>").skip(1) {
        let table = table.split("</table>").next().unwrap_or("");
        out.push(format!("table: {}", texts(table, "th").join(" | ")));
        out.push(format!(
            "  rows: {}, flagged: {}",
            table.matches("<tr>").count(),
            table.matches("<tr class=\"flag\">").count()
        ));
        if let Some(total) = table.split("<tr class=\"total\">").nth(1) {
            out.push(format!("  total: {}", texts(total, "td").join(" | ")));
        }
    }
    out.join("\n")
}

#[test]
fn estimate_page_in_portuguese() {
    let (html, r, _dir) = estimate_page("pt-BR");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.is_empty(),
        "the page goes to the file: {}",
        r.stdout
    );
    assert!(
        r.stderr.contains("wrote") && r.stderr.contains("report.html"),
        "{}",
        r.stderr
    );
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<html lang=\"pt-BR\">"));
    insta::assert_snapshot!("html_estimate_pt_br", outline(&html));
}

#[test]
fn estimate_page_in_english_has_the_json_total() {
    let (html, _, _dir) = estimate_page("en");
    let log = example("brazil-shop-2026-09.csv");
    let mut c = wacost();
    c.args([
        "estimate",
        &log,
        "--tz",
        "America/Sao_Paulo",
        "--format",
        "json",
    ]);
    let total = run(c).json()["total"].as_str().unwrap().to_string();
    assert_eq!(total, "2.0130");
    assert!(
        html.contains(&format!("<b>{total} USD</b>")),
        "figure total"
    );
    assert!(
        html.contains("<title>2026-09 · marketing: 1.0585 USD</title>"),
        "a bar names its exact value"
    );
    insta::assert_snapshot!("html_estimate_en", outline(&html));
}

#[test]
fn the_page_is_self_contained() {
    let (html, _, _dir) = estimate_page("en");
    for remote in ["http://", "https://", "<script", "<link", "@import", "url("] {
        let allowed = remote == "http://"
            && html.matches(remote).count() == html.matches("http://www.w3.org/2000/svg").count();
        assert!(allowed || !html.contains(remote), "the page loads {remote}");
    }
}

#[test]
fn forecast_page_shows_the_what_if_months() {
    let plan = example("plan.toml");
    let (html, r, _dir) = page(&[
        "forecast",
        &plan,
        "--as-of",
        "2026-09-01",
        "--locale",
        "pt-BR",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(html.contains("Custo extra da mudança"));
    insta::assert_snapshot!("html_forecast_pt_br", outline(&html));
}

#[test]
fn reconcile_page_flags_the_lines_that_differ() {
    let log = example("brazil-shop-2026-09.csv");
    let invoice = format!(
        "{}/tests/fixtures/reconcile/invoice-altered.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let (html, r, _dir) = page(&[
        "reconcile",
        &log,
        "--against",
        &invoice,
        "--tz",
        "America/Sao_Paulo",
        "--locale",
        "en",
    ]);
    assert_eq!(r.code, 1, "a difference is exit 1: {}", r.stderr);
    assert!(html.contains("<tr class=\"flag\">"));
    insta::assert_snapshot!("html_reconcile_en", outline(&html));
}

#[test]
fn an_html_name_picks_the_format_and_outputs_without_a_page_say_so() {
    let (html, _, _dir) = page(&["estimate", &example("brazil-shop-2026-09.csv")]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    let mut c = wacost_in("estimate");
    c.args(["rates", "--format", "html"]);
    let r = run(c);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("no --format html page"), "{}", r.stderr);
}

/// Debian's Chromium (`.ci/run` installs it), or `WACOST_CHROMIUM`.
fn browser() -> Option<PathBuf> {
    let named = std::env::var_os("WACOST_CHROMIUM").map(PathBuf::from);
    let known = [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ];
    named
        .into_iter()
        .chain(known.iter().map(PathBuf::from))
        .find(|p| p.exists())
}

/// Chromium headless as the machine allows it (no sandbox as root, no
/// background network).
fn chromium(exe: &Path, profile: &Path) -> Process {
    let mut c = Process::new(exe);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1100,1600",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

#[test]
fn a_real_browser_renders_the_chart_and_the_totals() {
    let Some(exe) = browser() else {
        eprintln!("skipped: no Chromium found (apt-get install chromium, or set WACOST_CHROMIUM); .ci/run installs it");
        return;
    };
    let (_, _, dir) = estimate_page("pt-BR");
    let file = dir.path().join("report.html");
    let url = format!("file://{}", file.display());
    let dom = chromium(&exe, &dir.path().join("profile"))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    let (dom, why) = (
        String::from_utf8_lossy(&dom.stdout),
        String::from_utf8_lossy(&dom.stderr),
    );
    assert!(dom.contains("</html>"), "Chromium printed no page:\n{why}");
    assert!(
        dom.contains("<svg") && dom.matches("<rect").count() >= 10,
        "the browser's DOM has the charts"
    );
    assert!(
        dom.contains("US$ 2,0130</b>") && dom.contains("Custo por mês e categoria"),
        "totals in pt-BR"
    );
    let png = dir.path().join("page.png");
    let shot = chromium(&exe, &dir.path().join("profile"))
        .arg(format!("--screenshot={}", png.display()))
        .arg(&url)
        .output()
        .unwrap();
    let bytes = std::fs::read(&png)
        .unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&shot.stderr)));
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000,
        "a drawn page, {} bytes",
        bytes.len()
    );
}
