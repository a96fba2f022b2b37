//! `--detail`: one row per message, streamed as it is priced (CSV, JSON
//! Lines, or a table printed at the end).

use std::io::{self, Write};

use rust_decimal::Decimal;

use super::columns::{Column, Empty, Row, Show, Value};
use super::render::RowStream;
use super::Format;
use crate::data::Pricing;
use crate::engine::{Outcome, Priced};
use crate::ingest::Inputs;
use crate::model::phone::Privacy;
use crate::model::{Direction, InboundKind, Message, Rejected};

/// Columns of `--detail` data (CSV and JSON), in order.
pub const DETAIL_COLUMNS: [&str; 23] = [
    "file",
    "line",
    "id",
    "timestamp",
    "direction",
    "contact",
    "country",
    "market",
    "market_source",
    "category",
    "template",
    "pricing_type",
    "billable",
    "tier",
    "rate",
    "cost",
    "card_cost",
    "charged",
    "cost_max",
    "confidence",
    "outcome",
    "rule",
    "reason",
];

/// Positions in a row (the data columns with the table's `dir` after
/// `direction`).
const COST: usize = 16;
const OUTCOME: usize = 21;
const RULE: usize = 22;
const REASON: usize = 23;
const ROW_LEN: usize = 24;

/// Columns a message has only when its log gives a charged or max price
/// (issue 14): left out of JSON otherwise.
const LOG_PRICE_COLUMNS: [&str; 3] = ["card_cost", "charged", "cost_max"];

/// Data columns the table shows too.
const IN_TABLE: [&str; 8] = [
    "line",
    "timestamp",
    "contact",
    "market",
    "category",
    "pricing_type",
    "tier",
    "cost",
];

/// The spec: the 23 data columns (empty text is `null` in JSON, and the
/// log price columns are left out), plus two
/// table-only ones: `dir` (after `direction`) and `rule` (the rule, or the
/// reason of a rejected row) at the end, and the CSV-only `currency` last.
pub fn columns() -> Vec<Column> {
    let mut cols = Vec::with_capacity(ROW_LEN + 1);
    for key in DETAIL_COLUMNS {
        let show = if IN_TABLE.contains(&key) {
            Show::ALL
        } else {
            Show::DATA
        };
        let empty = if key == "billable" {
            Empty::False
        } else if LOG_PRICE_COLUMNS.contains(&key) {
            Empty::Omit
        } else {
            Empty::Null
        };
        let rank = match key {
            "tier" => 1,
            "timestamp" => 3,
            "pricing_type" => 4,
            _ => 0,
        };
        cols.push(Column::text(key).empty(empty).only(show).optional(rank));
        if key == "direction" {
            cols.push(Column::text("dir").only(Show::TABLE).optional(2));
        }
    }
    cols.push(
        Column::text("rule_or_reason")
            .header("rule")
            .only(Show::TABLE),
    );
    cols.push(Column::currency());
    cols
}

/// Writes one detail row per message.
pub struct DetailWriter<'w> {
    cols: Vec<Column>,
    out: RowStream<'w>,
    privacy: Privacy,
    /// The run's currency, the CSV rows' last column.
    currency: String,
}

/// The parts of a detail row that depend on the message's verdict.
struct Verdict {
    category: &'static str,
    pricing_type: &'static str,
    rule: String,
}

