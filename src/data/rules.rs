//! Rule eras: which pricing model and which free allowances are in force on
//! a date. Data in `pricing/rules.toml`; this module only reads it.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use chrono::NaiveDate;
use serde::Deserialize;

use super::switches::{Switch, Switches};

use super::markets::MarketMap;
use super::{DataError, MarketId};
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

impl Allowance {
    /// Whether the allowance applies: its `--rule` switch as given, else
    /// its default.
    pub fn is_on(&self, switches: &std::collections::BTreeMap<String, bool>) -> bool {
        switches.get(&self.switch).copied().unwrap_or(self.default)
    }

    /// The counter a business number's units come from.
    #[inline]
    pub fn scope_key(&self, business_number: u32) -> u32 {
        match self.per {
            AllowanceScope::Waba => 0,
            AllowanceScope::BusinessNumber => business_number,
        }
    }

    /// The units a month offers a WABA with `business_numbers` numbers.
    pub fn cap(&self, business_numbers: u32) -> u64 {
        match self.per {
            AllowanceScope::Waba => self.count,
            AllowanceScope::BusinessNumber => self.count * u64::from(business_numbers),
        }
    }
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
    /// Dated exceptions, in file order (the first that applies wins).
    pub exceptions: Vec<Exception>,
    /// Mechanics Meta does not state: `[[switch]]` tables.
    pub switches: Switches,
}

#[derive(Deserialize)]
struct RawRules {
    era: Vec<RawEra>,
    #[serde(default)]
    exception: Vec<RawException>,
    #[serde(default)]
    switch: Vec<Switch>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawException {
    id: String,
    switch: String,
    default: bool,
    effective_from: String,
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    markets: Vec<String>,
    #[serde(default)]
    categories: Vec<Category>,
    effect: RawEffect,
    #[serde(default)]
    rate: Option<ExceptionRate>,
    #[serde(default)]
    hours: Option<i64>,
    source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RawEffect {
    Charge,
    Free,
    FreeEntryPointHours,
}

/// What prices the messages an exception charges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionRate {
    /// The card's rate of the message's category.
    Card,
    /// Meta's rate is not in the pricing data: the message is rejected.
    Unpublished,
}

/// What a dated exception does to the messages it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Charged whatever window or free tier would free them.
    Charge(ExceptionRate),
    /// Free where the era would charge them.
    Free,
    /// Free entry point windows opened while it applies last this many
    /// seconds.
    FreeEntryPoint(i64),
}

/// A rule Meta states for some businesses or markets for a time, behind a
/// `--rule` switch (`[[exception]]` in rules.toml).
#[derive(Debug, Clone)]
pub struct Exception {
    pub id: String,
    /// The id, interned for classifications.
    pub name: RuleName,
    pub switch: String,
    pub default: bool,
    pub from: NaiveDate,
    /// Last local day it applies.
    pub until: Option<NaiveDate>,
    /// Market names as on the card; empty: every market.
    pub markets: Vec<String>,
    pub categories: [bool; 5],
    pub effect: Effect,
    pub source: String,
}

impl Exception {
    /// Whether it applies: its `--rule` switch as given, else its default.
    pub fn is_on(&self, switches: &BTreeMap<String, bool>) -> bool {
        switches.get(&self.switch).copied().unwrap_or(self.default)
    }

    /// Whether it applies on a local date.
    pub fn in_force(&self, date: NaiveDate) -> bool {
        self.from <= date && self.until.is_none_or(|u| date <= u)
    }
}

/// An exception switched on, as the classifier asks it per message.
#[derive(Debug, Clone)]
pub struct Active {
    pub name: RuleName,
    categories: [bool; 5],
    /// Empty: every market.
    markets: Vec<MarketId>,
    pub effect: Effect,
}

impl Active {
    #[inline]
    fn covers(&self, cat: Category, market: MarketId) -> bool {
        self.categories[cat.index()] && (self.markets.is_empty() || self.markets.contains(&market))
    }
}

