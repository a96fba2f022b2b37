//! Text as exports save it: UTF-8 with or without a byte order mark, UTF-16
//! with one (Excel's "Unicode text"), or Windows-1252 (Excel's default on
//! Windows) when the bytes are not UTF-8. The decoding is `encoding_rs`'s.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

pub use crate::text::{strip_bom, strip_bom_str};

/// How a file's bytes were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    /// Not UTF-8 and no BOM: read as Windows-1252.
    Windows1252,
}

/// Decodes `bytes` by their byte order mark, else as UTF-8, else as
/// Windows-1252; the BOM is not part of the text. Malformed UTF-16 becomes
/// U+FFFD.
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, Decoding) {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let rest = bytes.get(bom..).unwrap_or_default();
        let decoding = match encoding.name() {
            "UTF-16LE" => Decoding::Utf16Le,
            "UTF-16BE" => Decoding::Utf16Be,
            _ => Decoding::Utf8,
        };
        if decoding != Decoding::Utf8 || std::str::from_utf8(rest).is_ok() {
            return (encoding.decode_without_bom_handling(rest).0, decoding);
        }
        return (
            WINDOWS_1252.decode_without_bom_handling(rest).0,
            Decoding::Windows1252,
        );
    }
    match UTF_8.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => (text, Decoding::Utf8),
        None => (
            WINDOWS_1252.decode_without_bom_handling(bytes).0,
            Decoding::Windows1252,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, little: bool) -> Vec<u8> {
        let mut bytes = if little {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
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

    #[test]
    fn utf16_with_bom_either_byte_order() {
        let le = utf16("Mês\tCusto\r\n", true);
        let (text, how) = decode(&le);
        assert_eq!((text.as_ref(), how), ("Mês\tCusto\r\n", Decoding::Utf16Le));
        let be = utf16("Mês\tCusto\r\n", false);
        let (text, how) = decode(&be);
        assert_eq!((text.as_ref(), how), ("Mês\tCusto\r\n", Decoding::Utf16Be));
    }

    #[test]
    fn odd_trailing_byte_of_utf16_is_a_replacement() {
        let mut bytes = utf16("a", true);
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
    fn not_utf8_is_windows_1252() {
        let (text, how) = decode(b"Servi\xE7o \xE9 \x80 \x81");
        assert_eq!(
            (text.as_ref(), how),
            ("Serviço é € \u{81}", Decoding::Windows1252)
        );
    }

    #[test]
    fn strip_bom_once_in_bytes_every_one_in_text() {
        assert_eq!(strip_bom(b"\xEF\xBB\xBFa"), b"a");
        assert_eq!(strip_bom(b"a\xEF\xBB\xBF"), b"a\xEF\xBB\xBF");
        assert_eq!(strip_bom_str("\u{feff}\u{feff}time"), "time");
    }
}