impl<'w> DetailWriter<'w> {
    pub fn new(
        format: Format,
        w: &'w mut dyn Write,
        privacy: Privacy,
        currency: &str,
    ) -> io::Result<DetailWriter<'w>> {
        let cols = columns();
        let out = RowStream::new(format, &cols, w)?;
        let currency = currency.to_string();
        Ok(DetailWriter {
            cols,
            out,
            privacy,
            currency,
        })
    }

    pub fn message(
        &mut self,
        m: &Message,
        p: &Priced,
        pricing: &Pricing,
        inputs: &Inputs,
    ) -> io::Result<()> {
        let mut row = self.where_from(m, p, pricing, inputs);
        let mut v = verdict(m, p, pricing);
        if let Some(a) = m.local_assumption() {
            v.rule = format!("{}; {}", v.rule, a.explain());
        }
        if p.delivery_assumed {
            v.rule = format!("{}; {DELIVERY_ASSUMED}", v.rule);
        }
        if let Some(n) = p.price_note {
            v.rule = format!("{}; {}", v.rule, n.explain());
        }
        let billable = p.outcome == Outcome::Billable;
        row.extend([
            v.category.into(),
            inputs.templates.name(m.template_name).into(),
            v.pricing_type.into(),
            billable.into(),
            p.tier.label().into(),
            rate(billable, p.rate),
            Value::Money(p.cost),
        ]);
        row.extend(log_prices(p));
        row.extend([
            p.confidence.map_or("", |c| c.as_str()).into(),
            outcome(p.outcome).into(),
            Value::Text(v.rule),
            p.reject.clone().unwrap_or_default().into(),
        ]);
        self.write(row)
    }

    /// File, line, id, time, direction, contact, country and market.
    fn where_from(&self, m: &Message, p: &Priced, pricing: &Pricing, inputs: &Inputs) -> Row {
        let cc_len = p.resolved.map_or(2, |r| r.cc_len);
        let direction = if m.direction() == Direction::Inbound {
            "inbound"
        } else {
            "outbound"
        };
        let file = inputs.files.get(m.file as usize).cloned();
        let country = p.resolved.map(|r| r.country_str().to_string());
        let market = p.resolved.map_or("", |r| pricing.markets.name(r.market));
        let mut row = Vec::with_capacity(ROW_LEN + 1);
        row.extend([
            file.unwrap_or_default().into(),
            u64::from(m.line).into(),
            inputs.id_of(m).into(),
            inputs.zone_of(m).format(m.ts()).into(),
            direction.into(),
            direction[..3].into(),
            inputs
                .identities
                .render(m.contact(), &self.privacy, cc_len)
                .into(),
            country.unwrap_or_default().into(),
            market.into(),
            p.resolved.map_or("", |_| p.market_source.as_str()).into(),
        ]);
        row
    }

    /// A row merged into the message of an earlier row with the same id.
    pub fn status_update(
        &mut self,
        r: &crate::ingest::MergedRow,
        inputs: &Inputs,
    ) -> io::Result<()> {
        let mut row: Row = vec![Value::from(""); ROW_LEN];
        row[0] = inputs
            .files
            .get(usize::from(r.file))
            .cloned()
            .unwrap_or_default()
            .into();
        row[1] = u64::from(r.line).into();
        row[COST] = Value::Money(Decimal::ZERO);
        row[OUTCOME] = "status_update".into();
        row[RULE] = format!("status update of the message on line {}: one message, many rows, merged by message id (its furthest status decides)", r.into_line).into();
        self.write(row)
    }

    /// A row rejected by a reader (no message).
    pub fn rejected(&mut self, r: &Rejected) -> io::Result<()> {
        let mut row: Row = vec![Value::from(""); ROW_LEN];
        row[0] = r.file.clone().into();
        row[1] = r.line.into();
        row[COST] = Value::Money(Decimal::ZERO);
        row[OUTCOME] = "rejected".into();
        row[REASON] = match &r.field {
            Some(f) => format!("{f}: {}", r.reason),
            None => r.reason.clone(),
        }
        .into();
        self.write(row)
    }

    /// Adds the table's rule-or-reason cell and writes the row.
    fn write(&mut self, mut row: Row) -> io::Result<()> {
        let shown = if row[RULE].is_empty_text() {
            row[REASON].clone()
        } else {
            row[RULE].clone()
        };
        row.push(shown);
        row.push(Value::Text(self.currency.clone()));
        self.out.row(&self.cols, &row)
    }

    pub fn finish(self) -> io::Result<()> {
        self.out.finish()
    }
}

/// `card_cost`, `charged` and `cost_max`: empty unless the log gives a
/// price for the message.
fn log_prices(p: &Priced) -> [Value; 3] {
    let money = |d: Option<Decimal>| d.map_or_else(|| Value::from(""), Value::Money);
    let Some(lp) = p.log_price else {
        return [money(None), money(None), money(None)];
    };
    let billable = p.outcome == Outcome::Billable;
    [
        money(billable.then(|| p.card_cost())),
        money(lp.charged),
        money(p.cost_max),
    ]
}

fn rate(billable: bool, rate: Decimal) -> Value {
    if billable {
        Value::Money(rate)
    } else {
        Value::from("")
    }
}

fn outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Inbound => "inbound",
        Outcome::Billable => "billable",
        Outcome::Free => "free",
        Outcome::Failed => "failed",
        Outcome::Undelivered => "undelivered",
        Outcome::Rejected => "rejected",
    }
}

/// Category, pricing type and the rule that decided: the classifier's, or
/// for unclassified messages what the log says.
fn verdict(m: &Message, p: &Priced, pricing: &Pricing) -> Verdict {
    let era = p.era.map_or("", |i| pricing.rules.eras[i].id.as_str());
    match p.class {
        Some(c) => Verdict {
            category: if m.contact().is_group() {
                c.category.group_name()
            } else {
                c.category.as_str()
            },
            pricing_type: c.pricing_type.as_str(),
            rule: format!("{era}: {}", c.reason.explain(m.ts(), c.category)),
        },
        None => Verdict {
            category: unclassified_category(m),
            pricing_type: "",
            rule: unclassified_rule(m, p).to_string(),
        },
    }
}

fn unclassified_category(m: &Message) -> &'static str {
    if m.direction() == Direction::Inbound {
        ""
    } else {
        m.billed_category().as_str()
    }
}

/// Said of a message billed without a delivered status.
const DELIVERY_ASSUMED: &str =
    "delivery assumed: the log has no delivered status for it (Meta bills delivered messages)";

fn unclassified_rule(m: &Message, p: &Priced) -> &'static str {
    if p.opened_no_window {
        return match m.inbound_kind() {
            InboundKind::Reaction => {
                "reaction: opens no window (rule switch reactions-open-window)"
            }
            InboundKind::Call => "call: opens no window (rule switch calls-open-window)",
            _ => "system message: opens no window (rule switch system-messages-open-window)",
        };
    }
    match p.outcome {
        Outcome::Failed => "not delivered: never billed",
        Outcome::Undelivered => {
            "undelivered: no status reached delivered, so Meta does not bill it (\"You are only charged when a template message is delivered\")"
        }
        Outcome::Inbound if m.inbound_kind() == InboundKind::Call => {
            "customer call: opens the customer service window (\"when a WhatsApp user messages you or calls you\")"
        }
        Outcome::Inbound if m.entry_point() => {
            "customer message from an entry point: opens the customer service window"
        }
        Outcome::Inbound => "customer message: opens the customer service window",
        _ => "",
    }
}