/// The exceptions switched on for a run, markets resolved: built once,
/// then asked once per local day ([`SwitchedOn::on`]).
#[derive(Debug, Clone, Default)]
pub struct SwitchedOn {
    list: Vec<(NaiveDate, Option<NaiveDate>, Active)>,
}

impl SwitchedOn {
    /// The exceptions of `rules` that `switches` (or their defaults) turn
    /// on. A market name the map lacks matches nothing (`rates check`
    /// reports it).
    pub fn new(rules: &Rules, markets: &MarketMap, switches: &BTreeMap<String, bool>) -> Self {
        let list = rules
            .exceptions
            .iter()
            .filter(|x| x.is_on(switches))
            .map(|x| {
                let active = Active {
                    name: x.name,
                    categories: x.categories,
                    markets: x.markets.iter().filter_map(|m| markets.id(m)).collect(),
                    effect: x.effect,
                };
                (x.from, x.until, active)
            })
            .collect();
        SwitchedOn { list }
    }

    /// Those in force on a local date.
    pub fn on(&self, date: NaiveDate) -> InForce {
        let mut day = InForce::default();
        for (from, until, a) in &self.list {
            if *from > date || until.is_some_and(|u| date > u) {
                continue;
            }
            match a.effect {
                Effect::FreeEntryPoint(secs) => {
                    day.fep = day.fep.or(Some((secs, a.name)));
                }
                _ => {
                    for (any, &c) in day.categories.iter_mut().zip(&a.categories) {
                        *any |= c;
                    }
                    day.rules.push(a.clone());
                }
            }
        }
        day
    }
}

/// The exceptions in force on one local day. With every switch off it is
/// empty, and a message costs one array lookup.
#[derive(Debug, Clone, Default)]
pub struct InForce {
    /// Whether any exception concerns the category.
    categories: [bool; 5],
    rules: Vec<Active>,
    /// A free entry point window's length, and the exception setting it.
    pub fep: Option<(i64, RuleName)>,
}

impl InForce {
    /// The first exception concerning a message of `cat` to `market`.
    #[inline]
    pub fn for_message(&self, cat: Category, market: MarketId) -> Option<&Active> {
        if !self.categories[cat.index()] {
            return None;
        }
        self.rules.iter().find(|a| a.covers(cat, market))
    }
}

/// An exception's id, interned, so that a classification that names it
/// stays `Copy` and small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleName(u16);

/// Interned ids: few and loaded once per run, so kept for the process.
static NAMES: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());

impl RuleName {
    /// The name of `id`, the same for the same text.
    pub fn intern(id: &str) -> RuleName {
        let mut names = NAMES.lock().unwrap_or_else(PoisonError::into_inner);
        let i = match names.iter().position(|n| *n == id) {
            Some(i) => i,
            None => {
                names.push(Box::leak(id.to_owned().into_boxed_str()));
                names.len() - 1
            }
        };
        RuleName(u16::try_from(i).unwrap_or(u16::MAX))
    }

    pub fn as_str(self) -> &'static str {
        let names = NAMES.lock().unwrap_or_else(PoisonError::into_inner);
        names
            .get(usize::from(self.0))
            .copied()
            .unwrap_or("exception")
    }
}

fn set(cats: &[Category]) -> [bool; 5] {
    let mut s = [false; 5];
    for c in cats {
        s[c.index()] = true;
    }
    s
}

/// Which of an era's rules frees a delivered message that lies in no free
/// entry point window and joins no open conversation: the rule code both
/// the classifier (one message) and the forecast (a plan's shares) apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frees {
    /// The category is free in this era.
    Category,
    /// Free inside the open customer service window.
    InWindow,
    /// A non-template message with no window known: Meta delivers these
    /// only inside one, so one was open.
    AssumedWindow,
    /// Free while units of the era's service allowance remain.
    Allowance,
    /// Charged.
    Nothing,
}

