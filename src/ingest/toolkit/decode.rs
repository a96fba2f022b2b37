//! Text as exports save it: UTF-8 with or without a byte order mark, UTF-16
//! with one (Excel's "Unicode text") or without (told by its zero bytes),
//! or Windows-1252 (Excel's default on Windows) when the bytes are not
//! UTF-8; or the encoding the user names (`--encoding`, an `encoding_rs`
//! label). The decoding is `encoding_rs`'s, of a whole file ([`decode`]:
//! invoices, rate cards) or of a stream ([`reader`]: message logs, which
//! can be gigabytes). UTF-8 streams pass through untouched: the readers
//! check UTF-8 where they cut fields anyway.

use std::borrow::Cow;
use std::io::{self, BufRead, Read};

use encoding_rs::{CoderResult, Decoder, Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

pub use crate::text::{strip_bom, strip_bom_str};

/// How a file's bytes were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    /// Not UTF-8 and no BOM: read as Windows-1252.
    Windows1252,
    /// Another encoding the user named.
    Other(&'static Encoding),
}

impl Decoding {
    /// The encoding that reads the bytes.
    pub fn encoding(self) -> &'static Encoding {
        match self {
            Decoding::Utf8 => UTF_8,
            Decoding::Utf16Le => UTF_16LE,
            Decoding::Utf16Be => UTF_16BE,
            Decoding::Windows1252 => WINDOWS_1252,
            Decoding::Other(e) => e,
        }
    }

    /// The decoding of an encoding named by the user.
    pub fn of(encoding: &'static Encoding) -> Decoding {
        [
            Decoding::Utf8,
            Decoding::Utf16Le,
            Decoding::Utf16Be,
            Decoding::Windows1252,
        ]
        .into_iter()
        .find(|d| d.encoding() == encoding)
        .unwrap_or(Decoding::Other(encoding))
    }
}

/// What the first bytes of a file say about its encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detected {
    pub decoding: Decoding,
    /// Bytes of the byte order mark before the text.
    pub bom: usize,
    /// Told from the bytes alone, no BOM saying so (UTF-16 by its zero
    /// bytes, Windows-1252 for bytes that are not UTF-8): a guess the
    /// reader says on stderr.
    pub guessed: bool,
}

impl Detected {
    /// What a note on stderr says about a guess.
    pub fn explain(&self) -> String {
        let how = match self.decoding {
            Decoding::Windows1252 => "not UTF-8; read as Windows-1252 (Excel's default on Windows)",
            Decoding::Utf16Le => {
                "no byte order mark, but zero bytes as UTF-16LE has them; read as UTF-16LE"
            }
            Decoding::Utf16Be => {
                "no byte order mark, but zero bytes as UTF-16BE has them; read as UTF-16BE"
            }
            _ => "read as UTF-8",
        };
        format!("{how}; name another encoding with --encoding")
    }
}

/// Tells a file's encoding from its first bytes (`head`; `complete` when
/// they are the whole file, so a UTF-8 sequence cut at their end is not
/// UTF-8): a BOM, else UTF-16 by its zero bytes, else UTF-8 if the bytes
/// are, else Windows-1252.
pub fn detect(head: &[u8], complete: bool) -> Detected {
    let found = |decoding, bom, guessed| Detected {
        decoding,
        bom,
        guessed,
    };
    if let Some((encoding, bom)) = Encoding::for_bom(head) {
        let decoding = Decoding::of(encoding);
        let rest = head.get(bom..).unwrap_or_default();
        if decoding != Decoding::Utf8 || is_utf8(rest, complete) {
            return found(decoding, bom, false);
        }
        return found(Decoding::Windows1252, bom, true);
    }
    if let Some(utf16) = utf16_by_zeros(head) {
        return found(utf16, 0, true);
    }
    if is_utf8(head, complete) {
        return found(Decoding::Utf8, 0, false);
    }
    found(Decoding::Windows1252, 0, true)
}

/// The bytes are UTF-8 (but for a sequence their end cuts, unless
/// `complete`).
fn is_utf8(bytes: &[u8], complete: bool) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => !complete && e.error_len().is_none(),
    }
}

