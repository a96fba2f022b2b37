//! `--format html`: one self-contained page a person opens in a browser
//! (inline CSS and SVG, nothing fetched) with the charts of a report and
//! the tables behind them. Tables come from the same column spec as the
//! other formats ([`super::columns`]); charts read the report's own JSON
//! lines, so what is drawn is what `--format json` says.

pub mod estimate;
pub mod forecast;
pub mod labels;
pub mod reconcile;
pub mod svg;

use std::fmt::Write as _;
use std::io::{self, Write};

use rust_decimal::Decimal;
use serde_json::Value as Json;

use super::columns::{Align, Column, Row, Show, Value};
use super::locale::Locale;
use labels::PageLocale;

/// Text made safe for HTML content and attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;max-width:1040px;padding:24px;color:#1d1d1f}\
h1{font-size:26px;margin:0}h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}\
.sub{color:#555;margin:4px 0 16px}.figures{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}\
.figure{border:1px solid #ddd;border-radius:8px;padding:10px 14px;min-width:130px}.figure b{display:block;font-size:20px}\
.figure span{color:#555;font-size:13px}table{border-collapse:collapse;width:100%;font-size:13px}\
th,td{border-bottom:1px solid #e5e5e5;padding:4px 8px;text-align:left}th{background:#f5f5f7;position:sticky;top:0}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}tr.total td{font-weight:600;border-top:2px solid #999}\
tr.flag td{background:#fff4e5}.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:14px;font-size:13px}\
.legend span{display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:-1px}\
svg text{font-size:12px;fill:#333}svg .grid{stroke:#e5e5e5}pre{white-space:pre-wrap;font-size:13px;background:#f5f5f7;padding:10px}\
@media print{h2{break-after:avoid}svg{break-inside:avoid}}";

/// A report page under construction.
pub struct Page {
    pub locale: Locale,
    title: String,
    body: String,
}

impl Page {
    /// A page titled in the reader's language, with a line under the title.
    pub fn new(locale: Locale, title: &str, sub: &str) -> Page {
        let title = format!(
            "{} · {}",
            locale.text(title),
            locale.text("WhatsApp Business Platform cost")
        );
        let body = format!(
            "<h1>{}</h1><p class=\"sub\">{}</p>",
            escape(&title),
            escape(sub)
        );
        Page {
            locale,
            title,
            body,
        }
    }

    /// The headline figures: a label and its value each.
    pub fn figures(&mut self, items: &[(&str, String)]) {
        self.body.push_str(r#"<div class="figures">"#);
        for (label, value) in items {
            let _ = write!(
                self.body,
                r#"<div class="figure"><b>{}</b><span>{}</span></div>"#,
                escape(value),
                escape(self.locale.text(label))
            );
        }
        self.body.push_str("</div>");
    }

    /// A titled section holding ready HTML (a chart).
    pub fn section(&mut self, heading: &str, html: &str) {
        let _ = write!(
            self.body,
            "<h2>{}</h2>{html}",
            escape(self.locale.text(heading))
        );
    }

    /// A table of a column spec's table columns, an optional total row, and
    /// rows `flag` marks (a finding to look at) highlighted.
    pub fn table(
        &mut self,
        heading: &str,
        cols: &[Column],
        rows: &[Row],
        total: Option<&Row>,
        flag: &dyn Fn(&Row) -> bool,
    ) {
        let _ = write!(
            self.body,
            "<h2>{}</h2><table><thead><tr>",
            escape(self.locale.text(heading))
        );
        for c in cols.iter().filter(|c| c.show.has(Show::TABLE)) {
            let _ = write!(
                self.body,
                "<th{}>{}</th>",
                class(c),
                escape(&self.header(c))
            );
        }
        self.body.push_str("</tr></thead><tbody>");
        for r in rows {
            self.row(cols, r, if flag(r) { " class=\"flag\"" } else { "" });
        }
        if let Some(t) = total {
            self.row(cols, t, " class=\"total\"");
        }
        self.body.push_str("</tbody></table>");
    }

    /// A column's header: its key in the reader's language when the label
    /// table has it, else the spec's own header.
    fn header(&self, c: &Column) -> String {
        let t = self.locale.text(c.key);
        if self.locale == Locale::En || t == c.key {
            c.header.to_string()
        } else {
            t.to_string()
        }
    }

    fn row(&mut self, cols: &[Column], r: &Row, attr: &str) {
        let _ = write!(self.body, "<tr{attr}>");
        for (i, c) in cols
            .iter()
            .enumerate()
            .filter(|(_, c)| c.show.has(Show::TABLE))
        {
            let _ = write!(
                self.body,
                "<td{}>{}</td>",
                class(c),
                escape(&self.cell(&r[i]))
            );
        }
        self.body.push_str("</tr>");
    }

    /// A cell as the reader writes numbers.
    fn cell(&self, v: &Value) -> String {
        match v {
            Value::Count(n) => self.locale.count(*n),
            Value::Money(d) => self.locale.amount(*d),
            v => v.text().into_owned(),
        }
    }

    /// Lines of text (the table output's footer), kept as written.
    pub fn notes(&mut self, text: &str) {
        self.notes_titled("Notes", text);
    }

    /// Lines of text under their own heading.
    pub fn notes_titled(&mut self, heading: &str, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        let _ = write!(
            self.body,
            "<h2>{}</h2><pre>{}</pre>",
            escape(self.locale.text(heading)),
            escape(text.trim_end())
        );
    }

    /// The whole document.
    pub fn write(self, w: &mut dyn Write) -> io::Result<()> {
        write!(
            w,
            "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{STYLE}</style></head><body>{}</body></html>\n",
            self.locale.tag(),
            escape(&self.title),
            self.body
        )
    }
}

fn class(c: &Column) -> &'static str {
    match c.align {
        Align::Right => " class=\"n\"",
        Align::Left => "",
    }
}

/// A money field of a JSON line (`"12.3400"`); `None` for `unpriced`.
pub fn amount(line: &Json, key: &str) -> Option<Decimal> {
    line.get(key)?.as_str()?.parse().ok()
}

/// The `lines` of a report's JSON summed into a grid: `x` by `series`,
/// adding `value`. `None` when the lines lack `x` or `series` (a summary
/// grouped by other dimensions).
pub fn grid(lines: &[Json], x: &str, series: &str, value: &str) -> Option<svg::Grid> {
    let mut g = svg::Grid::default();
    for l in lines {
        let (xv, sv) = (l.get(x)?.as_str()?, l.get(series)?.as_str()?);
        let xi = index_of(&mut g.xs, xv);
        let si = index_of(&mut g.series, sv);
        g.values.resize_with(g.xs.len(), Vec::new);
        let row = &mut g.values[xi];
        if row.len() <= si {
            row.resize(si + 1, Decimal::ZERO);
        }
        row[si] += amount(l, value).unwrap_or_default();
    }
    let n = g.series.len();
    g.values.iter_mut().for_each(|r| r.resize(n, Decimal::ZERO));
    Some(g)
}

fn index_of(names: &mut Vec<String>, name: &str) -> usize {
    names.iter().position(|n| n == name).unwrap_or_else(|| {
        names.push(name.to_string());
        names.len() - 1
    })
}

/// The lines' `value` summed by `key`, largest first, the tail past
/// `keep` items summed as "others".
pub fn ranked(
    lines: &[Json],
    key: &str,
    value: &str,
    keep: usize,
    others: &str,
) -> Vec<(String, Decimal)> {
    let (mut names, mut totals) = (Vec::new(), Vec::new());
    for l in lines {
        let Some(k) = l.get(key).and_then(Json::as_str) else {
            continue;
        };
        let i = index_of(&mut names, k);
        totals.resize(names.len(), Decimal::ZERO);
        totals[i] += amount(l, value).unwrap_or_default();
    }
    let mut sums: Vec<(String, Decimal)> = names.into_iter().zip(totals).collect();
    sums.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    if sums.len() > keep + 1 {
        let rest: Decimal = sums.drain(keep..).map(|s| s.1).sum();
        sums.push((others.to_string(), rest));
    }
    sums
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;
    use serde_json::json;

    #[test]
    fn grids_and_ranks_sum_exactly() {
        let lines = vec![
            json!({"month": "2026-09", "category": "marketing", "market": "Brazil", "cost": "0.0625"}),
            json!({"month": "2026-09", "category": "marketing", "market": "India", "cost": "0.0107"}),
            json!({"month": "2026-10", "category": "utility", "market": "Brazil", "cost": "unpriced"}),
        ];
        let g = grid(&lines, "month", "category", "cost").unwrap();
        assert_eq!(g.xs, ["2026-09", "2026-10"]);
        assert_eq!(
            g.values,
            vec![vec![dec!(0.0732), dec!(0)], vec![dec!(0), dec!(0)]]
        );
        let later_first = [lines[2].clone(), lines[0].clone(), lines[2].clone()];
        let g = grid(&later_first, "month", "category", "cost").unwrap();
        assert_eq!(g.series, ["utility", "marketing"]);
        assert_eq!(
            g.values,
            vec![vec![dec!(0), dec!(0)], vec![dec!(0), dec!(0.0625)]]
        );
        assert!(grid(&lines, "month", "waba", "cost").is_none());
        let r = ranked(&lines, "market", "cost", 1, "others");
        assert_eq!(
            r,
            vec![
                ("Brazil".into(), dec!(0.0625)),
                ("India".into(), dec!(0.0107))
            ]
        );
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
