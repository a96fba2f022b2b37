//! CSV records cut from the input's bytes, with the line each starts on
//! and the bytes it was read from.
//!
//! A line without quotes (nearly every line of an export) is split at its
//! delimiters where it lies in the buffer; a line with a quote goes through
//! `csv_core`, the csv crate's own parser, so both read a file alike (RFC
//! 4180 quotes, `""` inside quotes, CR, LF or CRLF ending a record, blank
//! lines skipped). Keeping the bytes of the record being read lets the
//! caller look at a record a stray quote ran over, and read its lines again.
//!
//! What spreadsheets add is taken out here, so every reader of records is
//! spared it, and counted ([`Tally`]): a BOM, Excel's `sep=;` first line
//! (its delimiter is the file's; later lines keep their own numbers), rows
//! that are only delimiters (`;;;;`, what Excel saves of an emptied row).
//! A record that is not UTF-8 is read as Windows-1252, the one encoding a
//! file that looked UTF-8 in its first bytes can turn out to be; a stream
//! in another encoding was decoded before it came here
//! (`toolkit::decode::reader`), so a UTF-8 file pays for nothing but the
//! check it always had.

use std::io::{self, Read};

use super::toolkit::decode::strip_bom;
use super::toolkit::delimiter::sep_line;

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
    /// The BOM and `sep=` line were looked for.
    started: bool,
    /// The last record read as Windows-1252, its bytes not UTF-8.
    recoded: String,
    tally: Tally,
}

/// What [`Records`] took out of the input or read otherwise, for the
/// reader to say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Tally {
    /// Rows that are only delimiters, skipped.
    pub delimiter_only_rows: u64,
    /// Rows read as Windows-1252 because they are not UTF-8, and the
    /// first one's line.
    pub windows_1252_rows: u64,
    pub first_windows_1252_line: u64,
    /// The line of an Excel `sep=` first line, skipped.
    pub sep_line: bool,
}

/// One record: its fields, the line it starts on and its bytes.
pub(super) struct Record<'a> {
    pub line: u64,
    /// Input offset of the record's first byte.
    pub start: u64,
    /// The bytes it was read from, line ending included (not recoded).
    pub raw: &'a [u8],
    data: &'a [u8],
    bounds: &'a [(usize, usize)],
    /// `data` as text (UTF-8, or recoded into it).
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
            started: false,
            recoded: String::new(),
            tally: Tally::default(),
        }
    }

    /// What was skipped or read as Windows-1252 so far.
    pub fn tally(&self) -> Tally {
        self.tally
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
        loop {
            if !self.skip_blank_lines()? {
                return Ok(None);
            }
            if !self.started {
                self.start()?;
                continue;
            }
            self.line = self.newlines + 1;
            let line_end = self.line_end()?;
            if !self.split_plain(line_end) {
                self.read_quoted()?;
            }
            if self.only_delimiters() {
                self.tally.delimiter_only_rows += 1;
                continue;
            }
            return Ok(Some(self.record()));
        }
    }

    /// The start of the input: a BOM is not text, and an Excel `sep=X`
    /// first line is no record but says the delimiter.
    #[cold]
    fn start(&mut self) -> io::Result<()> {
        self.started = true;
        // The whole first line in the buffer, however the input arrives.
        let line_end = self.line_end()?;
        if self.base == 0 && self.pos == 0 {
            self.pos = self.end - strip_bom(&self.buf[..self.end]).len();
        }
        let line = &self.buf[self.pos..(line_end + 1).min(self.end)];
        if let Some((delim, len)) = sep_line(line) {
            self.delim = delim;
            self.core = csv_core::ReaderBuilder::new().delimiter(delim).build();
            self.newlines += u64::from(line.ends_with(b"\n"));
            self.pos += len;
            self.tally.sep_line = true;
        }
        Ok(())
    }

    /// The record just read has fields, all empty: `;;;;`, or `"";""`.
    #[inline]
    fn only_delimiters(&self) -> bool {
        let width = self.fields.len();
        let data = if self.quoted {
            self.body_end
        } else {
            self.body_end - self.raw.0
        };
        width > 1 && data == width.saturating_sub(1) * usize::from(!self.quoted)
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

    /// The record just read. Its bytes are checked to be UTF-8 once
    /// here; a record that is not is read as Windows-1252 field by field
    /// into `recoded` (delimiters and quotes are ASCII in both, so the
    /// fields are the same).
    fn record(&mut self) -> Record<'_> {
        let data: &[u8] = if self.quoted {
            &self.unquoted[..self.body_end]
        } else {
            &self.buf[self.raw.0..self.body_end]
        };
        let raw = &self.buf[self.raw.0..self.raw.1];
        let start = self.base + self.raw.0 as u64;
        let (line, quoted) = (self.line, self.quoted);
        let utf8 = std::str::from_utf8(data).ok().filter(|t| {
            // A split line's delimiters are in `data`: its fields are UTF-8
            // when it is; unquoted fields are not cut apart there.
            !quoted
                || self
                    .fields
                    .iter()
                    .all(|&(a, b)| t.is_char_boundary(a) && t.is_char_boundary(b))
        });
        let (data, text) = match utf8 {
            Some(text) => (data, text),
            None => {
                let text = recode(data, &mut self.fields, &mut self.recoded);
                if self.tally.windows_1252_rows == 0 {
                    self.tally.first_windows_1252_line = line;
                }
                self.tally.windows_1252_rows += 1;
                (text.as_bytes(), text)
            }
        };
        Record {
            line,
            start,
            raw,
            data,
            bounds: &self.fields,
            text: Some(text),
            quoted,
        }
    }

    /// Counts the lines after the current one from 1: for a header that is
    /// not a line of the user's file (JSON Lines records written as CSV).
    pub fn number_from_next(&mut self) {
        self.newlines = self.newlines.saturating_sub(1);
    }

    /// Reads again from input offset `at` (within the last record read),
    /// which is on line `line`.
    pub fn rewind(&mut self, at: u64, line: u64) {
        let i = usize::try_from(at.saturating_sub(self.base)).unwrap_or(usize::MAX);
        self.pos = i.clamp(self.raw.0, self.raw.1);
        self.newlines = line.saturating_sub(1);
    }
}