/// UTF-16 without a BOM: text that is mostly ASCII (every export's digits,
/// commas and names) has a zero byte in every other place, the high bytes.
fn utf16_by_zeros(head: &[u8]) -> Option<Decoding> {
    let pairs = head.len().min(4096) / 2;
    let (mut first, mut second) = (0, 0);
    for p in head.chunks_exact(2).take(pairs) {
        first += usize::from(p[0] == 0);
        second += usize::from(p[1] == 0);
    }
    let mostly = |zeros: usize, other: usize| zeros > 0 && zeros * 2 >= pairs && other * 8 <= zeros;
    if mostly(second, first) {
        Some(Decoding::Utf16Le)
    } else if mostly(first, second) {
        Some(Decoding::Utf16Be)
    } else {
        None
    }
}

/// Decodes a whole file as [`detect`] tells; the BOM is not part of the
/// text. Malformed input becomes U+FFFD.
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, Decoding) {
    let found = detect(bytes, true);
    let rest = bytes.get(found.bom..).unwrap_or_default();
    (
        found
            .decoding
            .encoding()
            .decode_without_bom_handling(rest)
            .0,
        found.decoding,
    )
}

/// The first character of a file's text that is not white space or a BOM,
/// from its first bytes (a log's format is told by it: JSON or CSV).
pub fn first_char(head: &[u8]) -> Option<char> {
    let found = detect(head, false);
    let rest = head.get(found.bom..).unwrap_or_default();
    let rest = rest.get(..rest.len().min(1024)).unwrap_or_default();
    let (text, _) = found.decoding.encoding().decode_without_bom_handling(rest);
    text.chars()
        .find(|c| !c.is_whitespace() && *c != '\u{feff}')
}

/// A stream read as UTF-8: the encoding `given` (`--encoding`), else the
/// one its first bytes tell ([`detect`]). A UTF-8 stream found so is
/// handed back as it is, BOM and all (its readers strip the BOM and check
/// UTF-8 field by field); any other, or one named, is decoded on the fly.
pub fn reader(
    inner: Box<dyn BufRead>,
    given: Option<&'static Encoding>,
) -> io::Result<(Box<dyn BufRead>, Detected)> {
    let mut inner = with_head(inner)?;
    let head = inner.fill_buf()?;
    let found = match given {
        Some(encoding) => Detected {
            decoding: Decoding::of(encoding),
            bom: bom_of(head, encoding),
            guessed: false,
        },
        None => detect(head, head.len() < HEAD),
    };
    if given.is_none() && found.decoding == Decoding::Utf8 {
        return Ok((inner, found));
    }
    inner.consume(found.bom);
    let decoded = DecodeReader::new(inner, found.decoding.encoding());
    Ok((Box::new(decoded), found))
}

/// Bytes enough to tell an encoding by.
const HEAD: usize = 4096;

/// `inner` with at least [`HEAD`] bytes (or all there are) in its buffer:
/// a pipe's first read may hand over a few bytes only.
fn with_head(mut inner: Box<dyn BufRead>) -> io::Result<Box<dyn BufRead>> {
    if inner.fill_buf()?.len() >= HEAD {
        return Ok(inner);
    }
    let mut head = Vec::with_capacity(HEAD);
    (&mut inner).take(HEAD as u64).read_to_end(&mut head)?;
    Ok(Box::new(io::Cursor::new(head).chain(inner)))
}

/// The length of `encoding`'s own BOM at the start of `head`, if it is there.
fn bom_of(head: &[u8], encoding: &'static Encoding) -> usize {
    match Encoding::for_bom(head) {
        Some((e, n)) if e == encoding => n,
        _ => 0,
    }
}

/// Input bytes decoded at a time.
const BLOCK: usize = 1 << 16;

/// A byte stream in some encoding, read as UTF-8: each block of input is
/// decoded into a buffer the caller reads from. Malformed input becomes
/// U+FFFD (`encoding_rs`'s replacement), a sequence cut by the end of a
/// block is carried into the next.
pub struct DecodeReader<R> {
    inner: R,
    decoder: Decoder,
    out: Box<[u8]>,
    pos: usize,
    end: usize,
    done: bool,
}

