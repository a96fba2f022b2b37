//! The state a run leaves for the next (`--state FILE`, issue 18): the
//! month-to-date counters as plain data, under a versioned header, so a
//! daily run resumes where the day before stopped. This slice holds the
//! header check and the counters (volume tiers per market and category,
//! allowances per scope); windows and recent ids follow.
//!
//! Format: JSON (serde_json), one object `{ "header": .., "tiers": [..],
//! "allowances": [..] }`. Keys are the engine's own: market ids of the
//! pricing data the header names, allowance scope keys. No phone number or
//! user id is written.

use serde::{Deserialize, Serialize};

use crate::data::MarketId;
use crate::engine::allowance::Allowances;
use crate::engine::tariff::Tariff;
use crate::model::Category;

/// The state format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// What a state was made with: a state made with other pricing data, in
/// another currency or other zones would price the next run wrongly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub format: u32,
    pub pricing_version: String,
    pub currency: String,
    pub zones: Vec<String>,
}

/// One month's tier counter of a market and category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierCount {
    pub year: i32,
    pub month: u32,
    pub market: MarketId,
    pub category: Category,
    pub count: u64,
}

/// One month's allowance units used in a scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowanceCount {
    pub year: i32,
    pub month: u32,
    pub scope: u32,
    pub used: u64,
}

/// The whole state file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub header: Header,
    pub tiers: Vec<TierCount>,
    pub allowances: Vec<AllowanceCount>,
}

/// A state file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("state file {file}: not a wacost state ({why})")]
    Malformed { file: String, why: String },
    #[error(
        "state file {file}: made with {field} {theirs}, this run has {ours}; \
         run without --state or with a state made by the same settings"
    )]
    Mismatch {
        file: String,
        field: &'static str,
        theirs: String,
        ours: String,
    },
}

impl State {
    /// Reads a state from bytes, checked against the run's header.
    pub fn read(file: &str, bytes: &[u8], ours: &Header) -> Result<State, StateError> {
        let state: State = serde_json::from_slice(bytes).map_err(|e| StateError::Malformed {
            file: file.into(),
            why: e.to_string(),
        })?;
        state.header.check(file, ours)?;
        Ok(state)
    }

    /// The state as JSON (plain structs of numbers and strings: writing
    /// them cannot fail).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl Header {
    /// The first field in which `self` (the file's) differs from `ours`.
    fn check(&self, file: &str, ours: &Header) -> Result<(), StateError> {
        let fields: [(&'static str, String, String); 4] = [
            (
                "format version",
                self.format.to_string(),
                ours.format.to_string(),
            ),
            (
                "pricing data version",
                self.pricing_version.clone(),
                ours.pricing_version.clone(),
            ),
            ("currency", self.currency.clone(), ours.currency.clone()),
            ("time zones", self.zones.join(","), ours.zones.join(",")),
        ];
        match fields.into_iter().find(|(_, a, b)| a != b) {
            None => Ok(()),
            Some((field, theirs, ours)) => Err(StateError::Mismatch {
                file: file.into(),
                field,
                theirs,
                ours,
            }),
        }
    }
}

/// The tier counters as plain data, sorted (a state is reproducible).
pub fn export_tiers(t: &Tariff) -> Vec<TierCount> {
    let mut v: Vec<TierCount> = t
        .counts()
        .map(|(&(year, month, market, category), &count)| TierCount {
            year,
            month,
            market,
            category,
            count,
        })
        .collect();
    v.sort_by_key(|c| (c.year, c.month, c.market, c.category));
    v
}

/// Lays saved tier counters into a run's tariff.
pub fn import_tiers(t: &mut Tariff, counts: &[TierCount]) {
    for c in counts {
        t.resume((c.year, c.month, c.market, c.category), c.count);
    }
}

/// The allowance counters as plain data, sorted.
pub fn export_allowances(a: &Allowances) -> Vec<AllowanceCount> {
    let mut v: Vec<AllowanceCount> = a
        .counts()
        .map(|(&(year, month, scope), &used)| AllowanceCount {
            year,
            month,
            scope,
            used,
        })
        .collect();
    v.sort_by_key(|c| (c.year, c.month, c.scope));
    v
}

/// Lays saved allowance counters into a run's ledger.
pub fn import_allowances(a: &mut Allowances, counts: &[AllowanceCount]) {
    for c in counts {
        a.resume((c.year, c.month, c.scope), c.used);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            format: FORMAT_VERSION,
            pricing_version: "2026-10-01".into(),
            currency: "USD".into(),
            zones: vec!["America/Sao_Paulo".into()],
        }
    }

    #[test]
    fn counters_round_trip() {
        let mut a = Allowances::default();
        a.take((2026, 9), 7, 1000, 3);
        let mut t = Tariff::default();
        t.resume((2026, 9, 4, Category::Utility), 750_001);
        let s = State {
            header: header(),
            tiers: export_tiers(&t),
            allowances: export_allowances(&a),
        };
        let back = State::read("s.json", s.to_json().as_bytes(), &header()).unwrap();
        let (mut a2, mut t2) = (Allowances::default(), Tariff::default());
        import_allowances(&mut a2, &back.allowances);
        import_tiers(&mut t2, &back.tiers);
        assert_eq!(export_allowances(&a2), s.allowances);
        assert_eq!(export_tiers(&t2), s.tiers);
        assert_eq!(a2.take((2026, 9), 7, 1000, 1), (1, 4));
    }

    #[test]
    fn a_mismatch_names_what_differs() {
        let s = State {
            header: header(),
            tiers: vec![],
            allowances: vec![],
        };
        let mut ours = header();
        ours.currency = "BRL".into();
        let e = State::read("s.json", s.to_json().as_bytes(), &ours).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("currency USD") && msg.contains("BRL"), "{msg}");
    }

    #[test]
    fn garbage_is_malformed() {
        let e = State::read("s.json", b"{\"header\":1}", &header()).unwrap_err();
        assert!(matches!(e, StateError::Malformed { .. }));
    }
}
