//! Which delimiter a CSV export uses: Excel's `sep=;` first line when there
//! is one, else the one of `,` `;` tab `|` that splits the header line into
//! the most fields (counted outside double quotes; `,` on a tie or none).

/// The delimiters an export may use, best first on a tie.
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// What the first lines of a CSV file say about its delimiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub delimiter: u8,
    /// Bytes of an Excel `sep=X` first line, its line ending included: the
    /// header starts after them.
    pub sep_line: usize,
}

/// Sniffs the delimiter from the start of a file (BOM already removed).
pub fn sniff(head: &[u8]) -> Sniffed {
    if let Some((delimiter, sep_line)) = sep_line(head) {
        return Sniffed {
            delimiter,
            sep_line,
        };
    }
    Sniffed {
        delimiter: most_fields(header_line(head)),
        sep_line: 0,
    }
}

/// Excel's `sep=X` first line: the delimiter and the line's length with
/// its line ending.
pub fn sep_line(head: &[u8]) -> Option<(u8, usize)> {
    let line = head.split(|&b| b == b'\n').next().unwrap_or(head);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let word = line.trim_ascii();
    if word.len() != 5 || !word.get(..4)?.eq_ignore_ascii_case(b"sep=") {
        return None;
    }
    let rest = head.get(line.len()..).unwrap_or_default();
    let ending = [&b"\r\n"[..], b"\n"]
        .into_iter()
        .find(|e| rest.starts_with(e))
        .map_or(0, <[u8]>::len);
    Some((word[4], line.len() + ending))
}

/// The first line that is not blank.
fn header_line(head: &[u8]) -> &[u8] {
    head.split(|&b| b == b'\n')
        .find(|l| !l.trim_ascii().is_empty())
        .unwrap_or_default()
}

/// The candidate found most often outside quotes; `,` when none is.
fn most_fields(line: &[u8]) -> u8 {
    let mut best = (b',', 0usize);
    for d in CANDIDATES {
        let n = count_outside_quotes(line, d);
        if n > best.1 {
            best = (d, n);
        }
    }
    best.0
}

/// Counts a delimiter outside double quotes.
fn count_outside_quotes(line: &[u8], delim: u8) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for &c in line {
        if c == b'"' {
            quoted = !quoted;
        } else if c == delim && !quoted {
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delim(head: &str) -> u8 {
        sniff(head.as_bytes()).delimiter
    }

    #[test]
    fn the_delimiter_that_splits_the_header_most() {
        assert_eq!(delim("a,b,c\n1;2;3;4;5\n"), b',');
        assert_eq!(delim("Data;Dir;Telefone\r\n"), b';');
        assert_eq!(delim("Month\tMarket\tCost\r\n"), b'\t');
        assert_eq!(delim("ts|dir|to\n"), b'|');
        assert_eq!(delim("timestamp\n"), b',');
        assert_eq!(delim(""), b',');
    }

    #[test]
    fn ties_go_to_the_first_candidate() {
        assert_eq!(delim("a,b;c\n"), b',');
        assert_eq!(delim("a;b\tc\n"), b';');
    }

    #[test]
    fn delimiters_inside_quotes_do_not_count() {
        assert_eq!(delim("\"a;b;c\",d,e\n"), b',');
        assert_eq!(delim("\"a,b,c\";d;e\n"), b';');
    }

    #[test]
    fn blank_lines_before_the_header_are_skipped() {
        assert_eq!(delim("\r\n  \nmonth;market;cost\n"), b';');
    }

    #[test]
    fn excel_sep_line() {
        let head = b"sep=;\r\nmonth,market\r\n";
        assert_eq!(
            sniff(head),
            Sniffed {
                delimiter: b';',
                sep_line: 7
            }
        );
        assert_eq!(sniff(b"SEP=|\nx").sep_line, 6);
        assert_eq!(sniff(b"sep=;;\na;b\n").sep_line, 0);
    }
}
