//! Text helpers shared by every layer that reads files: trimming on the
//! readers' hot path, and the byte order mark, stripped in one place.

/// `str::trim`, with a fast path for the usual field that starts and ends
/// with a visible ASCII character (`str::trim` decodes a char at each end).
#[inline]
pub fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// The UTF-8 byte order mark some exporters write first.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The bytes after a leading UTF-8 byte order mark.
#[inline]
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes)
}

/// The text after every leading U+FEFF (a BOM decoded into a header cell).
#[inline]
pub fn strip_bom_str(text: &str) -> &str {
    text.trim_start_matches('\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::trim;

    #[test]
    fn trims_like_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a ",
            "\u{a0}a\u{a0}",
            "a\t",
            "\u{3000}x",
            "é",
            " é ",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }
}