impl Era {
    /// The rule that frees a message of `cat` (a template or not) sent
    /// with or without an open customer service window. Under CBP a
    /// template opens a charged conversation.
    pub fn frees(&self, cat: Category, template: bool, in_window: bool) -> Frees {
        if self.model == PricingModel::Cbp && template {
            return Frees::Nothing;
        }
        if self.free[cat.index()] {
            return Frees::Category;
        }
        if self.free_in_csw[cat.index()] {
            if in_window {
                return Frees::InWindow;
            }
            if !template {
                return Frees::AssumedWindow;
            }
        }
        if cat == Category::Service && self.allowance.is_some() {
            return Frees::Allowance;
        }
        Frees::Nothing
    }

    /// The era's allowance when it is counted in `unit`s.
    pub fn allowance_in(&self, unit: AllowanceUnit) -> Option<&Allowance> {
        self.allowance.as_ref().filter(|a| a.unit == unit)
    }
}

impl AllowanceUnit {
    /// The unit a pricing model counts: CBP a service conversation when it
    /// opens, PMP each service message.
    pub fn of(model: PricingModel) -> AllowanceUnit {
        match model {
            PricingModel::Cbp => AllowanceUnit::Conversation,
            PricingModel::Pmp => AllowanceUnit::Message,
        }
    }

    fn name(self) -> &'static str {
        match self {
            AllowanceUnit::Conversation => "conversation",
            AllowanceUnit::Message => "message",
        }
    }
}

const FILE: &str = "rules.toml";

/// The model as rules.toml writes it.
fn model_name(m: PricingModel) -> &'static str {
    match m {
        PricingModel::Cbp => "CBP",
        PricingModel::Pmp => "PMP",
    }
}

fn file_error(msg: String) -> DataError {
    DataError::File {
        file: FILE.into(),
        msg,
    }
}

impl RawEra {
    /// An error naming the era.
    fn bad(&self, m: String) -> DataError {
        file_error(format!("era {:?}: {m}", self.id))
    }

    /// Checks the era and turns hours into seconds.
    fn era(self) -> Result<Era, DataError> {
        let from = parse_date(&self.effective_from).ok_or_else(|| {
            self.bad(format!(
                "effective_from {:?} is not YYYY-MM-DD",
                self.effective_from
            ))
        })?;
        if self.source.trim().is_empty() {
            return Err(self.bad("empty source".into()));
        }
        self.check_hours()?;
        let conversation = self.conversation_secs()?;
        let allowance = self.allowance()?;
        let mut tier_counter = Category::ALL;
        for (from_cat, to_cat) in &self.tier_counter {
            tier_counter[from_cat.index()] = *to_cat;
        }
        Ok(Era {
            id: self.id,
            from,
            model: self.pricing_model,
            csw: self.customer_service_window_hours * HOUR,
            fep: self.free_entry_point_hours * HOUR,
            fep_reply: self.entry_point_reply_hours * HOUR,
            conversation,
            free_in_csw: set(&self.free_in_customer_service_window),
            free: set(&self.free_categories),
            tiered: set(&self.tiered),
            tier_counter,
            allowance,
            source: self.source,
        })
    }

    fn check_hours(&self) -> Result<(), DataError> {
        for (name, h) in [
            (
                "customer_service_window_hours",
                self.customer_service_window_hours,
            ),
            ("free_entry_point_hours", self.free_entry_point_hours),
            ("entry_point_reply_hours", self.entry_point_reply_hours),
        ] {
            if !(1..=24 * 30).contains(&h) {
                return Err(self.bad(format!("{name} = {h} is not between 1 and 720")));
            }
        }
        Ok(())
    }

    fn conversation_secs(&self) -> Result<i64, DataError> {
        match (self.pricing_model, self.conversation_hours) {
            (PricingModel::Cbp, None) => Err(self.bad("CBP eras need conversation_hours".into())),
            (_, Some(h)) => Ok(h * HOUR),
            (PricingModel::Pmp, None) => Ok(0),
        }
    }

