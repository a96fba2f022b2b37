//! Forecast plans (TOML): campaigns per month, market and category.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::data::{MarketId, MarketMap};
use crate::model::time::Month;
use crate::model::Category;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    currency: Option<String>,
    tz: Option<String>,
    business_numbers: Option<u32>,
    #[serde(default)]
    campaign: Vec<RawCampaign>,
    fees: Option<RawFees>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCampaign {
    name: Option<String>,
    month: Option<String>,
    months: Option<String>,
    market: Option<String>,
    category: Option<String>,
    messages: Option<toml::Value>,
    in_window_share: Option<toml::Value>,
    entry_point_share: Option<toml::Value>,
    delivery_rate: Option<toml::Value>,
    growth: Option<toml::Value>,
    max_price: Option<toml::Value>,
    group_members: Option<toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFees {
    per_message: Option<toml::Value>,
    percent: Option<toml::Value>,
    #[serde(default)]
    per_category: std::collections::BTreeMap<String, toml::Value>,
}

/// A campaign, validated: messages planned per month.
#[derive(Debug, Clone)]
pub struct Campaign {
    pub name: String,
    pub months: Vec<Month>,
    /// How the plan named the market (resolved per month, as markets move).
    pub market: MarketRef,
    pub category: Category,
    pub messages: u64,
    pub in_window_share: Decimal,
    pub entry_point_share: Decimal,
    pub delivery_rate: Decimal,
    /// Monthly growth applied from the second month of a range.
    pub growth: Decimal,
    /// The max price set on a marketing campaign's template (Marketing
    /// Messages API: "Meta will charge that max price or lower"): the
    /// forecast is a range from the card rate to it.
    pub max_price: Option<Decimal>,
    /// Members of the group each message goes to (Groups API: billed once
    /// per member delivered, up to 8); `None`: one customer per message.
    pub group_members: Option<u8>,
}

impl Campaign {
    /// Deliveries per planned message: a group message is delivered to
    /// each of its members.
    pub fn deliveries_per_message(&self) -> u64 {
        self.group_members.map_or(1, u64::from)
    }
}

/// Most members a group has (Meta, Groups API: up to 8 participants).
pub const MAX_GROUP_MEMBERS: u8 = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarketRef {
    Country(String),
    CallingCode(String),
    Name(MarketId),
}

/// Fees a user pays on top of Meta (a BSP's markup), shown apart.
#[derive(Debug, Clone, Default)]
pub struct Fees {
    pub per_message: Decimal,
    pub per_category: [Option<Decimal>; 5],
    /// Fraction of Meta's charge (2% = 0.02).
    pub percent: Decimal,
}

impl Fees {
    pub fn per_message(&self, c: Category) -> Decimal {
        self.per_category[c.index()].unwrap_or(self.per_message)
    }
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub currency: Option<String>,
    pub tz: Option<String>,
    pub business_numbers: u32,
    pub campaigns: Vec<Campaign>,
    pub fees: Option<Fees>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{file}: {msg}")]
    Toml { file: String, msg: String },
    #[error("{file}: campaign {index} ({name}): field `{field}`: {msg}")]
    Field {
        file: String,
        index: usize,
        name: String,
        field: &'static str,
        msg: String,
    },
    #[error("{file}: [fees] `{field}`: {msg}")]
    Fees {
        file: String,
        field: String,
        msg: String,
    },
}

/// Most messages one campaign may plan for a month (a trillion), growth
/// included: keeps a forecast's sums and fees exact (`Decimal` and `u64`
/// would overflow far above it).
pub const MAX_MONTHLY_MESSAGES: u64 = 1_000_000_000_000;
/// Most monthly growth accepted (1000%).
pub const MAX_GROWTH: Decimal = Decimal::TEN;
/// Longest range of months a campaign may span (100 years).
pub const MAX_MONTHS: usize = 1200;
/// Largest fee per message, in the card's currency.
pub const MAX_FEE: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
/// Largest fee percentage of Meta's charge (1000%).
pub const MAX_PERCENT: Decimal = Decimal::TEN;

/// Checks a monthly growth: above -100% and at most [`MAX_GROWTH`].
pub fn check_growth(growth: Decimal) -> Result<(), String> {
    if growth <= -Decimal::ONE {
        return Err("growth must be above -100%".into());
    }
    if growth > MAX_GROWTH {
        return Err(format!(
            "{} is more than {}% a month",
            growth,
            MAX_GROWTH * Decimal::ONE_HUNDRED
        ));
    }
    Ok(())
}

/// Checks that a campaign of `messages` a month growing by `growth` stays
/// within [`MAX_MONTHLY_MESSAGES`] over `months`, computing the volume as
/// the forecast does (compounded monthly from the second month).
pub fn check_volume(messages: u64, months: &[Month], growth: Decimal) -> Result<(), String> {
    if messages > MAX_MONTHLY_MESSAGES {
        return Err(format!(
            "{messages} is more than {MAX_MONTHLY_MESSAGES} messages a month"
        ));
    }
    let max = Decimal::from(MAX_MONTHLY_MESSAGES);
    let mut volume = Decimal::from(messages);
    for month in months.iter().skip(1) {
        match Decimal::ONE
            .checked_add(growth)
            .and_then(|f| volume.checked_mul(f))
        {
            Some(v) if v <= max => volume = v,
            _ => {
                return Err(format!(
                    "growing {growth} a month from {messages} messages passes {MAX_MONTHLY_MESSAGES} messages a month in {month}"
                ))
            }
        }
    }
    Ok(())
}

/// Parses `0.4`, `"40%"`, `40%`-style shares and rates into a fraction.
pub fn fraction(v: &toml::Value) -> Result<Decimal, String> {
    let d = match v {
        toml::Value::Integer(i) => Decimal::from(*i),
        toml::Value::Float(f) => Decimal::from_str(&f.to_string()).map_err(|e| e.to_string())?,
        toml::Value::String(s) => {
            let s = s.trim();
            match s.strip_suffix('%') {
                Some(p) => {
                    Decimal::from_str(p.trim()).map_err(|_| format!("{s:?} is not a percentage"))?
                        / Decimal::ONE_HUNDRED
                }
                None => Decimal::from_str(s).map_err(|_| format!("{s:?} is not a number"))?,
            }
        }
        other => {
            return Err(format!(
                "expected a number or a percentage string, found {}",
                other.type_str()
            ))
        }
    };
    Ok(d)
}

/// Parses a money amount: a string like "0.005" (exact) or a number.
pub fn amount(v: &toml::Value) -> Result<Decimal, String> {
    let d = match v {
        toml::Value::String(s) => {
            Decimal::from_str(s.trim()).map_err(|_| format!("{s:?} is not a decimal amount"))?
        }
        toml::Value::Integer(i) => Decimal::from(*i),
        toml::Value::Float(f) => Decimal::from_str(&f.to_string()).map_err(|e| e.to_string())?,
        other => {
            return Err(format!(
                "expected an amount like \"0.005\", found {}",
                other.type_str()
            ))
        }
    };
    if d.is_sign_negative() {
        return Err(format!("{d} is negative"));
    }
    Ok(d)
}

/// A fee per message: an [`amount`] of at most [`MAX_FEE`].
fn fee(v: &toml::Value) -> Result<Decimal, String> {
    let d = amount(v)?;
    if d > MAX_FEE {
        return Err(format!("{d} is more than {MAX_FEE} per message"));
    }
    Ok(d)
}

fn months(s: &str) -> Result<Vec<Month>, String> {
    let bad = || format!("{s:?} is not YYYY-MM or a range YYYY-MM..YYYY-MM");
    if let Some((a, b)) = s.split_once("..") {
        let a = Month::parse(a).ok_or_else(bad)?;
        let b = Month::parse(b).ok_or_else(bad)?;
        if b < a {
            return Err(format!("range {s:?} ends before it starts"));
        }
        let mut v = vec![a];
        while v.last().is_some_and(|m| *m < b) {
            if v.len() >= MAX_MONTHS {
                return Err(format!("range {s:?} spans more than {MAX_MONTHS} months"));
            }
            let next = v[v.len() - 1].next();
            v.push(next);
        }
        Ok(v)
    } else {
        Ok(vec![Month::parse(s).ok_or_else(bad)?])
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

pub fn suggest(markets: &MarketMap, s: &str) -> String {
    let mut names: Vec<(usize, &String)> = markets
        .names()
        .iter()
        .map(|n| (distance(n, s), n))
        .collect();
    names.sort();
    let close: Vec<&str> = names
        .iter()
        .take(3)
        .filter(|(d, _)| *d <= 4)
        .map(|(_, n)| n.as_str())
        .collect();
    if close.is_empty() {
        "use an ISO country code (BR), a calling code (+55) or a market name as on Meta's card"
            .into()
    } else {
        format!(
            "did you mean {}? (or an ISO country code like BR, or a calling code like +55)",
            close.join(", ")
        )
    }
}

impl Plan {
    pub fn parse(file: &str, text: &str, markets: &MarketMap) -> Result<Plan, PlanError> {
        let raw: RawPlan = toml::from_str(text).map_err(|e| PlanError::Toml {
            file: file.into(),
            msg: e.to_string(),
        })?;
        let campaigns = raw
            .campaign
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let name = c.name.clone().unwrap_or_else(|| format!("#{}", i + 1));
                let at = At {
                    file,
                    index: i + 1,
                    name,
                };
                at.campaign(c, markets)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let fees = raw.fees.map(|f| parse_fees(file, &f)).transpose()?;
        Ok(Plan {
            currency: raw.currency,
            tz: raw.tz,
            business_numbers: raw.business_numbers.unwrap_or(1).max(1),
            campaigns,
            fees,
        })
    }
}

/// Where in the plan a campaign is: its errors name file, number and name.
struct At<'a> {
    file: &'a str,
    index: usize,
    name: String,
}

impl At<'_> {
    fn err(&self, field: &'static str, msg: String) -> PlanError {
        PlanError::Field {
            file: self.file.into(),
            index: self.index,
            name: self.name.clone(),
            field,
            msg,
        }
    }

    fn campaign(self, c: RawCampaign, markets: &MarketMap) -> Result<Campaign, PlanError> {
        let months = self.months(&c)?;
        let market = self.market(&c, markets)?;
        let category = self.category(&c)?;
        let messages = self.messages(&c)?;
        let (in_window_share, entry_point_share) = self.window_shares(&c)?;
        let delivery_rate = self.share(&c.delivery_rate, "delivery_rate", Decimal::ONE)?;
        let group_members = self.group_members(&c)?;
        let deliveries = messages.saturating_mul(group_members.map_or(1, u64::from));
        let growth = self.growth(&c, deliveries, &months)?;
        let max_price = self.max_price(&c, category)?;
        Ok(Campaign {
            name: self.name,
            months,
            market,
            category,
            messages,
            in_window_share,
            entry_point_share,
            delivery_rate,
            growth,
            max_price,
            group_members,
        })
    }

    /// `group_members = N`, 1 to 8.
    fn group_members(&self, c: &RawCampaign) -> Result<Option<u8>, PlanError> {
        let Some(v) = &c.group_members else {
            return Ok(None);
        };
        match v {
            toml::Value::Integer(n) if (1..=i64::from(MAX_GROUP_MEMBERS)).contains(n) => {
                Ok(Some(*n as u8))
            }
            v => Err(self.err(
                "group_members",
                format!("expected a whole number of members from 1 to {MAX_GROUP_MEMBERS} (Meta's groups have up to 8), found {v}"),
            )),
        }
    }

    /// `max_price = X`: marketing campaigns only (Meta sets max prices on
    /// marketing templates), an amount in the plan's currency.
    fn max_price(&self, c: &RawCampaign, category: Category) -> Result<Option<Decimal>, PlanError> {
        let Some(v) = &c.max_price else {
            return Ok(None);
        };
        if category != Category::Marketing {
            return Err(self.err(
                "max_price",
                format!("a max price applies to marketing campaigns only (Meta's Marketing Messages API), not {category}"),
            ));
        }
        let d = amount(v).map_err(|e| self.err("max_price", e))?;
        if d.is_sign_negative() || d > MAX_FEE {
            return Err(self.err("max_price", format!("{d} is outside 0..{MAX_FEE}")));
        }
        Ok(Some(d))
    }

    fn months(&self, c: &RawCampaign) -> Result<Vec<Month>, PlanError> {
        match (&c.month, &c.months) {
            (Some(m), None) | (None, Some(m)) => months(m).map_err(|e| self.err("month", e)),
            (Some(_), Some(_)) => Err(self.err("month", "give month or months, not both".into())),
            (None, None) => Err(self.err("month", "missing (YYYY-MM or YYYY-MM..YYYY-MM)".into())),
        }
    }

    /// A calling code, an ISO country or a market name as on Meta's card.
    fn market(&self, c: &RawCampaign, markets: &MarketMap) -> Result<MarketRef, PlanError> {
        let s = c.market.as_deref().ok_or_else(|| {
            self.err(
                "market",
                "missing (ISO country like BR, calling code like +55, or a market name)".into(),
            )
        })?;
        let t = s.trim();
        if t.starts_with('+') || t.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(MarketRef::CallingCode(t.to_string()));
        }
        if t.len() == 2 && t.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Ok(MarketRef::Country(t.to_ascii_uppercase()));
        }
        markets.find_name(t).map(MarketRef::Name).ok_or_else(|| {
            self.err(
                "market",
                format!("unknown market {t:?}; {}", suggest(markets, t)),
            )
        })
    }

    fn category(&self, c: &RawCampaign) -> Result<Category, PlanError> {
        c.category
            .as_deref()
            .ok_or_else(|| self.err("category", format!("missing ({})", Category::ACCEPTED)))?
            .parse::<Category>()
            .map_err(|e| self.err("category", e.to_string()))
    }

    fn messages(&self, c: &RawCampaign) -> Result<u64, PlanError> {
        match &c.messages {
            Some(toml::Value::Integer(n)) if *n >= 0 => Ok(*n as u64),
            Some(v) => Err(self.err(
                "messages",
                format!("expected a whole non-negative number, found {v}"),
            )),
            None => Err(self.err("messages", "missing (messages per month)".into())),
        }
    }

    /// A fraction in 0..1, `default` when not given.
    fn share(
        &self,
        v: &Option<toml::Value>,
        field: &'static str,
        default: Decimal,
    ) -> Result<Decimal, PlanError> {
        let Some(v) = v else { return Ok(default) };
        let d = fraction(v).map_err(|e| self.err(field, e))?;
        if d < Decimal::ZERO || d > Decimal::ONE {
            return Err(self.err(field, format!("{d} is outside 0..1 (write 0.4 or \"40%\")")));
        }
        Ok(d)
    }

    /// The customer service window and free entry point shares, which
    /// together are at most all messages.
    fn window_shares(&self, c: &RawCampaign) -> Result<(Decimal, Decimal), PlanError> {
        let in_window = self.share(&c.in_window_share, "in_window_share", Decimal::ZERO)?;
        let entry_point = self.share(&c.entry_point_share, "entry_point_share", Decimal::ZERO)?;
        if in_window + entry_point > Decimal::ONE {
            return Err(self.err(
                "in_window_share",
                "in_window_share + entry_point_share exceed 1".into(),
            ));
        }
        Ok((in_window, entry_point))
    }

    /// The monthly growth, checked with the volume it leads to.
    fn growth(
        &self,
        c: &RawCampaign,
        messages: u64,
        months: &[Month],
    ) -> Result<Decimal, PlanError> {
        let growth = match &c.growth {
            None => Decimal::ZERO,
            Some(v) => fraction(v).map_err(|e| self.err("growth", e))?,
        };
        check_growth(growth).map_err(|e| self.err("growth", e))?;
        check_volume(messages, months, growth).map_err(|e| {
            let field = if c.growth.is_some() && messages <= MAX_MONTHLY_MESSAGES {
                "growth"
            } else {
                "messages"
            };
            self.err(field, e)
        })?;
        Ok(growth)
    }
}