/// The fields of a record that is not UTF-8, read as Windows-1252 into
/// `into` (its buffer kept for the next such record); `fields` then bound
/// them there.
#[cold]
fn recode<'a>(data: &[u8], fields: &mut [(usize, usize)], into: &'a mut String) -> &'a str {
    into.clear();
    for f in fields {
        let from = into.len();
        let field = data.get(f.0..f.1).unwrap_or_default();
        into.push_str(
            &encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(field)
                .0,
        );
        *f = (from, into.len());
    }
    into
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
            .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect::<Vec<_>>())
            // Rows of delimiters only (`;;`, `"";""`) are skipped.
            .filter(|r| r.len() < 2 || r.iter().any(|f| !f.is_empty()))
            // A row with a field that is not UTF-8 is Windows-1252.
            .map(|r| {
                if r.iter().all(|f| std::str::from_utf8(f).is_ok()) {
                    return r;
                }
                r.iter()
                    .map(|f| {
                        encoding_rs::WINDOWS_1252
                            .decode_without_bom_handling(f)
                            .0
                            .as_bytes()
                            .to_vec()
                    })
                    .collect()
            })
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

    /// (line, fields as text) of every record, and the tally.
    fn read_all(bytes: &[u8], delim: u8, step: usize) -> (Vec<(u64, Vec<String>)>, Tally) {
        let mut recs = Records::new(Trickle { bytes, step }, delim);
        let mut out = Vec::new();
        while let Some(r) = recs.next().unwrap() {
            let fields = (0..r.width())
                .map(|c| r.text(c).unwrap().to_string())
                .collect();
            out.push((r.line, fields));
        }
        (out, recs.tally())
    }

    fn row(line: u64, fields: &[&str]) -> (u64, Vec<String>) {
        (line, fields.iter().map(|f| f.to_string()).collect())
    }

    #[test]
    fn an_excel_sep_line_is_no_record_and_says_the_delimiter() {
        for step in [1, 3, 1 << 20] {
            let (rows, tally) = read_all(b"\xEF\xBB\xBFsep=;\r\na;b\r\n1;2,5\r\n", b',', step);
            assert_eq!(
                rows,
                [row(2, &["a", "b"]), row(3, &["1", "2,5"])],
                "step {step}"
            );
            assert!(tally.sep_line);
        }
        // Only on the first line, and only `sep=` and one character.
        let (rows, tally) = read_all(b"a,b\nsep=;\n", b',', 4);
        assert_eq!(rows, [row(1, &["a", "b"]), row(2, &["sep=;"])]);
        assert!(!tally.sep_line);
        let (rows, _) = read_all(b"sep=;;\n", b';', 4);
        assert_eq!(rows, [row(1, &["sep=", "", ""])]);
    }

    #[test]
    fn rows_of_delimiters_only_are_skipped_and_counted() {
        let text = b"a;b;c\n;;\r\n1;2;3\n;;;;;;\n\"\";\"\";\"\"\n;2;\n;\n";
        let (rows, tally) = read_all(text, b';', 5);
        assert_eq!(
            rows,
            [
                row(1, &["a", "b", "c"]),
                row(3, &["1", "2", "3"]),
                row(6, &["", "2", ""])
            ]
        );
        assert_eq!(tally.delimiter_only_rows, 4);
    }

    #[test]
    fn a_record_that_is_not_utf8_is_windows_1252() {
        let text = b"t,name\n1,promo\xE7\xE3o\n2,\"a\xE7\",\"b\"\n3,promo\xC3\xA7\xC3\xA3o\n";
        let (rows, tally) = read_all(text, b',', 7);
        assert_eq!(
            rows,
            [
                row(1, &["t", "name"]),
                row(2, &["1", "promoção"]),
                row(3, &["2", "aç", "b"]),
                row(4, &["3", "promoção"]),
            ]
        );
        assert_eq!(
            (tally.windows_1252_rows, tally.first_windows_1252_line),
            (2, 2)
        );
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