    /// The allowance, its unit the one the era's pricing model counts.
    fn allowance(&self) -> Result<Option<Allowance>, DataError> {
        let Some(a) = &self.service_allowance else {
            return Ok(None);
        };
        let fits = AllowanceUnit::of(self.pricing_model);
        if a.unit != fits {
            return Err(self.bad(format!(
                "service_allowance.unit = {:?} does not fit pricing_model {}: {} eras count a \
                 {:?} (accepted: \"conversation\" in CBP eras, \"message\" in PMP eras)",
                a.unit.name(),
                model_name(self.pricing_model),
                model_name(self.pricing_model),
                fits.name()
            )));
        }
        Ok(Some(Allowance {
            count: a.count,
            unit: a.unit,
            per: a.per,
            switch: a.switch.clone(),
            default: a.default,
            source: a.source.clone(),
        }))
    }
}

impl RawException {
    /// An error naming the exception.
    fn bad(&self, m: String) -> DataError {
        file_error(format!("exception {:?}: {m}", self.id))
    }

    fn date(&self, field: &str, v: &str) -> Result<NaiveDate, DataError> {
        parse_date(v).ok_or_else(|| self.bad(format!("{field} {v:?} is not YYYY-MM-DD")))
    }

    /// Checks the exception against the eras it falls in.
    fn exception(self, eras: &[Era]) -> Result<Exception, DataError> {
        let from = self.date("effective_from", &self.effective_from)?;
        let until = match &self.until {
            Some(u) => Some(self.date("until", u)?),
            None => None,
        };
        if until.is_some_and(|u| u < from) {
            return Err(self.bad("until is before effective_from".into()));
        }
        if self.source.trim().is_empty() || self.switch.trim().is_empty() {
            return Err(self.bad("empty source or switch".into()));
        }
        self.check_eras(from, eras)?;
        let effect = self.effect()?;
        Ok(Exception {
            name: RuleName::intern(&self.id),
            id: self.id,
            switch: self.switch,
            default: self.default,
            from,
            until,
            markets: self.markets,
            categories: set(&self.categories),
            effect,
            source: self.source,
        })
    }

    /// Exceptions act per message: none may start in a CBP era.
    fn check_eras(&self, from: NaiveDate, eras: &[Era]) -> Result<(), DataError> {
        let i = eras.partition_point(|e| e.from <= from).checked_sub(1);
        match i.map(|i| &eras[i]) {
            Some(e) if e.model == PricingModel::Pmp => Ok(()),
            _ => Err(self.bad(format!(
                "effective_from {from} is not in a PMP era (exceptions act per message)"
            ))),
        }
    }

    /// The effect with the fields it needs, and only those.
    fn effect(&self) -> Result<Effect, DataError> {
        let cats = !self.categories.is_empty();
        match (self.effect, self.rate, self.hours) {
            (RawEffect::Charge, Some(rate), None) if cats => Ok(Effect::Charge(rate)),
            (RawEffect::Free, None, None) if cats => Ok(Effect::Free),
            (RawEffect::FreeEntryPointHours, None, Some(h)) if !cats && (1..=720).contains(&h) => {
                Ok(Effect::FreeEntryPoint(h * HOUR))
            }
            _ => Err(self.bad(
                "accepted: effect \"charge\" with categories and rate (\"card\" or \"unpublished\"), \
                 effect \"free\" with categories, or effect \"free_entry_point_hours\" with hours \
                 (1 to 720) and no categories"
                    .into(),
            )),
        }
    }
}

