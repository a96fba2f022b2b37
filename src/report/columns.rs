//! Column specs: each output names its columns once (key, table header,
//! alignment, where it shows) and hands rows of typed values to
//! [`super::render`], which writes them as a table, CSV or JSON.

use std::borrow::Cow;

use rust_decimal::Decimal;

use crate::model::money;

/// Table cell alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// What a JSON object does with an empty text value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Empty {
    /// `""` stays a string.
    Keep,
    /// `""` is `null`.
    Null,
    /// `""` leaves the key out.
    Omit,
    /// `""` is `false`: a yes/no column of a row with no verdict.
    False,
}

/// The formats a column appears in (a column may be table-only, or data-only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Show(u8);

impl Show {
    pub const TABLE: Show = Show(1);
    pub const CSV: Show = Show(2);
    pub const JSON: Show = Show(4);
    /// CSV and JSON: the machine formats.
    pub const DATA: Show = Show(6);
    pub const ALL: Show = Show(7);

    /// Shown in both.
    pub const fn and(self, other: Show) -> Show {
        Show(self.0 | other.0)
    }

    pub fn has(self, other: Show) -> bool {
        self.0 & other.0 == other.0
    }
}

/// One column: its key (CSV header and JSON key), table header and looks.
#[derive(Debug, Clone)]
pub struct Column {
    pub key: &'static str,
    pub header: Cow<'static, str>,
    pub align: Align,
    pub empty: Empty,
    pub show: Show,
    /// A table narrower than its terminal leaves optional columns out,
    /// rank 1 first; 0: always shown.
    pub drop_rank: u8,
}

impl Column {
    /// A left-aligned column shown everywhere, headed by its key.
    pub fn text(key: &'static str) -> Column {
        Column {
            key,
            header: Cow::Borrowed(key),
            align: Align::Left,
            empty: Empty::Keep,
            show: Show::ALL,
            drop_rank: 0,
        }
    }

    /// A right-aligned (numeric) column shown everywhere.
    pub fn number(key: &'static str) -> Column {
        Column::text(key).right()
    }

    pub fn right(mut self) -> Column {
        self.align = Align::Right;
        self
    }

    pub fn header(mut self, h: impl Into<Cow<'static, str>>) -> Column {
        self.header = h.into();
        self
    }

    pub fn empty(mut self, e: Empty) -> Column {
        self.empty = e;
        self
    }

    pub fn only(mut self, s: Show) -> Column {
        self.show = s;
        self
    }

    /// Optional in a table: left out, rank 1 first, when the table is
    /// wider than the terminal.
    pub fn optional(mut self, rank: u8) -> Column {
        self.drop_rank = rank;
        self
    }

    /// The currency of a CSV row's money: the last column, so the columns
    /// before it keep their positions (JSON names it once, at the top).
    pub fn currency() -> Column {
        Column::text("currency").only(Show::CSV)
    }
}

/// A typed cell value: text renders as is, counts as numbers (JSON
/// numbers), money as a decimal string (never a float), booleans as
/// `true`/`false`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Count(u64),
    Money(Decimal),
    Bool(bool),
    MaybeBool(Option<bool>),
}

impl Value {
    /// The value as CSV and the table write it.
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Value::Text(s) => Cow::Borrowed(s),
            Value::Count(n) => Cow::Owned(n.to_string()),
            Value::Money(d) => Cow::Owned(money::fmt(*d)),
            Value::Bool(b) | Value::MaybeBool(Some(b)) => Cow::Borrowed(bool_str(*b)),
            Value::MaybeBool(None) => Cow::Borrowed(""),
        }
    }

    pub fn is_empty_text(&self) -> bool {
        matches!(self, Value::Text(s) if s.is_empty())
    }
}

fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(s)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_string())
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Value {
        Value::Count(n)
    }
}

impl From<Decimal> for Value {
    fn from(d: Decimal) -> Value {
        Value::Money(d)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

/// One row: a value per column of its spec, in the spec's order.
pub type Row = Vec<Value>;