/// The `[fees]` table.
fn parse_fees(file: &str, f: &RawFees) -> Result<Fees, PlanError> {
    let ferr = |field: &str, msg| PlanError::Fees {
        file: file.into(),
        field: field.into(),
        msg,
    };
    let mut fees = Fees::default();
    if let Some(v) = &f.per_message {
        fees.per_message = fee(v).map_err(|e| ferr("per_message", e))?;
    }
    if let Some(v) = &f.percent {
        fees.percent = percent(v).map_err(|e| ferr("percent", e))?;
    }
    for (k, v) in &f.per_category {
        let c: Category = k
            .parse()
            .map_err(|e: crate::model::UnknownCategory| ferr("per_category", e.to_string()))?;
        fees.per_category[c.index()] =
            Some(fee(v).map_err(|e| ferr(&format!("per_category.{k}"), e))?);
    }
    Ok(fees)
}

/// A fee percentage of Meta's charge: not negative, at most [`MAX_PERCENT`].
fn percent(v: &toml::Value) -> Result<Decimal, String> {
    let d = fraction(v)?;
    if d.is_sign_negative() && !d.is_zero() {
        Err(format!("{d} is negative"))
    } else if d > MAX_PERCENT {
        Err(format!(
            "{d} is more than {}%",
            MAX_PERCENT * Decimal::ONE_HUNDRED
        ))
    } else {
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Pricing;
    use rust_decimal_macros::dec;

    fn parse(t: &str) -> Result<Plan, PlanError> {
        let p = Pricing::bundled().unwrap();
        Plan::parse("plan.toml", t, &p.markets)
    }

    #[test]
    fn ranges_shares_and_fees() {
        let p = parse(
            r#"
[[campaign]]
name = "Pedidos"
months = "2026-11..2027-02"
market = "+55"
category = "utility"
messages = 1000
in_window_share = "40%"
delivery_rate = 0.98
growth = "5%"
[fees]
per_message = "0.005"
percent = "2%"
[fees.per_category]
marketing = "0.01"
"#,
        )
        .unwrap();
        let c = &p.campaigns[0];
        assert_eq!(c.months.len(), 4);
        assert_eq!(c.in_window_share, dec!(0.4));
        assert_eq!(c.delivery_rate, dec!(0.98));
        assert_eq!(c.growth, dec!(0.05));
        let f = p.fees.unwrap();
        assert_eq!(f.per_message(Category::Marketing), dec!(0.01));
        assert_eq!(f.per_message(Category::Utility), dec!(0.005));
        assert_eq!(f.percent, dec!(0.02));
    }

    #[test]
    fn bad_plans_name_campaign_field_and_accepted_values() {
        let e = parse("[[campaign]]\nname='BF'\nmonth='2026-11'\nmarket='Brazl'\ncategory='marketing'\nmessages=10\n").unwrap_err().to_string();
        assert!(
            e.contains("campaign 1 (BF)") && e.contains("`market`") && e.contains("Brazil"),
            "{e}"
        );
        let e =
            parse("[[campaign]]\nmonth='2026-11'\nmarket='BR'\ncategory='promo'\nmessages=10\n")
                .unwrap_err()
                .to_string();
        assert!(
            e.contains("`category`") && e.contains("marketing, utility"),
            "{e}"
        );
        let e = parse(
            "[[campaign]]\nmonth='2026-11'\nmarket='BR'\ncategory='utility'\nmessages='many'\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("`messages`"), "{e}");
        let e = parse("[[campaign]]\nmonth='2026-11'\nmarket='BR'\ncategory='utility'\nmessages=5\nin_window_share=1.5\n").unwrap_err().to_string();
        assert!(e.contains("outside 0..1"), "{e}");
        let e =
            parse("[[campaign]]\nmonth='2026-14'\nmarket='BR'\ncategory='utility'\nmessages=5\n")
                .unwrap_err()
                .to_string();
        assert!(e.contains("`month`"), "{e}");
        assert!(parse("[[campaign]]\nmont='2026-11'\n")
            .unwrap_err()
            .to_string()
            .contains("mont"));
    }
}
