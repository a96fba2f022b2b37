//! A progress bar for big inputs: bytes read of the file's size, rows per
//! second and the time left, on stderr, only when stderr is a terminal
//! (never in pipes or tests). The reader wrapper only counts bytes and
//! newlines; the bar is redrawn at most ten times a second, so the CSV hot
//! path keeps its speed.

use std::cell::Cell;
use std::io::{self, IsTerminal, Read};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Inputs smaller than this finish before a bar would help.
pub const MIN_BYTES: u64 = 8 << 20;

/// How often the bar is updated at most.
const EVERY: Duration = Duration::from_millis(100);

/// What a bar shows: bytes read, rows seen and since when.
struct Tracker {
    bar: ProgressBar,
    bytes: Cell<u64>,
    /// Rows counted as newlines; not for gzip's compressed bytes.
    rows: Cell<u64>,
    /// Whether the bytes are text, known from the first chunk.
    plain: Cell<Option<bool>>,
    started: Instant,
    shown: Cell<Instant>,
}

impl Tracker {
    fn new(bar: ProgressBar) -> Tracker {
        let now = Instant::now();
        Tracker {
            bar,
            bytes: Cell::new(0),
            rows: Cell::new(0),
            plain: Cell::new(None),
            started: now,
            shown: Cell::new(now),
        }
    }

    /// Counts a chunk just read and redraws when it is time.
    fn read(&self, chunk: &[u8]) {
        if self.plain.get().is_none() && !chunk.is_empty() {
            self.plain.set(Some(!chunk.starts_with(&[0x1f, 0x8b])));
        }
        self.bytes.set(self.bytes.get() + chunk.len() as u64);
        if self.plain.get() == Some(true) {
            let n = memchr::memchr_iter(b'\n', chunk).count() as u64;
            self.rows.set(self.rows.get() + n);
        }
        let now = Instant::now();
        if now.duration_since(self.shown.get()) >= EVERY {
            self.shown.set(now);
            self.show(now);
        }
    }

    fn show(&self, now: Instant) {
        if self.plain.get() == Some(true) {
            let secs = now.duration_since(self.started).as_secs_f64().max(0.001);
            let n = self.rows.get();
            self.bar
                .set_message(format!("{n} rows, {:.0} rows/s", n as f64 / secs));
        }
        self.bar.set_position(self.bytes.get());
    }
}

impl Drop for Tracker {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// A reader that counts what passes through it for a progress bar.
pub struct Counting<R> {
    inner: R,
    tracker: Tracker,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.tracker.read(&buf[..n]);
        Ok(n)
    }
}

/// `raw` with a progress bar when it is worth one: a file of `len` bytes
/// of at least [`MIN_BYTES`], stderr a terminal, and `WACOST_NO_PROGRESS`
/// unset. Rows are counted as newlines unless the file is gzip.
pub fn wrap(raw: Box<dyn Read + Send>, name: &str, len: u64) -> Box<dyn Read + Send> {
    let wanted = len >= MIN_BYTES
        && io::stderr().is_terminal()
        && std::env::var_os("WACOST_NO_PROGRESS").is_none();
    if !wanted {
        return raw;
    }
    Box::new(counting(raw, bar(name, len)))
}

/// `inner` counted into `bar`.
fn counting<R: Read>(inner: R, bar: ProgressBar) -> Counting<R> {
    let tracker = Tracker::new(bar);
    Counting { inner, tracker }
}

/// A bar of `len` bytes on stderr, redrawn at most ten times a second.
fn bar(name: &str, len: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr_with_hz(10));
    let style = ProgressStyle::with_template(
        "{prefix:.20} {binary_bytes}/{binary_total_bytes} {msg} ETA {eta} [{wide_bar}]",
    );
    if let Ok(style) = style {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(short_name(name));
    bar
}

/// The file's name without its directories.
fn short_name(path: &str) -> String {
    let p = std::path::Path::new(path);
    p.file_name()
        .map_or(path.to_string(), |n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wrapper_passes_every_byte_and_counts_bytes_and_rows() {
        let text = "a,b\n1,2\n3,4\n".repeat(10_000);
        let mut r = counting(text.as_bytes(), ProgressBar::hidden());
        let mut out = String::new();
        r.read_to_string(&mut out).unwrap();
        assert_eq!(out, text);
        let t = &r.tracker;
        assert_eq!(t.bytes.get(), text.len() as u64);
        assert_eq!(t.rows.get(), 30_000);
        t.show(Instant::now());
        assert_eq!(t.bar.position(), text.len() as u64);
        assert!(
            t.bar.message().starts_with("30000 rows, "),
            "{}",
            t.bar.message()
        );
    }

    #[test]
    fn compressed_bytes_count_no_rows_and_small_inputs_get_no_bar() {
        let mut r = counting(&b"\x1f\x8b\n\n"[..], ProgressBar::hidden());
        io::copy(&mut r, &mut io::sink()).unwrap();
        assert_eq!((r.tracker.bytes.get(), r.tracker.rows.get()), (4, 0));
        // Under the threshold the reader is returned as it is.
        let raw: Box<dyn Read + Send> = Box::new(&b"x"[..]);
        let mut same = wrap(raw, "small.csv", MIN_BYTES - 1);
        io::copy(&mut same, &mut io::sink()).unwrap();
    }
}
