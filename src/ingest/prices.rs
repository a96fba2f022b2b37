//! The prices logs carry per message (issue 14: charged prices, max
//! prices), kept beside the messages: a [`Message`] has no room for them,
//! and most logs have none, so the table stays empty and unlocked.
//!
//! A streamed run reads on one thread and prices on the other: the reader
//! records prices in a list of its own and publishes them into the table
//! before handing their messages over ([`LogPrices::publish`], once per
//! chunk), so the two threads meet on the table's lock once per chunk, not
//! per message; the pricer takes the lock only once a price was published.

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rust_decimal::Decimal;

use crate::hash::IntMap;
use crate::ingest::toolkit::amount::{amount_core, decimal_evidence, parse_amount, DecimalMark};
use crate::model::currency::Code;
use crate::model::{LogPrice, Message};

/// The run's log prices, by [`key`]; cheap to clone (shared).
#[derive(Debug, Clone, Default)]
pub struct LogPrices(Arc<Table>);

#[derive(Debug, Default)]
struct Table {
    any: AtomicBool,
    prices: Mutex<IntMap<u64, LogPrice>>,
    /// Recorded by the reader, not yet published.
    pending: Mutex<Vec<(u64, LogPrice)>>,
}

/// Messages the pricer takes prices for at once (its prefetch group).
pub const GROUP: usize = 64;

/// Marks keys made of a position, not a message id.
const POSITION: u64 = 1 << 63;

/// The key of a message's prices: its id's fingerprint (rows of one id,
/// one message), else its file and line.
#[inline]
pub fn key(id_hash: u64, file: u16, line: u32) -> u64 {
    if id_hash != 0 {
        id_hash
    } else {
        POSITION | (u64::from(file) << 32) | u64::from(line)
    }
}

impl LogPrices {
    /// Whether any message has a price: the pricer's only cost otherwise.
    #[inline]
    pub fn any(&self) -> bool {
        self.0.any.load(Ordering::Acquire)
    }

    /// Records a message's prices, published by [`LogPrices::publish`].
    pub fn record(&self, key: u64, price: LogPrice) {
        if price.is_empty() {
            return;
        }
        let mut p = self.0.pending.lock().unwrap_or_else(|e| e.into_inner());
        p.push((key, price));
    }

    /// Makes the recorded prices the pricer's, each merged with an
    /// earlier row's of its message: call before handing their messages
    /// to the pricer.
    pub fn publish(&self) {
        let mut p = self.0.pending.lock().unwrap_or_else(|e| e.into_inner());
        if p.is_empty() {
            return;
        }
        let mut t = self.0.prices.lock().unwrap_or_else(|e| e.into_inner());
        for (key, price) in p.drain(..) {
            let merged = price.or(t.get(&key).copied().unwrap_or_default());
            t.insert(key, merged);
        }
        self.0.any.store(true, Ordering::Release);
    }

    /// The prices of a message, if its log gave any.
    pub fn of(&self, m: &Message) -> Option<LogPrice> {
        if !self.any() {
            return None;
        }
        let t = self.0.prices.lock().unwrap_or_else(|e| e.into_inner());
        t.get(&key(m.id_hash, m.file, m.line)).copied()
    }

    /// Takes the prices of a group of up to [`GROUP`] messages being
    /// priced, under one lock (`None`: no message has a price).
    pub fn take_group(&self, msgs: &[Message]) -> Option<Box<[Option<LogPrice>; GROUP]>> {
        if !self.any() {
            return None;
        }
        let mut out = Box::new([None; GROUP]);
        let mut t = self.0.prices.lock().unwrap_or_else(|e| e.into_inner());
        for (slot, m) in out.iter_mut().zip(msgs) {
            *slot = t.remove(&key(m.id_hash, m.file, m.line));
        }
        Some(out)
    }

    /// Takes the prices of a message being priced: each message is priced
    /// once, so the table holds only messages read and not yet priced (a
    /// streamed run's few thousand in flight, not the month).
    pub fn take(&self, m: &Message) -> Option<LogPrice> {
        if !self.any() {
            return None;
        }
        let mut t = self.0.prices.lock().unwrap_or_else(|e| e.into_inner());
        t.remove(&key(m.id_hash, m.file, m.line))
    }
}

