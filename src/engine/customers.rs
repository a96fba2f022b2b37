//! The market of a message's customer: from the phone number when the log
//! has one, else from the country a business-scoped user id names, through
//! the dated market map; a group member's from the member's own (Meta,
//! Groups API Pricing: "at the going marketing message rate for each
//! recipient's country calling code").

use chrono::NaiveDate;

use crate::data::markets::ResolveCache;
use crate::data::{MarketMap, Resolved};
use crate::engine::countries::{CountryMarket, CountryMarkets};
use crate::ingest::identities::Members;
use crate::model::identity::{ContactKey, Customer};

/// Where a message's market came from (`market_source` in `--detail`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MarketSource {
    #[default]
    Phone,
    /// The country of the customer's business-scoped user id.
    UserId,
}

impl MarketSource {
    pub fn as_str(self) -> &'static str {
        match self {
            MarketSource::Phone => "phone",
            MarketSource::UserId => "user_id",
        }
    }
}

/// Why a customer has no market.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unresolved {
    Why(String),
    /// A group member, priced without the groups' members (a streamed
    /// run: it starts over in memory, where the readers' table is whole).
    NoMembers,
}

/// Markets of customers, with the caches each kind needs.
#[derive(Debug)]
pub struct CustomerMarkets<'p> {
    map: &'p MarketMap,
    cache: ResolveCache,
    countries: CountryMarkets<'p>,
    members: Option<Members>,
}

impl<'p> CustomerMarkets<'p> {
    pub fn new(map: &'p MarketMap) -> CustomerMarkets<'p> {
        CustomerMarkets {
            map,
            cache: ResolveCache::default(),
            countries: CountryMarkets::new(map),
            members: None,
        }
    }

    /// Gives the groups' members (a log held in memory).
    pub fn with_members(&mut self, members: Members) {
        self.members = Some(members);
    }

    /// The market of `k` on a local date, and where it came from.
    #[inline]
    pub fn resolve(
        &mut self,
        k: ContactKey,
        date: NaiveDate,
    ) -> Result<(Resolved, MarketSource), Unresolved> {
        match k.customer() {
            Customer::Phone(n) => self
                .map
                .resolve_cached(&mut self.cache, n, date)
                .map(|r| (r, MarketSource::Phone))
                .map_err(|e| Unresolved::Why(format!("contact: {e}"))),
            Customer::UserId { country, .. } => self.by_country(country, date),
            Customer::Member { .. } => self.member(k, date),
        }
    }

    fn member(
        &mut self,
        k: ContactKey,
        date: NaiveDate,
    ) -> Result<(Resolved, MarketSource), Unresolved> {
        let Some(members) = &self.members else {
            return Err(Unresolved::NoMembers);
        };
        match members.get(k) {
            Some(c) if !c.is_group() => self.resolve(c, date),
            _ => Err(Unresolved::Why(
                "group message without the member it was delivered to: Meta bills each delivery at the member's market (give one row per member with its contact, or a webhook with recipient_participant_id)".into(),
            )),
        }
    }

    /// A user id's market: the one market that covers its whole country.
    #[cold]
    fn by_country(
        &mut self,
        country: Option<[u8; 2]>,
        date: NaiveDate,
    ) -> Result<(Resolved, MarketSource), Unresolved> {
        let Some(cc) = country else {
            return Err(Unresolved::Why(
                "user id without a country (neither its prefix nor the webhook's country_code names one): a phone number for this customer would decide the market".into(),
            ));
        };
        let cs = std::str::from_utf8(&cc).unwrap_or("??");
        match self.countries.of(cs, date) {
            CountryMarket::Market(market) => Ok((
                Resolved {
                    country: cc,
                    market,
                    cc_len: 0,
                },
                MarketSource::UserId,
            )),
            found => Err(Unresolved::Why(format!(
                "user id of {}; a phone number for this customer (a wa_id or contact) would decide it",
                self.countries.explain(cs, date, &found)
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Pricing;
    use crate::ingest::identities::Identities;
    use crate::model::identity::parse_user_id;
    use crate::model::phone::E164;
    use crate::model::time::parse_date;

    fn market(p: &Pricing, r: Result<(Resolved, MarketSource), Unresolved>) -> String {
        match r {
            Ok((r, s)) => format!("{} {}", p.markets.name(r.market), s.as_str()),
            Err(Unresolved::Why(w)) => w,
            Err(Unresolved::NoMembers) => "no members".into(),
        }
    }

    #[test]
    fn a_user_id_is_priced_by_its_country_when_one_market_covers_it() {
        let p = Pricing::bundled().unwrap();
        let mut c = CustomerMarkets::new(&p.markets);
        let oct = parse_date("2026-10-15").unwrap();
        let br = ContactKey::user_id(Some(*b"BR"), 1);
        assert_eq!(market(&p, c.resolve(br, oct)), "Brazil user_id");
        let ca = ContactKey::user_id(Some(*b"CA"), 2);
        let why = market(&p, c.resolve(ca, oct));
        assert!(
            why.contains("cannot decide") && why.contains("phone number"),
            "{why}"
        );
        let none = market(&p, c.resolve(ContactKey::user_id(None, 3), oct));
        assert!(none.contains("without a country"), "{none}");
    }

    #[test]
    fn a_group_member_takes_its_member_s_market() {
        let p = Pricing::bundled().unwrap();
        let mut ids = Identities::default();
        let mx = E164::from_digits_value(5215512345678).into();
        let a = ids.member("G", Some(mx)).unwrap();
        let u = ids.customer(None, parse_user_id("BR.77")).unwrap();
        let b = ids.member("G", Some(u)).unwrap();
        let oct = parse_date("2026-10-15").unwrap();
        let mut c = CustomerMarkets::new(&p.markets);
        assert_eq!(c.resolve(a, oct), Err(Unresolved::NoMembers));
        c.with_members(ids.members());
        assert_eq!(market(&p, c.resolve(a, oct)), "Mexico phone");
        assert_eq!(market(&p, c.resolve(b, oct)), "Brazil user_id");
    }
}
