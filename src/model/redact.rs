//! Keeping personal data out of what a person reads: phone numbers in free
//! text are masked, and quoted input values are cut short. Every rejection
//! reason, note and error that quotes an input field goes through
//! [`quote_field`].

/// Characters people and exports write between the digits of one number
/// (`_` is what CSV header normalization makes of spaces and dashes).
fn is_digit_separator(c: char) -> bool {
    // Control characters too: NULs and the like inside a number come from
    // broken exports and must not split it into short, readable runs.
    c.is_control()
        || matches!(
            c,
            ' ' | '-' | '.' | '(' | ')' | '/' | '_' | '\u{a0}' | '\u{2010}'
                ..='\u{2015}' | '\u{2212}'
        )
}

/// Masks every run of 7+ digits in free text that could be a phone number
/// (for error messages that quote an input field). Digits and the
/// separators written between them (spaces, dashes, dots, slashes,
/// parentheses, underscores, Unicode dashes) form one run, across a single
/// stray character too (`9876S-4321`, `98765,4321`); dates inside a run
/// (`2026-10-05`, `05/10/2026`) stay readable, and `:` ends a run, so times
/// do too. A masked run keeps at most its first four and its last two
/// digits and always hides at least five: `+55 11 98765-4321` becomes
/// `+55 11 *****-**21`.
pub fn redact_digits(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..start]);
        let run = &rest[start..];
        // The run ends at its last digit: separators after it are text.
        let mut end = 0;
        let mut prev = '0';
        let mut chars = run.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let in_number = |c: char| c.is_ascii_digit() || is_digit_separator(c);
            let next = chars.peek().map_or('\0', |&(_, n)| n);
            // One stray character (`S`, `,`, ...) inside a number, next to a
            // digit, does not end it; `:` does (times).
            let stray = c != ':'
                && in_number(prev)
                && in_number(next)
                && (prev.is_ascii_digit() || next.is_ascii_digit());
            if c.is_ascii_digit() {
                end = i + 1;
            } else if !(is_digit_separator(c) || stray) {
                break;
            }
            prev = c;
        }
        redact_run(&run[..end], &mut out);
        rest = &run[end..];
    }
    out.push_str(rest);
    out
}

/// One run of digits and separators, starting and ending with a digit.
fn redact_run(run: &str, out: &mut String) {
    // (separators before, digits) groups; digits are ASCII, so every cut
    // between a digit and a non-digit is a char boundary.
    let b = run.as_bytes();
    let mut groups: Vec<(&str, &str)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let sep = i;
        while i < b.len() && !b[i].is_ascii_digit() {
            i += 1;
        }
        let digits = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        groups.push((&run[sep..digits], &run[digits..i]));
    }
    let mut date = vec![false; groups.len()];
    let mut k = 0;
    while k + 3 <= groups.len() {
        if is_date(&groups[k..k + 3]) {
            date[k..k + 3].fill(true);
            k += 3;
        } else {
            k += 1;
        }
    }
    // Groups between dates form one candidate number each.
    let mut k = 0;
    while k < groups.len() {
        let mut j = k;
        while j < groups.len() && date[j] == date[k] {
            j += 1;
        }
        if date[k] {
            for (sep, digits) in &groups[k..j] {
                out.push_str(sep);
                out.push_str(digits);
            }
        } else {
            mask_groups(&groups[k..j], out);
        }
        k = j;
    }
}

/// Writes groups of digits, masked when they hold 7 digits or more. The
/// separator before the first group is outside the number and kept.
fn mask_groups(groups: &[(&str, &str)], out: &mut String) {
    let n: usize = groups.iter().map(|g| g.1.len()).sum();
    let head = if n >= 7 { (n - 7).min(4) } else { n };
    let mut d = 0;
    for (sep, digits) in groups {
        out.push_str(sep);
        for c in digits.chars() {
            out.push(if d < head || d + 2 >= n { c } else { '*' });
            d += 1;
        }
    }
}

/// `YYYY-MM-DD`, `DD/MM/YYYY` or `MM/DD/YYYY`, with one separator of
/// `-`, `/`, `.` or `_` used twice.
fn is_date(g: &[(&str, &str)]) -> bool {
    let [(_, a), (s1, b), (s2, c)] = g else {
        return false;
    };
    if s1 != s2 || !matches!(*s1, "-" | "/" | "." | "_") {
        return false;
    }
    let num = |s: &str| s.parse::<u32>().unwrap_or(0);
    let year = |s: &str| s.len() == 4 && (1900..2200).contains(&num(s));
    let day_or_month = |s: &str| (1..=2).contains(&s.len()) && (1..=31).contains(&num(s));
    let month = |s: &str| day_or_month(s) && num(s) <= 12;
    (year(a) && month(b) && day_or_month(c))
        || (day_or_month(a) && day_or_month(b) && (month(a) || month(b)) && year(c))
}

/// Longest field value, in characters, that a reason quotes.
const QUOTE_MAX_CHARS: usize = 60;

