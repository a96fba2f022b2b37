//! Rule eras: which pricing model and which free allowances are in force on
//! a date. Data in `pricing/rules.toml`; this module only reads it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;

use super::DataError;
use crate::model::time::{parse_date, HOUR};
use crate::model::{Category, PricingModel};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEra {
    id: String,
    effective_from: String,
    pricing_model: PricingModel,
    customer_service_window_hours: i64,
    free_entry_point_hours: i64,
    entry_point_reply_hours: i64,
    #[serde(default)]
    conversation_hours: Option<i64>,
    #[serde(default)]
    free_in_customer_service_window: Vec<Category>,
    #[serde(default)]
    free_categories: Vec<Category>,
    #[serde(default)]
    tiered: Vec<Category>,
    #[serde(default)]
    tier_counter: BTreeMap<Category, Category>,
    #[serde(default)]
    service_allowance: Option<RawAllowance>,
    source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllowance {
    count: u64,
    unit: AllowanceUnit,
    per: AllowanceScope,
    switch: String,
    default: bool,
    source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllowanceUnit {
    Conversation,
    Message,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllowanceScope {
    Waba,
    BusinessNumber,
}

/// A monthly allowance of free service units.
#[derive(Debug, Clone)]
pub struct Allowance {
    pub count: u64,
    pub unit: AllowanceUnit,
    pub per: AllowanceScope,
    pub switch: String,
    pub default: bool,
    pub source: String,
}

/// The rules in force from one date until the next era.
#[derive(Debug, Clone)]
pub struct Era {
    pub id: String,
    pub from: NaiveDate,
    pub model: PricingModel,
    /// Seconds.
    pub csw: i64,
    pub fep: i64,
    pub fep_reply: i64,
    pub conversation: i64,
    pub free_in_csw: [bool; 5],
    pub free: [bool; 5],
    pub tiered: [bool; 5],
    /// The category whose counter a category's messages advance.
    pub tier_counter: [Category; 5],
    pub allowance: Option<Allowance>,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct Rules {
    pub eras: Vec<Era>,
}

#[derive(Deserialize)]
struct RawRules {
    era: Vec<RawEra>,
}

fn set(cats: &[Category]) -> [bool; 5] {
    let mut s = [false; 5];
    for c in cats {
        s[c.index()] = true;
    }
    s
}

impl Rules {
    pub fn load(text: &str) -> Result<Rules, DataError> {
        let file = "rules.toml";
        let raw: RawRules = toml::from_str(text).map_err(|e| DataError::File {
            file: file.into(),
            msg: e.to_string(),
        })?;
        let mut eras = Vec::new();
        for r in raw.era {
            let bad = |m: String| DataError::File {
                file: file.into(),
                msg: format!("era {:?}: {m}", r.id),
            };
            let from = parse_date(&r.effective_from).ok_or_else(|| {
                bad(format!(
                    "effective_from {:?} is not YYYY-MM-DD",
                    r.effective_from
                ))
            })?;
            if r.source.trim().is_empty() {
                return Err(bad("empty source".into()));
            }
            for (name, h) in [
                (
                    "customer_service_window_hours",
                    r.customer_service_window_hours,
                ),
                ("free_entry_point_hours", r.free_entry_point_hours),
                ("entry_point_reply_hours", r.entry_point_reply_hours),
            ] {
                if !(1..=24 * 30).contains(&h) {
                    return Err(bad(format!("{name} = {h} is not between 1 and 720")));
                }
            }
            let conversation = match (r.pricing_model, r.conversation_hours) {
                (PricingModel::Cbp, None) => {
                    return Err(bad("CBP eras need conversation_hours".into()))
                }
                (_, Some(h)) => h * HOUR,
                (PricingModel::Pmp, None) => 0,
            };
            let mut tier_counter = Category::ALL;
            for (from_cat, to_cat) in &r.tier_counter {
                tier_counter[from_cat.index()] = *to_cat;
            }
            eras.push(Era {
                id: r.id.clone(),
                from,
                model: r.pricing_model,
                csw: r.customer_service_window_hours * HOUR,
                fep: r.free_entry_point_hours * HOUR,
                fep_reply: r.entry_point_reply_hours * HOUR,
                conversation,
                free_in_csw: set(&r.free_in_customer_service_window),
                free: set(&r.free_categories),
                tiered: set(&r.tiered),
                tier_counter,
                allowance: r.service_allowance.map(|a| Allowance {
                    count: a.count,
                    unit: a.unit,
                    per: a.per,
                    switch: a.switch,
                    default: a.default,
                    source: a.source,
                }),
                source: r.source,
            });
        }
        eras.sort_by_key(|e| e.from);
        if eras.windows(2).any(|w| w[0].from == w[1].from) {
            return Err(DataError::File {
                file: file.into(),
                msg: "two eras start on the same date".into(),
            });
        }
        if eras.is_empty() {
            return Err(DataError::File {
                file: file.into(),
                msg: "no [[era]]".into(),
            });
        }
        Ok(Rules { eras })
    }

    /// Index of the era in force on a local date.
    pub fn era_index(&self, date: NaiveDate) -> Option<usize> {
        self.eras.partition_point(|e| e.from <= date).checked_sub(1)
    }

    /// Names of the on/off switches the eras define.
    pub fn switches(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .eras
            .iter()
            .filter_map(|e| e.allowance.as_ref().map(|a| a.switch.as_str()))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_rules_describe_the_four_eras() {
        let r = Rules::load(include_str!("../../pricing/rules.toml")).unwrap();
        let d = |s| parse_date(s).unwrap();
        let era = |s| &r.eras[r.era_index(d(s)).unwrap()];
        assert!(r.era_index(d("2023-05-31")).is_none());
        assert_eq!(era("2024-10-31").id, "cbp-2023-06");
        assert_eq!(era("2024-11-01").id, "cbp-2024-11");
        assert_eq!(era("2025-06-30").model, PricingModel::Cbp);
        let pmp = era("2025-07-01");
        assert!(
            pmp.free_in_csw[Category::Utility.index()]
                && pmp.free_in_csw[Category::Service.index()]
        );
        assert!(!pmp.free_in_csw[Category::Marketing.index()]);
        assert_eq!(
            pmp.tier_counter[Category::AuthenticationInternational.index()],
            Category::Authentication
        );
        let oct = era("2026-10-01");
        assert!(!oct.free_in_csw.iter().any(|&f| f));
        assert!(!oct.tiered[Category::Service.index()]);
        assert_eq!(oct.allowance.as_ref().unwrap().count, 1000);
        assert_eq!(r.switches(), vec!["cbp-free-tier", "service-free-tier"]);
    }

    #[test]
    fn rejects_unknown_fields() {
        let e = Rules::load("[[era]]\nid='x'\nbogus=1\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("rules.toml") && e.contains("bogus"), "{e}");
    }
}
