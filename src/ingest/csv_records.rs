//! CSV records cut from the input's bytes, with the line each starts on
//! and the bytes it was read from.
//!
//! A line without quotes (nearly every line of an export) is split at its
//! delimiters where it lies in the buffer; a line with a quote goes through
//! `csv_core`, the csv crate's own parser, so both read a file alike (RFC
//! 4180 quotes, `""` inside quotes, CR, LF or CRLF ending a record, blank
//! lines skipped). Keeping the bytes of the record being read lets the
//! caller look at a record a stray quote ran over, and read its lines again.

use std::io::{self, Read};

use super::toolkit::decode::strip_bom;

/// Bytes read from the input at a time.
const BLOCK: usize = 1 << 18;

/// The records of one input, read one at a time.
pub(super) struct Records<R> {
    inner: R,
    delim: u8,
    /// Input bytes `base..base + end`, then room for more.
    buf: Vec<u8>,
    end: usize,
    /// The next unread byte of `buf`.
    pos: usize,
    /// Input offset of `buf[0]`.
    base: u64,
    eof: bool,
    /// `\n` bytes in the input before `pos`.
    newlines: u64,
    /// Field bounds of the current record, in its line (a split line) or
    /// in `unquoted` (a line with quotes).
    fields: Vec<(usize, usize)>,
    quoted: bool,
    core: csv_core::Reader,
    unquoted: Vec<u8>,
    ends: Vec<usize>,
    /// The current record's bytes in `buf`, the end of its fields' bytes
    /// there (a split line), and its line.
    raw: (usize, usize),
    body_end: usize,
    line: u64,
}

/// One record: its fields, the line it starts on and its bytes.
pub(super) struct Record<'a> {
    pub line: u64,
    /// Input offset of the record's first byte.
    pub start: u64,
    /// The bytes it was read from, line ending included.
    pub raw: &'a [u8],
    data: &'a [u8],
    bounds: &'a [(usize, usize)],
    /// `data` as text, when it all is UTF-8.
    text: Option<&'a str>,
    /// It holds a quote (read by `csv_core`).
    pub quoted: bool,
}

impl<R: Read> Records<R> {
    pub fn new(inner: R, delim: u8) -> Records<R> {
        Records {
            inner,
            delim,
            buf: Vec::new(),
            end: 0,
            pos: 0,
            base: 0,
            eof: false,
            newlines: 0,
            fields: Vec::new(),
            quoted: false,
            core: csv_core::ReaderBuilder::new().delimiter(delim).build(),
            unquoted: Vec::new(),
            ends: Vec::new(),
            raw: (0, 0),
            body_end: 0,
            line: 0,
        }
    }

