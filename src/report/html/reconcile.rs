//! The reconciliation's page: ours against Meta's, by month, the findings
//! (lines that differ highlighted) and the messages that differ.

use std::io::{self, Write};

use rust_decimal::Decimal;
use serde_json::Value as Json;

use super::labels::PageLocale;
use super::svg::{self, Grid, Layout};
use super::{grid, Page};
use crate::engine::reconcile::{Finding, Reconciliation};
use crate::report::columns::{Row, Value};
use crate::report::locale::Locale;
use crate::report::reconcile as table;

/// Writes the page of a reconciliation.
pub fn write(r: &Reconciliation, locale: Locale, w: &mut dyn Write) -> io::Result<()> {
    let sub = format!(
        "{}: {} · {}: {}",
        locale.text("Time zone"),
        r.tz,
        locale.text("Currency"),
        r.currency
    );
    let mut page = Page::new(locale, "Reconciliation", &sub);
    page.figures(&figures(r, locale));
    let lines: Vec<Row> = r.lines.iter().map(table::line_row).collect();
    let doc = crate::report::render::json_array(&table::line_columns(), &lines);
    let json_lines = doc.as_array().cloned().unwrap_or_default();
    let money_label = |d: Decimal| locale.money_short(d, &r.currency);
    let title = locale.text("Ours and Meta's by month");
    let g = ours_and_theirs(&json_lines, locale);
    if !g.xs.is_empty() {
        page.section(
            title,
            &svg::columns(&g, Layout::Grouped, &money_label, title),
        );
    }
    let matched = Value::from(Finding::Matched.as_str());
    let finding = table::line_columns()
        .iter()
        .position(|c| c.key == "finding");
    let flag = |row: &Row| finding.is_some_and(|i| row[i] != matched);
    page.table("Findings", &table::line_columns(), &lines, None, &flag);
    if !r.messages.is_empty() {
        let rows: Vec<Row> = r.messages.iter().map(table::message_row).collect();
        page.table(
            "Messages that differ",
            &table::message_columns(),
            &rows,
            None,
            &|_| true,
        );
    }
    let mut notes = Vec::new();
    table::write_line_totals(r, &mut notes)?;
    for warning in &r.warnings {
        notes.extend_from_slice(format!("{warning}\n").as_bytes());
    }
    page.notes(&String::from_utf8_lossy(&notes));
    page.write(w)
}

fn figures(r: &Reconciliation, locale: Locale) -> Vec<(&'static str, String)> {
    let cur = &r.currency;
    let to_look_at = r.lines.len() - r.count(Finding::Matched);
    vec![
        ("Ours", locale.money_exact(r.total_ours, cur)),
        ("Meta", locale.money_exact(r.total_theirs, cur)),
        ("Difference", locale.money_exact(r.difference(), cur)),
        ("Lines", locale.count(r.lines.len() as u64)),
        ("Findings", locale.count(to_look_at as u64)),
    ]
}

/// Each month's cost, ours and Meta's, side by side.
fn ours_and_theirs(lines: &[Json], locale: Locale) -> Grid {
    let ours = grid(lines, "month", "month", "ours_cost").unwrap_or_default();
    let theirs = grid(lines, "month", "month", "theirs_cost").unwrap_or_default();
    let values = ours
        .values
        .iter()
        .zip(&theirs.values)
        .map(|(a, b)| vec![a.iter().copied().sum(), b.iter().copied().sum()])
        .collect();
    Grid {
        xs: ours.xs,
        series: vec![
            locale.text("Ours").to_string(),
            locale.text("Meta").to_string(),
        ],
        values,
    }
}