/// A price cell: `0.0625`, `0,0625`, `US$ 0.0625`, `0.0625 USD`; empty is
/// none. Negative amounts are refused (a charge is never negative).
pub fn parse_price(cell: &str) -> Result<Cell, String> {
    let t = crate::text::trim(cell);
    if t.is_empty() {
        return Ok(None);
    }
    if let Ok(d) = Decimal::from_str(t) {
        return non_negative(d, t).map(|d| Some((d, None)));
    }
    let (core, _, _) = amount_core(t);
    let mark = decimal_evidence(&core).unwrap_or(DecimalMark::Dot);
    match parse_amount(t, mark) {
        Some((d, cur)) => non_negative(d, t).map(|d| Some((d, cur))),
        None => Err(format!(
            "{} is not an amount (accepted: {})",
            crate::model::redact::quote_field(t),
            mark.example()
        )),
    }
}

/// A charge is never negative; the cell is quoted masked, like any input.
fn non_negative(d: Decimal, cell: &str) -> Result<Decimal, String> {
    if d.is_sign_negative() && !d.is_zero() {
        let cell = crate::model::redact::quote_field(cell);
        return Err(format!("{cell} is negative: a charge is never negative"));
    }
    Ok(d)
}

/// A price read from a cell: the amount and the currency written with it.
pub type Cell = Option<(Decimal, Option<&'static str>)>;

/// A message's prices from its cells: the currency column's, else the one
/// written beside an amount.
pub fn log_price(charged: Cell, max: Cell, column: Option<Code>) -> LogPrice {
    let written = charged.and_then(|c| c.1).or(max.and_then(|c| c.1));
    LogPrice {
        charged: charged.map(|c| c.0),
        max: max.map(|c| c.0),
        currency: column.or(written.and_then(|c| Code::parse(c).ok())),
    }
}

/// A currency cell (`USD`, `usd`, `R$`); empty is none.
pub fn parse_currency(cell: &str) -> Result<Option<Code>, String> {
    let t = crate::text::trim(cell);
    if t.is_empty() {
        return Ok(None);
    }
    if crate::model::currency::is_code_shape(t) {
        // `USD`, `usd`: the common case, without the spellings' search.
        return Code::parse(t).map(Some);
    }
    let code = crate::model::currency::code_of(t).unwrap_or(t);
    Code::parse(code).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn price_cells_read_as_exports_write_them() {
        assert_eq!(parse_price("0.0625").unwrap(), Some((dec!(0.0625), None)));
        assert_eq!(parse_price(" ").unwrap(), None);
        assert_eq!(parse_price("0,0625").unwrap().unwrap().0, dec!(0.0625));
        assert_eq!(
            parse_price("US$ 0.05").unwrap(),
            Some((dec!(0.05), Some("USD")))
        );
        assert!(parse_price("-0.05").unwrap_err().contains("negative"));
        assert!(parse_price("abc").is_err());
        let e = parse_price("-5511987654321").unwrap_err();
        assert!(
            !e.contains("5511987654321"),
            "a number is never echoed: {e}"
        );
    }

    #[test]
    fn prices_are_found_by_id_or_position() {
        let t = LogPrices::default();
        let c = crate::model::E164::from_digits_value(5511987654321);
        let mut m = Message::new(1, 7, 0, crate::model::Direction::Outbound, c);
        assert!(!t.any() && t.of(&m).is_none());
        let p = LogPrice {
            charged: Some(dec!(0.05)),
            ..Default::default()
        };
        t.record(key(0, 1, 7), p);
        assert_eq!(t.of(&m), None, "not published yet");
        t.publish();
        assert_eq!(t.of(&m), Some(p));
        m.id_hash = 42;
        assert_eq!(t.of(&m), None, "an id names its message");
        t.record(key(42, 1, 9), p);
        t.publish();
        assert_eq!(t.of(&m), Some(p));
        assert_eq!(t.take(&m), Some(p));
        assert_eq!(t.of(&m), None, "taken once priced");
    }

    #[test]
    fn currency_cells() {
        assert_eq!(parse_currency("usd").unwrap().unwrap().as_str(), "USD");
        assert_eq!(parse_currency("R$").unwrap().unwrap().as_str(), "BRL");
        assert_eq!(parse_currency("").unwrap(), None);
        assert!(parse_currency("dollars").is_err());
    }
}
