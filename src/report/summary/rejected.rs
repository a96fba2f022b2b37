//! Rejected rows grouped by reason: a log with 5,932 rows rejected for one
//! cause is one group with its count and first lines, not 5,932 lines. The
//! per-row specifics (quoted values, line numbers, dates) are normalised
//! away to find the group; the first row's reason is kept as its example.

use std::collections::HashMap;

use serde::Serialize;

use crate::model::Rejected;

/// How many `file:line` places a group names.
pub const FIRST_LINES: usize = 5;

/// One reason and the rows rejected for it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RejectedGroup {
    /// The reason with the per-row values replaced by `…`.
    pub reason: String,
    pub count: u64,
    /// The first rows of the group, as `file:line`.
    pub first_lines: Vec<String>,
    /// The first row's reason in full.
    pub example: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl RejectedGroup {
    /// Rows of the group beyond the first one.
    pub fn more(&self) -> u64 {
        self.count.saturating_sub(1)
    }

    /// The places after the first, and how many more rows there are.
    pub fn others(&self) -> String {
        let shown = &self.first_lines[1.min(self.first_lines.len())..];
        let rest = self.count - self.first_lines.len() as u64;
        let mut s = shown.join(", ");
        if rest > 0 {
            s.push_str(&format!(", … ({rest} more)"));
        }
        s
    }
}

/// Groups rows by field and normalised reason; the largest group first,
/// groups of one size in the order their first rows come.
pub fn group<'r>(rows: impl IntoIterator<Item = &'r Rejected>) -> Vec<RejectedGroup> {
    let mut groups: Vec<RejectedGroup> = Vec::new();
    let mut index: HashMap<(Option<String>, String), usize> = HashMap::new();
    for r in rows {
        let key = (r.field.clone(), pattern(&r.reason));
        let at = *index.entry(key).or_insert_with_key(|(field, reason)| {
            groups.push(RejectedGroup {
                reason: reason.clone(),
                count: 0,
                first_lines: Vec::new(),
                example: r.reason.clone(),
                field: field.clone(),
            });
            groups.len() - 1
        });
        let g = &mut groups[at];
        g.count += 1;
        if g.first_lines.len() < FIRST_LINES {
            g.first_lines.push(format!("{}:{}", r.file, r.line));
        }
    }
    groups.sort_by_key(|g| std::cmp::Reverse(g.count));
    groups
}

/// The reason with quoted values, line numbers and dates as `…`.
pub fn pattern(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    let mut rest = reason;
    while let Some(c) = rest.chars().next() {
        rest = if c == '"' {
            out.push_str("\"…\"");
            skip_cut_length(skip_quoted(&rest[1..]))
        } else if c.is_ascii_digit() && per_row_number(&out, rest) {
            out.push('…');
            rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '-')
        } else {
            out.push(c);
            &rest[c.len_utf8()..]
        };
    }
    out
}

/// What follows a quoted value (escapes as `quote_field` writes them).
fn skip_quoted(s: &str) -> &str {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return &s[i + 1..],
            _ => {}
        }
    }
    ""
}

/// ` (1048576 bytes)` after a cut value: the length is the row's.
fn skip_cut_length(s: &str) -> &str {
    let Some(inner) = s.strip_prefix(" (") else {
        return s;
    };
    let digits = inner.trim_start_matches(|c: char| c.is_ascii_digit());
    match digits.strip_prefix(" bytes)") {
        Some(after) if digits.len() < inner.len() => after,
        _ => s,
    }
}

/// A line number (`line 12`, `lines 12-14`) or a date (`2026-10-05`).
fn per_row_number(before: &str, digits: &str) -> bool {
    before.ends_with("line ") || before.ends_with("lines ") || is_date(digits)
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: u64, reason: &str) -> Rejected {
        Rejected {
            file: "log.csv".into(),
            line,
            field: None,
            reason: reason.into(),
        }
    }

    #[test]
    fn quoted_values_line_numbers_and_dates_are_the_rows_own() {
        assert_eq!(
            pattern(r#"cannot read timestamp "yes\"terday"; accepted: RFC 3339"#),
            r#"cannot read timestamp "…"; accepted: RFC 3339"#
        );
        assert_eq!(
            pattern(r#"type "mmmm…" (1048576 bytes) is unknown"#),
            r#"type "…" is unknown"#
        );
        assert_eq!(
            pattern("the quote opened on line 12 is never closed; lines 13-20 read again"),
            "the quote opened on line … is never closed; lines … read again"
        );
        assert_eq!(
            pattern("no EUR rate card in force on 2026-02-01 (earliest card: 2026-04-01)"),
            "no EUR rate card in force on … (earliest card: …)"
        );
        // Counts that say what is wrong stay.
        assert_eq!(
            pattern("phone number has 5 digits; E.164 numbers have 7 to 15 digits"),
            "phone number has 5 digits; E.164 numbers have 7 to 15 digits"
        );
    }

    #[test]
    fn identical_rejections_are_one_group_with_their_count() {
        let mut rows: Vec<Rejected> = (2..5934)
            .map(|l| row(l, &format!("cannot read timestamp \"x{l}\"")))
            .collect();
        rows.insert(3, row(5, "empty phone number"));
        let g = group(&rows);
        assert_eq!(g.len(), 2);
        assert_eq!((g[0].count, g[1].count), (5932, 1));
        assert_eq!(g[0].reason, "cannot read timestamp \"…\"");
        assert_eq!(g[0].example, "cannot read timestamp \"x2\"");
        assert_eq!(g[0].first_lines.len(), FIRST_LINES);
        assert_eq!(g[0].first_lines[0], "log.csv:2");
        assert_eq!(
            g[0].others(),
            "log.csv:3, log.csv:4, log.csv:5, log.csv:6, … (5927 more)"
        );
        assert_eq!(g[1].others(), "");
    }
}
