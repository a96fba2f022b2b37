//! `wacost reconcile`: lines with both figures and their finding, and the
//! messages whose own webhook pricing disagrees.

use std::io::{self, Write};

use serde_json::json;

use super::columns::{Column, Empty, Row, Show, Value};
use super::{render, Format};
use crate::engine::reconcile::charges::ChargeFinding;
use crate::engine::reconcile::{Finding, Line, MessageFinding, Reconciliation};
use crate::model::money;

/// Lines (all formats) and, in CSV, the messages too (`kind` tells them apart).
pub(super) fn line_columns() -> Vec<Column> {
    vec![
        Column::text("kind").only(Show::CSV),
        Column::text("month"),
        Column::text("market"),
        Column::text("category"),
        Column::text("pricing_type").empty(Empty::Omit).optional(3),
        Column::number("ours_volume").header("ours").optional(2),
        Column::number("ours_cost").header("ours cost"),
        Column::number("theirs_volume").header("theirs").optional(2),
        Column::number("theirs_cost").header("theirs cost"),
        Column::number("difference"),
        Column::number("percent").header("%").optional(1),
        Column::text("finding"),
        Column::text("id").only(Show::CSV),
        Column::text("contact").only(Show::CSV),
        Column::text("rule").only(Show::CSV),
        Column::number("ours_inferred").only(Show::DATA),
    ]
}

pub(super) fn line_row(l: &Line) -> Row {
    vec![
        "line".into(),
        l.month.clone().into(),
        l.market.clone().into(),
        l.category.clone().into(),
        l.pricing_type.clone().into(),
        l.ours_volume.into(),
        l.ours_cost.into(),
        l.theirs_volume.into(),
        l.theirs_cost.into(),
        l.difference.into(),
        l.percent.clone().into(),
        l.finding.as_str().into(),
        "".into(),
        "".into(),
        "".into(),
        l.ours_inferred.into(),
    ]
}

/// A message as a CSV row of the line spec.
fn message_as_line(m: &MessageFinding) -> Row {
    let mut r: Row = vec![Value::from(""); 16];
    r[0] = "message".into();
    r[1] = m.timestamp.clone().into();
    r[3] = m.category.clone().into();
    r[4] = format!("{} vs {}", m.ours_pricing_type, m.theirs_pricing_type).into();
    r[11] = m.code.into();
    r[12] = m.id.clone().into();
    r[13] = m.contact.clone().into();
    r[14] = m.rule.clone().into();
    r
}

/// A charge finding as a CSV row of the line spec: ours is the card,
/// theirs the log's charge.
fn charge_as_line(c: &ChargeFinding) -> Row {
    let mut r: Row = vec![Value::from(""); 16];
    r[0] = "charge".into();
    r[1] = c.timestamp.clone().into();
    r[3] = c.category.clone().into();
    r[6] = c.card_cost.into();
    r[8] = c.charged.into();
    r[9] = (c.charged - c.card_cost).into();
    r[11] = c.code.as_str().into();
    r[12] = c.id.clone().into();
    r[13] = c.contact.clone().into();
    r[14] = max_price_text(c).into();
    r
}

fn max_price_text(c: &ChargeFinding) -> String {
    c.max_price
        .map_or_else(String::new, |m| format!("max price {}", money::fmt(m)))
}

/// Where a message of the log is and what it was: the first columns of
/// the charge and message findings.
fn message_place_columns() -> Vec<Column> {
    let both = Show::TABLE.and(Show::JSON);
    vec![
        Column::text("file").only(Show::JSON),
        Column::text("line").only(both),
        Column::text("id").only(both),
        Column::text("contact").only(both),
        Column::text("timestamp").header("time").only(both),
        Column::text("category").only(both),
    ]
}

/// Charges in the table and JSON.
fn charge_columns() -> Vec<Column> {
    let both = Show::TABLE.and(Show::JSON);
    let mut cols = message_place_columns();
    cols.extend([
        Column::number("card_cost").header("card").only(both),
        Column::number("charged").only(both),
        Column::number("max_price")
            .header("max price")
            .empty(Empty::Null)
            .only(both),
        Column::text("code").header("finding").only(both),
    ]);
    cols
}

fn charge_row(c: &ChargeFinding) -> Row {
    vec![
        c.file.clone().into(),
        c.line.into(),
        c.id.clone().into(),
        c.contact.clone().into(),
        c.timestamp.clone().into(),
        c.category.clone().into(),
        c.card_cost.into(),
        c.charged.into(),
        c.max_price.map_or_else(|| Value::from(""), Value::Money),
        c.code.as_str().into(),
    ]
}

/// Messages in the table and JSON.
pub(super) fn message_columns() -> Vec<Column> {
    let both = Show::TABLE.and(Show::JSON);
    let mut cols = message_place_columns();
    cols.extend([
        Column::text("ours_pricing_type").header("ours").only(both),
        Column::text("theirs_pricing_type")
            .header("Meta")
            .only(both),
        Column::text("ours_billable").only(Show::JSON),
        Column::text("theirs_billable").only(Show::JSON),
        Column::text("rule")
            .header("rule wacost applied")
            .only(both),
        Column::text("code").only(Show::JSON),
    ]);
    cols
}

pub(super) fn message_row(m: &MessageFinding) -> Row {
    vec![
        m.file.clone().into(),
        m.line.into(),
        m.id.clone().into(),
        m.contact.clone().into(),
        m.timestamp.clone().into(),
        m.category.clone().into(),
        m.ours_pricing_type.clone().into(),
        m.theirs_pricing_type.clone().into(),
        m.ours_billable.into(),
        Value::MaybeBool(m.theirs_billable),
        m.rule.clone().into(),
        m.code.into(),
    ]
}