    /// Drops the bytes before `pos` and reads more input after the rest;
    /// `false` at the end of the input.
    fn fill(&mut self) -> io::Result<bool> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.base += self.pos as u64;
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.eof {
            return Ok(false);
        }
        if self.buf.len() - self.end < BLOCK / 2 {
            // A record longer than the buffer: room for it to go on.
            self.buf.resize((self.buf.len() * 2).max(BLOCK), 0);
        }
        let n = loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        self.end += n;
        self.eof = n == 0;
        Ok(n > 0)
    }

    /// The next record, or `None` at the end of the input.
    pub fn next(&mut self) -> io::Result<Option<Record<'_>>> {
        if !self.skip_blank_lines()? {
            return Ok(None);
        }
        if self.base == 0 && self.pos == 0 {
            let bom = self.end - strip_bom(&self.buf[..self.end]).len();
            if bom > 0 {
                self.pos = bom;
                return self.next();
            }
        }
        self.line = self.newlines + 1;
        let line_end = self.line_end()?;
        if !self.split_plain(line_end) {
            self.read_quoted()?;
        }
        Ok(Some(self.record()))
    }

    /// Skips the blank lines between records, counting them; `false` at
    /// the end of the input.
    #[inline]
    fn skip_blank_lines(&mut self) -> io::Result<bool> {
        loop {
            match self.buf[..self.end].get(self.pos) {
                Some(b'\n') => {
                    self.newlines += 1;
                    self.pos += 1;
                }
                Some(b'\r') => self.pos += 1,
                Some(_) => return Ok(true),
                None => {
                    if !self.fill()? {
                        return Ok(false);
                    }
                }
            }
        }
    }

    /// Where the line at `pos` ends (its `\n`, else the end of the input),
    /// reading more input until it is all in the buffer.
    #[inline]
    fn line_end(&mut self) -> io::Result<usize> {
        let mut scanned = 0;
        loop {
            let rest = &self.buf[self.pos + scanned..self.end];
            if let Some(nl) = memchr::memchr(b'\n', rest) {
                return Ok(self.pos + scanned + nl);
            }
            scanned = self.end - self.pos;
            if !self.fill()? {
                return Ok(self.end);
            }
        }
    }

    /// Splits a line without quotes (nor a CR inside it) at its delimiters
    /// where it lies; `false` for a line `csv_core` must read.
    #[inline]
    fn split_plain(&mut self, line_end: usize) -> bool {
        let body = &self.buf[self.pos..line_end];
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        self.fields.clear();
        if memchr::memchr2(b'"', b'\r', body).is_some() {
            return false;
        }
        split(body, self.delim, &mut self.fields);
        self.body_end = self.pos + body.len();
        let end = (line_end + 1).min(self.end);
        self.newlines += u64::from(end > line_end);
        self.raw = (self.pos, end);
        self.pos = end;
        self.quoted = false;
        true
    }

    /// Reads the record at `pos` with `csv_core` (it may run over lines).
    fn read_quoted(&mut self) -> io::Result<()> {
        use csv_core::ReadRecordResult as R;
        self.core.reset();
        let (mut nout, mut nend, mut read) = (0, 0, 0);
        loop {
            // An empty input tells csv_core that the input has ended: give
            // it one only then.
            if self.pos + read == self.end && !self.eof {
                self.fill()?;
            }
            if self.unquoted.len() == nout {
                self.unquoted.resize((nout * 2).max(256), 0);
            }
            if self.ends.len() == nend {
                self.ends.resize((nend * 2).max(16), 0);
            }
            let (result, i, o, e) = self.core.read_record(
                &self.buf[self.pos + read..self.end],
                &mut self.unquoted[nout..],
                &mut self.ends[nend..],
            );
            read += i;
            nout += o;
            nend += e;
            if matches!(result, R::Record | R::End) {
                break;
            }
        }
        self.fields.clear();
        let mut from = 0;
        for &end in &self.ends[..nend] {
            self.fields.push((from, end));
            from = end;
        }
        self.body_end = nout;
        let end = self.pos + read;
        self.newlines += memchr::memchr_iter(b'\n', &self.buf[self.pos..end]).count() as u64;
        self.raw = (self.pos, end);
        self.pos = end;
        self.quoted = true;
        Ok(())
    }

    fn record(&self) -> Record<'_> {
        let data: &[u8] = if self.quoted {
            &self.unquoted[..self.body_end]
        } else {
            &self.buf[self.raw.0..self.body_end]
        };
        Record {
            line: self.line,
            start: self.base + self.raw.0 as u64,
            raw: &self.buf[self.raw.0..self.raw.1],
            data,
            bounds: &self.fields,
            // Fields of a split line are the pieces between delimiters
            // (ASCII): all are UTF-8 when the line is.
            text: std::str::from_utf8(data).ok(),
            quoted: self.quoted,
        }
    }

    /// Reads again from input offset `at` (within the last record read),
    /// which is on line `line`.
    pub fn rewind(&mut self, at: u64, line: u64) {
        let i = usize::try_from(at.saturating_sub(self.base)).unwrap_or(usize::MAX);
        self.pos = i.clamp(self.raw.0, self.raw.1);
        self.newlines = line.saturating_sub(1);
    }
}

