//! The estimate's page: headline figures, cost by month and category, by
//! market, free against billable, the summary table and its notes.

use std::io::{self, Write};

use rust_decimal::Decimal;

use super::labels::PageLocale;
use super::svg::{self, Layout};
use super::{grid, ranked, Page};
use crate::report::columns::Value;
use crate::report::locale::Locale;
use crate::report::savings::{rule, SavingsReport};
use crate::report::Summary;

/// Markets drawn by name; the rest are summed as "others".
const MARKETS_SHOWN: usize = 12;

/// Writes the page of an estimate summary.
pub fn write(s: &Summary, locale: Locale, w: &mut dyn Write) -> io::Result<()> {
    let mut page = Page::new(locale, "Estimate", &subtitle(s, locale));
    page.figures(&figures(s, locale));
    let doc = s.to_json();
    let lines = doc["lines"].as_array().cloned().unwrap_or_default();
    let money_label = |d: Decimal| locale.money_short(d, &s.currency);
    if let Some(g) = grid(&lines, "month", "category", "cost") {
        let title = locale.text("Cost by month and category");
        page.section(
            title,
            &svg::columns(&g, Layout::Stacked, &money_label, title),
        );
    }
    let markets = ranked(
        &lines,
        "market",
        "cost",
        MARKETS_SHOWN,
        locale.text("others"),
    );
    if !markets.is_empty() {
        let title = locale.text("Cost by market");
        page.section(title, &svg::bars(&markets, &money_label, title));
    }
    let title = locale.text("Free and billable messages");
    let count_label = |d: Decimal| locale.count(d.try_into().unwrap_or_default());
    page.section(title, &svg::bars(&outcomes(s, locale), &count_label, title));
    page.table(
        "Lines",
        &s.columns(),
        &s.rows(),
        Some(&s.total_row()),
        &|_| false,
    );
    if let Some(savings) = &s.savings {
        savings_section(&mut page, savings);
    }
    let mut notes = Vec::new();
    s.write_footer(&mut notes)?;
    page.notes(&String::from_utf8_lossy(&notes));
    page.write(w)
}

/// Where the money can be saved: the kinds with an amount, and the rule
/// behind each.
fn savings_section(page: &mut Page, savings: &SavingsReport) {
    let locale = page.locale;
    let rows = savings.rows();
    let heading = format!(
        "{}: {}",
        locale.text("Where the money can be saved"),
        locale.money_exact(savings.total(), &savings.currency)
    );
    page.table(&heading, &savings.columns(), &rows, None, &|r| {
        r[1] != Value::Count(0)
    });
    let rules: Vec<String> = savings
        .lines
        .iter()
        .filter(|l| l.found.messages > 0)
        .map(|l| {
            format!(
                "{}: {} ({})",
                l.kind.code(),
                rule(l.kind),
                l.first.join(", ")
            )
        })
        .collect();
    page.notes_titled("The rule behind each saving", &rules.join("\n"));
}

fn subtitle(s: &Summary, locale: Locale) -> String {
    format!(
        "{}: {} · {}: {}",
        locale.text("Time zone"),
        s.tz,
        locale.text("Currency"),
        s.currency
    )
}

fn figures(s: &Summary, locale: Locale) -> Vec<(&'static str, String)> {
    let c = &s.counts;
    let yes_no = if s.complete() { "yes" } else { "no" };
    vec![
        ("Total", locale.money_exact(s.total, &s.currency)),
        ("Invoice rounding", locale.money_minor(s.total, &s.currency)),
        ("Messages", locale.count(c.rows)),
        ("Billable", locale.count(c.billable)),
        ("Free", locale.count(c.free)),
        ("Rejected rows", locale.count(c.rejected)),
        ("Complete", locale.text(yes_no).to_string()),
    ]
}

/// Messages by how they ended, for the free-against-billable chart.
fn outcomes(s: &Summary, locale: Locale) -> Vec<(String, Decimal)> {
    let c = &s.counts;
    [
        ("Billable", c.billable),
        ("Free", c.free),
        ("Failed", c.failed),
        ("Undelivered", c.undelivered),
        ("Inbound", c.inbound),
    ]
    .into_iter()
    .map(|(k, n)| (locale.text(k).to_string(), Decimal::from(n)))
    .collect()
}