impl Rules {
    pub fn load(text: &str) -> Result<Rules, DataError> {
        let raw: RawRules = toml::from_str(text).map_err(|e| file_error(e.to_string()))?;
        let mut eras = raw
            .era
            .into_iter()
            .map(RawEra::era)
            .collect::<Result<Vec<_>, _>>()?;
        eras.sort_by_key(|e| e.from);
        if eras.windows(2).any(|w| w[0].from == w[1].from) {
            return Err(file_error("two eras start on the same date".into()));
        }
        if eras.is_empty() {
            return Err(file_error("no [[era]]".into()));
        }
        let exceptions = raw
            .exception
            .into_iter()
            .map(|x| x.exception(&eras))
            .collect::<Result<Vec<_>, _>>()?;
        let switches = Switches::new(raw.switch)?;
        Ok(Rules {
            eras,
            exceptions,
            switches,
        })
    }

    /// Why a date before the first era cannot be priced.
    pub fn before_first_era(&self) -> String {
        let first = self.eras.first().map_or(NaiveDate::MIN, |e| e.from);
        format!("no pricing rules before {first}: the first era in pricing/rules.toml")
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
            .chain(self.exceptions.iter().map(|x| x.switch.as_str()))
            .chain(self.switches.names())
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
        assert_eq!(
            r.switches(),
            vec![
                "ai-provider-brazil",
                "calls-open-window",
                "cbp-free-tier",
                "charge-at",
                "free-entry-point-7-days",
                "government-nonprofit-service",
                "reactions-open-window",
                "service-free-tier",
                "system-messages-open-window"
            ]
        );
    }

    #[test]
    fn refuses_an_allowance_unit_that_does_not_fit_the_pricing_model() {
        let bundled = include_str!("../../pricing/rules.toml");
        let pmp_in_conversations =
            bundled.replacen("unit = \"message\"", "unit = \"conversation\"", 1);
        let e = Rules::load(&pmp_in_conversations).unwrap_err().to_string();
        assert!(
            e.contains("rules.toml")
                && e.contains("\"pmp-2026-10\"")
                && e.contains("service_allowance.unit")
                && e.contains("\"conversation\""),
            "{e}"
        );
        let cbp_in_messages = bundled.replacen("unit = \"conversation\"", "unit = \"message\"", 1);
        let e = Rules::load(&cbp_in_messages).unwrap_err().to_string();
        assert!(
            e.contains("\"cbp-2023-06\"") && e.contains("service_allowance.unit"),
            "{e}"
        );
    }

    #[test]
    fn eras_free_messages_by_category_window_and_allowance() {
        let r = Rules::load(include_str!("../../pricing/rules.toml")).unwrap();
        let era = |s| &r.eras[r.era_index(parse_date(s).unwrap()).unwrap()];
        let (svc, util) = (Category::Service, Category::Utility);
        assert_eq!(era("2024-03-01").frees(svc, false, false), Frees::Allowance);
        assert_eq!(era("2024-03-01").frees(util, true, true), Frees::Nothing);
        assert_eq!(era("2024-11-01").frees(svc, false, false), Frees::Category);
        let pmp = era("2025-07-01");
        assert_eq!(pmp.frees(util, true, true), Frees::InWindow);
        assert_eq!(pmp.frees(util, true, false), Frees::Nothing);
        assert_eq!(pmp.frees(svc, false, false), Frees::AssumedWindow);
        assert_eq!(era("2026-10-01").frees(svc, false, true), Frees::Allowance);
        assert_eq!(
            era("2026-10-01").frees(Category::Marketing, true, true),
            Frees::Nothing
        );
    }