impl<R: BufRead> DecodeReader<R> {
    /// Reads `inner` as `encoding`, without looking for a BOM (the caller
    /// has consumed it).
    pub fn new(inner: R, encoding: &'static Encoding) -> DecodeReader<R> {
        let decoder = encoding.new_decoder_without_bom_handling();
        // Room for a whole block's text: a block decodes in one call.
        let room = decoder.max_utf8_buffer_length(BLOCK).unwrap_or(4 * BLOCK);
        DecodeReader {
            inner,
            decoder,
            out: vec![0; room].into_boxed_slice(),
            pos: 0,
            end: 0,
            done: false,
        }
    }

    /// Decodes the next block of input into `out` (it may give no text: a
    /// block that ends inside a sequence).
    fn refill(&mut self) -> io::Result<()> {
        let input = loop {
            match self.inner.fill_buf() {
                Ok(b) => break b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        let last = input.is_empty();
        let input = input.get(..input.len().min(BLOCK)).unwrap_or_default();
        let (result, read, written, _) = self.decoder.decode_to_utf8(input, &mut self.out, last);
        self.inner.consume(read);
        self.pos = 0;
        self.end = written;
        self.done = last && result == CoderResult::InputEmpty;
        Ok(())
    }
}

impl<R: BufRead> BufRead for DecodeReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos == self.end && !self.done {
            self.refill()?;
        }
        Ok(self.out.get(self.pos..self.end).unwrap_or_default())
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.end);
    }
}

