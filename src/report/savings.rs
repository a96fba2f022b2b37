//! `estimate --savings`: the savings the engine found
//! ([`crate::engine::savings`]), one row per kind with the rule behind it,
//! rendered through the one column spec.

use std::io::{self, Write};

use rust_decimal::Decimal;
use serde_json::json;

use super::columns::{Column, Row, Show, Value};
use super::render;
use crate::engine::savings::{Found, Kind};
use crate::ingest::Inputs;
use crate::model::money;

/// One kind of saving as printed.
#[derive(Debug, Clone)]
pub struct SavingLine {
    pub kind: Kind,
    pub found: Found,
    /// `file:line` of its first messages.
    pub first: Vec<String>,
}

/// The savings of a run.
#[derive(Debug, Clone)]
pub struct SavingsReport {
    pub currency: String,
    pub lines: Vec<SavingLine>,
}

/// Meta's rule behind a kind, and what the business could do.
pub fn rule(kind: Kind) -> &'static str {
    match kind {
        Kind::UtilityInWindow => "Since 2026-10-01 utility templates are charged inside the customer service window, and a non-template reply costs the service rate unless the number's monthly allowance of 1,000 free service messages has room (Meta, Pricing for non-template messages): a free-form reply could do, free while the allowance lasts",
        Kind::MarketingAfterWindow => "A marketing template is charged at the marketing rate; inside the 24-hour customer service window a free-form message costs the service rate (Meta, Pricing): these were sent less than 24 hours after the window closed, so the same words sent a little earlier would have cost the service rate",
        Kind::CategoryChanged => "Meta charges a template at the category it assigns, and may change a utility template to marketing when its content is promotional (Meta, Template categorization): these templates were charged as utility elsewhere in the log and as marketing here; keeping them to utility content saves the difference",
        Kind::ServiceBeyondAllowance => "Each business number has 1,000 free service messages a month from 2026-10-01; beyond them service messages are charged at the market's utility rate (Meta, Pricing for non-template messages): what they cost",
        Kind::MissedEntryPoint => "A reply within 24 hours to a message from a click-to-WhatsApp ad or a Page button opens a 72-hour free entry point window in which every message is free (Meta, Pricing, free entry point): the first reply came later, so these charges fell in the window a timely reply would have opened",
    }
}

impl SavingsReport {
    pub fn new(found: Vec<(Kind, Found)>, inputs: &Inputs, currency: &str) -> SavingsReport {
        let lines = found
            .into_iter()
            .map(|(kind, found)| SavingLine {
                first: found
                    .first
                    .iter()
                    .map(|(file, line)| {
                        format!(
                            "{}:{line}",
                            inputs
                                .files
                                .get(usize::from(*file))
                                .map_or("-", String::as_str)
                        )
                    })
                    .collect(),
                kind,
                found,
            })
            .collect();
        SavingsReport {
            currency: currency.to_string(),
            lines,
        }
    }

    /// The whole amount the kinds could save (each message counts once).
    pub fn total(&self) -> Decimal {
        self.lines.iter().map(|l| l.found.amount).sum()
    }

    pub fn columns(&self) -> Vec<Column> {
        vec![
            Column::text("kind"),
            Column::number("messages"),
            Column::number("charged").header(format!("charged ({})", self.currency)),
            Column::number("could_save").header(format!("could save ({})", self.currency)),
            Column::text("first_lines").only(Show::DATA),
            Column::text("rule").only(Show::DATA),
        ]
    }

    pub fn rows(&self) -> Vec<Row> {
        self.lines
            .iter()
            .map(|l| {
                vec![
                    l.kind.code().into(),
                    l.found.messages.into(),
                    Value::Money(l.found.charged),
                    Value::Money(l.found.amount),
                    l.first.join(" ").into(),
                    rule(l.kind).into(),
                ]
            })
            .collect()
    }

    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "currency": self.currency,
            "total": money::fmt(self.total()),
            "kinds": render::json_array(&self.columns(), &self.rows()),
        })
    }

    /// The table, its total, and each kind's rule as a numbered note.
    pub fn render_table(&self, w: &mut dyn Write) -> io::Result<()> {
        writeln!(w, "Where the money can be saved (--savings):")?;
        writeln!(
            w,
            "{}",
            render::table_of(&self.columns(), &self.rows(), true)
        )?;
        writeln!(
            w,
            "Could save {} {} in all (each message counts under one kind at most)",
            money::fmt(self.total()),
            self.currency
        )?;
        for l in self.lines.iter().filter(|l| l.found.messages > 0) {
            writeln!(
                w,
                "- {}: {} (first: {})",
                l.kind.code(),
                rule(l.kind),
                l.first.join(", ")
            )?;
        }
        Ok(())
    }

    pub fn render_csv(&self, w: &mut dyn Write) -> io::Result<()> {
        render::csv(w, &self.columns(), &self.rows())
    }
}