/// Splits a line without quotes at `delim`: field bounds into `fields`.
/// Eight bytes at a time: each delimiter is a zero byte of the word XOR
/// the delimiter repeated, found without a branch per byte.
fn split(line: &[u8], delim: u8, fields: &mut Vec<(usize, usize)>) {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let pattern = 0x0101_0101_0101_0101 * u64::from(delim);
    let mut from = 0;
    let mut words = line.chunks_exact(8);
    let mut base = 0;
    for word in &mut words {
        let x = word.try_into().map_or(0, u64::from_le_bytes) ^ pattern;
        // The high bit of each byte of x that is zero (exact, no carries).
        let mut zeros = !(((x & LOW7) + LOW7) | x | LOW7);
        while zeros != 0 {
            let at = base + (zeros.trailing_zeros() / 8) as usize;
            fields.push((from, at));
            from = at + 1;
            zeros &= zeros - 1;
        }
        base += 8;
    }
    for (i, &b) in words.remainder().iter().enumerate() {
        if b == delim {
            fields.push((from, base + i));
            from = base + i + 1;
        }
    }
    fields.push((from, line.len()));
}

impl Record<'_> {
    pub fn width(&self) -> usize {
        self.bounds.len()
    }

    /// Field `c`'s bytes ("" when absent).
    pub fn bytes(&self, c: usize) -> &[u8] {
        self.bounds.get(c).map_or(b"", |&(a, b)| &self.data[a..b])
    }

    /// Field `c` ("" when absent), or `None` when it is not UTF-8.
    pub fn text(&self, c: usize) -> Option<&str> {
        let Some(&(a, b)) = self.bounds.get(c) else {
            return Some("");
        };
        match self.text {
            Some(t) => t.get(a..b),
            None => std::str::from_utf8(&self.data[a..b]).ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Hands out at most `step` bytes per read: records cross buffer ends.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    fn ours(bytes: &[u8], delim: u8, step: usize) -> Vec<Vec<Vec<u8>>> {
        let mut recs = Records::new(Trickle { bytes, step }, delim);
        let mut out = Vec::new();
        while let Some(r) = recs.next().unwrap() {
            out.push((0..r.width()).map(|c| r.bytes(c).to_vec()).collect());
        }
        out
    }

    fn csv_crate(bytes: &[u8], delim: u8) -> Vec<Vec<Vec<u8>>> {
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delim)
            .flexible(true)
            .has_headers(false)
            .from_reader(bytes);
        rdr.byte_records()
            .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
            .collect()
    }

    fn lines(text: &str) -> Vec<(u64, String)> {
        let mut recs = Records::new(text.as_bytes(), b',');
        let mut out = Vec::new();
        while let Some(r) = recs.next().unwrap() {
            out.push((r.line, r.text(0).unwrap().to_string()));
        }
        out
    }

    #[test]
    fn lines_count_blank_lines_crlf_and_lines_inside_quotes() {
        assert_eq!(
            lines("a,1\n\nb,2\r\n\r\nc,\"x\ny\"\rd\n\"e\"\n"),
            [
                (1, "a".into()),
                (3, "b".into()),
                (5, "c".into()),
                (6, "d".into()),
                (7, "e".into())
            ]
        );
    }

    #[test]
    fn a_bom_is_not_part_of_the_first_field() {
        assert_eq!(lines("\u{feff}timestamp,x\n"), [(1, "timestamp".into())]);
    }

    #[test]
    fn rewind_reads_the_lines_of_a_record_again() {
        let text = b"a,\"1\nb,2\nc,3\n";
        let mut recs = Records::new(&text[..], b',');
        let first = recs.next().unwrap().unwrap();
        assert_eq!((first.line, first.raw.len()), (1, text.len()));
        recs.rewind(5, 2);
        let again = recs.next().unwrap().unwrap();
        assert_eq!((again.line, again.text(0)), (2, Some("b")));
    }

    proptest! {
        /// Same records as the csv crate reading the same bytes (its
        /// ByteRecord, flexible, no header), however the input arrives.
        #[test]
        fn splits_like_the_csv_crate(
            bytes in proptest::collection::vec(
                proptest::sample::select(b"ab,;\"\r\n \xc3\xa9".to_vec()), 0..200),
            semicolon in any::<bool>(),
            step in 1usize..9,
        ) {
            let delim = if semicolon { b';' } else { b',' };
            prop_assert_eq!(ours(&bytes, delim, step), csv_crate(&bytes, delim));
        }
    }
}