impl<R: BufRead> Read for DecodeReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let text = self.fill_buf()?;
        let n = text.len().min(buf.len());
        buf[..n].copy_from_slice(&text[..n]);
        self.consume(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn utf16(text: &str, little: bool, bom: bool) -> Vec<u8> {
        let mut bytes = match (bom, little) {
            (false, _) => vec![],
            (true, true) => vec![0xFF, 0xFE],
            (true, false) => vec![0xFE, 0xFF],
        };
        for unit in text.encode_utf16() {
            bytes.extend(if little {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        bytes
    }

    /// A stream read through [`reader`], `step` bytes at a time.
    fn streamed(bytes: &[u8], given: Option<&'static Encoding>, step: usize) -> (String, Detected) {
        let inner = io::BufReader::with_capacity(step, io::Cursor::new(bytes.to_vec()));
        let (mut r, found) = reader(Box::new(inner), given).unwrap();
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        (String::from_utf8(out).unwrap(), found)
    }

    #[test]
    fn utf16_with_bom_either_byte_order() {
        let le = utf16("Mês\tCusto\r\n", true, true);
        let (text, how) = decode(&le);
        assert_eq!((text.as_ref(), how), ("Mês\tCusto\r\n", Decoding::Utf16Le));
        let be = utf16("Mês\tCusto\r\n", false, true);
        let (text, how) = decode(&be);
        assert_eq!((text.as_ref(), how), ("Mês\tCusto\r\n", Decoding::Utf16Be));
        assert!(!detect(&le, true).guessed);
    }

    #[test]
    fn utf16_without_bom_by_its_zero_bytes_said_a_guess() {
        for little in [true, false] {
            let bytes = utf16("timestamp,direction\n2026-10-01,saída\n", little, false);
            let found = detect(&bytes, true);
            let want = if little {
                Decoding::Utf16Le
            } else {
                Decoding::Utf16Be
            };
            assert_eq!((found.decoding, found.bom, found.guessed), (want, 0, true));
            assert_eq!(decode(&bytes).0, "timestamp,direction\n2026-10-01,saída\n");
        }
        // Text has no zero bytes at all.
        assert_eq!(detect(b"a,b\n1,2\n", true).decoding, Decoding::Utf8);
        assert_eq!(detect(b"a\0", true).decoding, Decoding::Utf16Le);
    }

    #[test]
    fn odd_trailing_byte_of_utf16_is_a_replacement() {
        let mut bytes = utf16("a", true, true);
        bytes.push(b'b');
        assert_eq!(decode(&bytes).0, "a\u{fffd}");
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let (text, how) = decode(b"\xEF\xBB\xBFm\xC3\xAAs");
        assert_eq!((text.as_ref(), how), ("mês", Decoding::Utf8));
        assert!(matches!(decode(b"month").0, Cow::Borrowed("month")));
    }

    #[test]
    fn not_utf8_is_windows_1252_said_a_guess() {
        let (text, how) = decode(b"Servi\xE7o \xE9 \x80 \x81");
        assert_eq!(
            (text.as_ref(), how),
            ("Serviço é € \u{81}", Decoding::Windows1252)
        );
        assert!(detect(b"Servi\xE7o", true).guessed);
        assert!(detect(b"\xEF\xBB\xBFServi\xE7o", true).guessed);
    }

    #[test]
    fn a_utf8_sequence_cut_by_the_end_of_the_head_is_still_utf8() {
        assert_eq!(detect(b"m\xC3", false).decoding, Decoding::Utf8);
        assert_eq!(detect(b"m\xC3", true).decoding, Decoding::Windows1252);
    }

    #[test]
    fn first_char_sees_through_boms_and_utf16() {
        assert_eq!(first_char(&utf16(" {\"a\":1}", true, true)), Some('{'));
        assert_eq!(first_char(&utf16("[1]", false, false)), Some('['));
        assert_eq!(first_char(b"\xEF\xBB\xBF\r\n{"), Some('{'));
        assert_eq!(first_char(b"  \n"), None);
    }

    #[test]
    fn a_utf8_stream_passes_through_its_bom_and_all() {
        let (text, found) = streamed(b"\xEF\xBB\xBFa,b\n", None, 3);
        assert_eq!(
            (text.as_str(), found.decoding),
            ("\u{feff}a,b\n", Decoding::Utf8)
        );
    }

    #[test]
    fn streams_of_every_encoding_read_as_utf8() {
        let text = "timestamp\ttemplate\r\n2026-10-01\tpromoção\r\n";
        let (got, found) = streamed(&utf16(text, true, true), None, 5);
        assert_eq!((got.as_str(), found.decoding), (text, Decoding::Utf16Le));
        let (got, _) = streamed(&utf16(text, false, false), None, 1);
        assert_eq!(got, text);
        let (got, found) = streamed(b"promo\xE7\xE3o\n", None, 2);
        assert_eq!(
            (got.as_str(), found.decoding),
            ("promoção\n", Decoding::Windows1252)
        );
    }

    #[test]
    fn a_named_encoding_wins_over_detection() {
        // Valid UTF-8 bytes, but the user says Latin-1 (WHATWG: windows-1252).
        let latin1 = Encoding::for_label(b"latin1").unwrap();
        let (got, found) = streamed("ç".as_bytes(), Some(latin1), 4);
        assert_eq!(
            (got.as_str(), found.decoding),
            ("Ã§", Decoding::Windows1252)
        );
        // Named UTF-8: its BOM is dropped, malformed bytes replaced.
        let (got, _) = streamed(b"\xEF\xBB\xBFa\xFFb", Some(UTF_8), 2);
        assert_eq!(got, "a\u{fffd}b");
        let (got, found) = streamed(&utf16("x", false, true), Some(UTF_16BE), 1);
        assert_eq!((got.as_str(), found.bom), ("x", 2));
    }

    #[test]
    fn strip_bom_once_in_bytes_every_one_in_text() {
        assert_eq!(strip_bom(b"\xEF\xBB\xBFa"), b"a");
        assert_eq!(strip_bom(b"a\xEF\xBB\xBF"), b"a\xEF\xBB\xBF");
        assert_eq!(strip_bom_str("\u{feff}\u{feff}time"), "time");
    }

    proptest! {
        /// However the input arrives, the stream's text is the whole
        /// file's (`encoding_rs` decoding all of it at once).
        #[test]
        fn a_stream_decodes_like_the_whole_file(
            bytes in proptest::collection::vec(
                proptest::sample::select(vec![0u8, b'a', b',', b'\n', 0xC3, 0xA7, 0xD8, 0xDC, 0xFF, 0x80]),
                0..300),
            which in 0usize..4,
            step in 1usize..7,
        ) {
            let encoding = [UTF_8, UTF_16LE, UTF_16BE, WINDOWS_1252][which];
            let inner = io::BufReader::with_capacity(step, &bytes[..]);
            let mut r = DecodeReader::new(inner, encoding);
            let mut got = String::new();
            r.read_to_string(&mut got).unwrap();
            prop_assert_eq!(got, encoding.decode_without_bom_handling(&bytes).0);
        }
    }
}
