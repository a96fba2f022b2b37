//! The forecast's page: the totals, cost by month and category, the
//! what-if months side by side, cost by market, the lines and notes.

use std::io::{self, Write};

use rust_decimal::Decimal;
use serde_json::Value as Json;

use super::labels::PageLocale;
use super::svg::{self, Grid, Layout};
use super::{amount, grid, ranked, Page};
use crate::report::forecast::ForecastReport;

/// Writes the page of a forecast.
pub fn write(f: &ForecastReport<'_>, w: &mut dyn Write) -> io::Result<()> {
    let locale = f.locale;
    let doc = f.to_json();
    let sub = format!(
        "{}: {} · {}: {}",
        locale.text("Time zone"),
        f.tz,
        locale.text("Currency"),
        f.currency
    );
    let mut page = Page::new(locale, "Forecast", &sub);
    page.figures(&figures(f, &doc));
    let lines = doc["lines"].as_array().cloned().unwrap_or_default();
    let money_label = |d: Decimal| locale.money_short(d, f.currency);
    if let Some(g) = grid(&lines, "month", "category", "cost") {
        let title = locale.text("Cost by month and category");
        page.section(
            title,
            &svg::columns(&g, Layout::Stacked, &money_label, title),
        );
    }
    if let Some((d, _)) = f.what_if {
        let title = format!("{} {d}", locale.text("Under the rules of"));
        let g = what_if(&lines, f, &title);
        page.section(
            &title,
            &svg::columns(&g, Layout::Grouped, &money_label, &title),
        );
    }
    let markets = ranked(&lines, "market", "cost", 12, locale.text("others"));
    if !markets.is_empty() {
        let title = locale.text("Cost by market");
        page.section(title, &svg::bars(&markets, &money_label, title));
    }
    page.table("Lines", &f.columns(), &f.rows(), None, &|_| false);
    let mut notes = Vec::new();
    f.write_footer(&mut notes)?;
    page.notes(&String::from_utf8_lossy(&notes));
    page.write(w)
}

fn figures(f: &ForecastReport<'_>, doc: &Json) -> Vec<(&'static str, String)> {
    let (locale, cur) = (f.locale, f.currency);
    let money = |key: &str| {
        amount(doc, key).map_or_else(|| "unpriced".into(), |d| locale.money_exact(d, cur))
    };
    let mut out = vec![("Total", money("total"))];
    if f.fees {
        out.push(("With fees", money("total_with_fees")));
    }
    if let Some((_, other)) = f.what_if {
        let extra = f.base.total - other.total;
        let sign = if extra > Decimal::ZERO { "+" } else { "" };
        out.push((
            "Extra cost of the change",
            format!("{sign}{}", locale.money_exact(extra, cur)),
        ));
    }
    let complete = doc["complete"].as_bool().unwrap_or(false);
    out.push((
        "Complete",
        locale.text(if complete { "yes" } else { "no" }).to_string(),
    ));
    out
}

/// Each month's cost under the plan's dates and under the what-if date.
fn what_if(lines: &[Json], f: &ForecastReport<'_>, other: &str) -> Grid {
    let cost = grid(lines, "month", "month", "cost").unwrap_or_default();
    let as_of = grid(lines, "month", "month", "cost_as_of").unwrap_or_default();
    let values = cost
        .values
        .iter()
        .zip(&as_of.values)
        .map(|(a, b)| vec![a.iter().copied().sum(), b.iter().copied().sum()])
        .collect();
    Grid {
        xs: cost.xs,
        series: vec![f.locale.text("Planned").to_string(), other.to_string()],
        values,
    }
}