pub fn render(
    r: &Reconciliation,
    format: Format,
    locale: super::locale::Locale,
    w: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Json => render::write_json(w, &to_json(r)),
        Format::Csv | Format::Parquet | Format::Xlsx => {
            let rows = r.lines.iter().map(line_row);
            let rows = rows.chain(r.messages.iter().map(message_as_line));
            let rows: Vec<Row> = rows.chain(r.charges.iter().map(charge_as_line)).collect();
            match format {
                Format::Csv => render::csv_in(w, &line_columns(), &rows, &r.currency),
                Format::Xlsx => {
                    super::xlsx::write_one(w, "Reconciliation", &line_columns(), &rows, &r.currency)
                }
                _ => super::parquet::write(w, &line_columns(), &rows),
            }
        }
        Format::Table => render_table(r, w),
        Format::Html => super::html::reconcile::write(r, locale, w),
    }
}

fn to_json(r: &Reconciliation) -> serde_json::Value {
    let lines: Vec<Row> = r.lines.iter().map(line_row).collect();
    let messages: Vec<Row> = r.messages.iter().map(message_row).collect();
    let mut v = json!({
        "currency": r.currency, "tz": r.tz, "tolerance": money::fmt(r.tolerance),
        "summary": {
            "lines": r.lines.len(),
            "matched": r.count(Finding::Matched),
            "only_ours": r.count(Finding::OnlyOurs),
            "only_theirs": r.count(Finding::OnlyTheirs),
            "volume_differs": r.count(Finding::VolumeDiffers),
            "cost_differs": r.count(Finding::CostDiffers),
            "messages_compared": r.compared_messages,
            "message_differences": r.messages.len(),
        },
        "total_ours": money::fmt(r.total_ours),
        "total_theirs": money::fmt(r.total_theirs),
        "difference": money::fmt(r.difference()),
        "rounding_residual": money::fmt(r.residual),
        "lines": render::json_array(&line_columns(), &lines),
        "messages": render::json_array(&message_columns(), &messages),
        "warnings": r.warnings,
    });
    if r.compared_charges > 0 {
        add_charges(r, &mut v);
    }
    v
}

/// The charge findings, in a log that carries charged prices (issue 14).
fn add_charges(r: &Reconciliation, v: &mut serde_json::Value) {
    let charges: Vec<Row> = r.charges.iter().map(charge_row).collect();
    let differ = r.charges.iter().filter(|c| c.code.is_difference()).count();
    v["summary"]["charges_compared"] = r.compared_charges.into();
    v["summary"]["charge_differences"] = differ.into();
    v["charges"] = render::json_array(&charge_columns(), &charges);
}

fn render_table(r: &Reconciliation, w: &mut dyn Write) -> io::Result<()> {
    if !r.lines.is_empty() {
        let rows: Vec<Row> = r.lines.iter().map(line_row).collect();
        writeln!(w, "{}", render::table_of(&line_columns(), &rows, false))?;
        write_line_totals(r, w)?;
    }
    write_charges(r, w)?;
    if r.compared_messages == 0 {
        return Ok(());
    }
    writeln!(
        w,
        "Messages with Meta's own pricing object: {} compared, {} differ",
        r.compared_messages,
        r.messages.len()
    )?;
    if !r.messages.is_empty() {
        let rows: Vec<Row> = r.messages.iter().map(message_row).collect();
        writeln!(w, "{}", render::table_of(&message_columns(), &rows, false))?;
    }
    Ok(())
}

/// The log's charged prices against the card, when the log has any.
fn write_charges(r: &Reconciliation, w: &mut dyn Write) -> io::Result<()> {
    if r.compared_charges == 0 {
        return Ok(());
    }
    let differ = r.charges.iter().filter(|c| c.code.is_difference()).count();
    writeln!(
        w,
        "Charged prices in the log: {} compared with the card, {} not at the card rate, {differ} above what Meta allows (a max-price message is charged \"that max price or lower\")",
        r.compared_charges,
        r.charges.len()
    )?;
    if !r.charges.is_empty() {
        let rows: Vec<Row> = r.charges.iter().map(charge_row).collect();
        writeln!(w, "{}", render::table_of(&charge_columns(), &rows, false))?;
    }
    Ok(())
}

pub(super) fn write_line_totals(r: &Reconciliation, w: &mut dyn Write) -> io::Result<()> {
    let cur = &r.currency;
    writeln!(w, "Ours {} {cur}, Meta {} {cur}, difference {}; rounding residual on matched lines {} (tolerance {} per line)", money::fmt(r.total_ours), money::fmt(r.total_theirs), money::fmt(r.difference()), money::fmt(r.residual), money::fmt(r.tolerance))?;
    writeln!(
        w,
        "{} lines: {} matched, {} only ours, {} only theirs, {} volume differs, {} cost differs",
        r.lines.len(),
        r.count(Finding::Matched),
        r.count(Finding::OnlyOurs),
        r.count(Finding::OnlyTheirs),
        r.count(Finding::VolumeDiffers),
        r.count(Finding::CostDiffers)
    )?;
    write_inferred_lines(r, w)
}

/// Names the lines whose cost rests on inferred rate cells: there a
/// difference may be the rate's, not the rules'.
fn write_inferred_lines(r: &Reconciliation, w: &mut dyn Write) -> io::Result<()> {
    let lines: Vec<String> = r
        .lines
        .iter()
        .filter(|l| l.ours_inferred > 0)
        .map(|l| format!("{} {} {}", l.month, l.market, l.category))
        .collect();
    if lines.is_empty() {
        return Ok(());
    }
    writeln!(
        w,
        "Priced with inferred rates (a difference there may be the rate's): {}",
        lines.join("; ")
    )
}