/// Quotes an input field in a rejection reason, note or error: every
/// reader goes through this. Digit runs that could be a phone number are
/// masked ([`redact_digits`]; dates stay readable), and a
/// value longer than 60 characters is cut, with `…` and its full length:
/// `"mmm…" (1048576 bytes)`.
pub fn quote_field(s: &str) -> String {
    let r = redact_digits(s);
    match r.char_indices().nth(QUOTE_MAX_CHARS) {
        None => format!("{r:?}"),
        Some((cut, _)) => format!("{:?} ({} bytes)", format!("{}…", &r[..cut]), s.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::phone::E164;

    #[test]
    fn quote_field_masks_numbers_and_keeps_words_and_times() {
        assert_eq!(quote_field("promo"), "\"promo\"");
        assert_eq!(quote_field(""), "\"\"");
        assert_eq!(
            quote_field("2026-10-05T10:00:00-03:00"),
            "\"2026-10-05T10:00:00-03:00\""
        );
        assert_eq!(quote_field("+55 11 91234-5678"), "\"+55 11 *****-**78\"");
        assert_eq!(quote_field("a\"b\nc"), "\"a\\\"b\\nc\"");
    }

    #[test]
    fn quote_field_cuts_long_values() {
        let long = "m".repeat(1 << 20);
        let q = quote_field(&long);
        assert_eq!(q, format!("\"{}…\" (1048576 bytes)", "m".repeat(60)));
        // Cut on characters, never inside one.
        let q = quote_field(&"ç".repeat(100));
        assert!(q.starts_with(&format!("\"{}…\"", "ç".repeat(60))), "{q}");
        assert!(q.ends_with("(200 bytes)"), "{q}");
        // A number cut in the middle is masked before the cut.
        let q = quote_field(&format!("{}5511912345678", "x".repeat(55)));
        assert!(!q.contains("55119"), "{q}");
        assert_eq!(
            quote_field(&"x".repeat(60)),
            format!("\"{}\"", "x".repeat(60))
        );
    }

    #[test]
    fn redacts_numbers_in_text() {
        let r = redact_digits("bad contact \"+55 11 98765-4321x\"");
        assert!(!r.contains("98765"), "{r}");
        assert!(r.contains("21x"));
        assert_eq!(redact_digits("line 12 of 2026"), "line 12 of 2026");
    }

    #[test]
    fn redacts_every_way_of_writing_a_number() {
        for (text, want) in [
            ("5511912345678", "5511*******78"),
            ("+55 11 91234-5678", "+55 11 *****-**78"),
            ("+55 (11) 91234-5678", "+55 (11) *****-**78"),
            ("+55/11/91234/5678", "+55/11/*****/**78"),
            ("+55_11_91234_5678", "+55_11_*****_**78"),
            (
                "+55\u{a0}11\u{a0}91234\u{a0}5678",
                "+55\u{a0}11\u{a0}*****\u{a0}**78",
            ),
            ("whatsapp:+5511912345678", "whatsapp:+5511*******78"),
            ("1234567", "*****67"),
        ] {
            assert_eq!(redact_digits(text), want, "{text}");
        }
        // However short the run, at least five digits are hidden.
        for len in 7..=20 {
            let digits: String = (0..len).map(|i| char::from(b'1' + (i % 9) as u8)).collect();
            let r = redact_digits(&digits);
            assert!(r.chars().filter(|&c| c == '*').count() >= 5, "{r}");
            assert!(r.chars().filter(char::is_ascii_digit).count() <= 6, "{r}");
        }
    }

    #[test]
    fn redaction_keeps_dates_and_times_readable() {
        for text in [
            "2026-10-05T10:00:00-03:00",
            "2026-10-05 10:00:00",
            "05/10/2026 10:00",
            "2026_10_05t10:00:00_03:00",
            "12.31.2026",
        ] {
            assert_eq!(redact_digits(text), text);
        }
        // Unix seconds cannot be told from a number: masked.
        assert_eq!(redact_digits("1790857800"), "179*****00");
        // A date next to a number keeps the date, masks the number.
        assert_eq!(
            redact_digits("2026-10-05 5511912345678"),
            "2026-10-05 5511*******78"
        );
        // Not dates: 13th month, 32nd day, a year out of range.
        assert_ne!(redact_digits("2026-13-05"), "2026-13-05");
        assert_ne!(redact_digits("32/10/2026"), "32/10/2026");
        assert_ne!(redact_digits("5511-12-05"), "5511-12-05");
    }

    #[test]
    fn separators_e164_accepts_do_not_split_a_masked_run() {
        // Found by fuzzing: '/' and no-break spaces between digits.
        for raw in ["55/11/98765/4321x", "55\u{a0}11\u{a0}98765\u{a0}4321x"] {
            assert!(E164::parse(&raw[..raw.len() - 1]).is_ok());
            let r = redact_digits(raw);
            assert!(!r.contains("98765") && !r.contains("765"), "{r}");
        }
    }

    #[test]
    fn control_characters_do_not_split_a_masked_run() {
        // Found by fuzzing: NULs between digits left the tail readable.
        let r = redact_digits("+5511987640\x00\x00\x0032190");
        assert!(!r.contains("32190") && !r.contains("2190"), "{r:?}");
    }
}