    #[test]
    fn rejects_unknown_fields() {
        let e = Rules::load("[[era]]\nid='x'\nbogus=1\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("rules.toml") && e.contains("bogus"), "{e}");
    }

    fn switched(on: &[&str]) -> (SwitchedOn, MarketMap) {
        let p = crate::data::Pricing::bundled().unwrap();
        let switches = on.iter().map(|s| (s.to_string(), true)).collect();
        (SwitchedOn::new(&p.rules, &p.markets, &switches), p.markets)
    }

    #[test]
    fn bundled_exceptions_are_off_by_default_with_sources() {
        let r = Rules::load(include_str!("../../pricing/rules.toml")).unwrap();
        let ids: Vec<&str> = r.exceptions.iter().map(|x| x.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "ai-provider-brazil",
                "government-nonprofit-service",
                "free-entry-point-7-days"
            ]
        );
        assert!(r.exceptions.iter().all(|x| !x.is_on(&BTreeMap::new())));
        assert!(r.exceptions.iter().all(|x| !x.source.is_empty()));
        let ai = &r.exceptions[0];
        assert_eq!(ai.effect, Effect::Charge(ExceptionRate::Unpublished));
        assert_eq!(ai.markets, ["Brazil"]);
        assert_eq!(ai.name.as_str(), "ai-provider-brazil");
        let d = |s| parse_date(s).unwrap();
        assert!(!ai.in_force(d("2026-03-10")) && ai.in_force(d("2026-03-11")));
        let gov = &r.exceptions[1];
        assert!(gov.in_force(d("2027-12-31")) && !gov.in_force(d("2028-01-01")));
        assert_eq!(r.exceptions[2].effect, Effect::FreeEntryPoint(168 * HOUR));
    }

    #[test]
    fn no_switch_on_means_nothing_in_force() {
        let (s, m) = switched(&[]);
        let day = s.on(parse_date("2026-11-01").unwrap());
        let br = m.id("Brazil").unwrap();
        assert!(day.for_message(Category::Service, br).is_none() && day.fep.is_none());
    }

    #[test]
    fn switched_on_exceptions_apply_by_date_market_and_category() {
        let (s, m) = switched(&[
            "ai-provider-brazil",
            "government-nonprofit-service",
            "free-entry-point-7-days",
        ]);
        let (br, mx) = (m.id("Brazil").unwrap(), m.id("Mexico").unwrap());
        let on = |d| s.on(parse_date(d).unwrap());
        let name = |a: Option<&Active>| a.map(|a| a.name.as_str());
        assert_eq!(
            name(on("2026-03-10").for_message(Category::Service, br)),
            None
        );
        let april = on("2026-04-10");
        assert_eq!(
            name(april.for_message(Category::Service, br)),
            Some("ai-provider-brazil")
        );
        assert_eq!(name(april.for_message(Category::Service, mx)), None);
        assert_eq!(name(april.for_message(Category::Utility, br)), None);
        assert!(april.fep.is_none());
        // Both concern Brazil's service messages from October: the first listed wins.
        let oct = on("2026-10-01");
        assert_eq!(
            name(oct.for_message(Category::Service, br)),
            Some("ai-provider-brazil")
        );
        assert_eq!(
            name(oct.for_message(Category::Service, mx)),
            Some("government-nonprofit-service")
        );
        assert_eq!(oct.fep.map(|f| f.0), Some(168 * HOUR));
        assert_eq!(
            name(on("2028-01-01").for_message(Category::Service, mx)),
            None
        );
    }

    #[test]
    fn refuses_an_exception_missing_what_its_effect_needs() {
        let bundled = include_str!("../../pricing/rules.toml");
        let no_rate = bundled.replacen("rate = \"unpublished\"\n", "", 1);
        let e = Rules::load(&no_rate).unwrap_err().to_string();
        assert!(
            e.contains("\"ai-provider-brazil\"") && e.contains("accepted: effect"),
            "{e}"
        );
        let in_cbp = bundled.replacen(
            "effective_from = \"2026-03-11\"",
            "effective_from = \"2024-01-01\"",
            1,
        );
        let e = Rules::load(&in_cbp).unwrap_err().to_string();
        assert!(e.contains("not in a PMP era"), "{e}");
        let reversed = bundled.replacen("until = \"2027-12-31\"", "until = \"2026-01-01\"", 1);
        let e = Rules::load(&reversed).unwrap_err().to_string();
        assert!(e.contains("until is before effective_from"), "{e}");
    }
}
