//! Text helpers shared by the readers' hot path.

/// `str::trim`, with a fast path for the usual field that starts and ends
/// with a visible ASCII character (`str::trim` decodes a char at each end).
#[inline]
pub fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => s,
        _ => s.trim(),
    }
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
