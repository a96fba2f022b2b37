//! The vocabulary of Meta's billing, in Meta's own words.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A pricing category as Meta bills it. Templates carry one of the first four;
/// every non-template message is `service`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Marketing,
    Utility,
    Authentication,
    AuthenticationInternational,
    Service,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::Marketing,
        Category::Utility,
        Category::Authentication,
        Category::AuthenticationInternational,
        Category::Service,
    ];

    /// The category of a Groups API message, as Meta's webhooks and
    /// `pricing_analytics` name it (`group_marketing`, ...): billed as the
    /// category it names, per member delivered.
    pub fn group_name(self) -> &'static str {
        match self {
            Category::Marketing => "group_marketing",
            Category::Utility => "group_utility",
            Category::Authentication => "group_authentication",
            Category::AuthenticationInternational => "group_authentication_international",
            Category::Service => "group_service",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Marketing => "marketing",
            Category::Utility => "utility",
            Category::Authentication => "authentication",
            Category::AuthenticationInternational => "authentication_international",
            Category::Service => "service",
        }
    }

    /// Dense index for per-category arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    pub const ACCEPTED: &'static str =
        "marketing, utility, authentication, authentication_international, service";
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for a word that names no category.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown category {} (accepted: {accepted})", crate::model::redact::quote_field(.0), accepted = Category::ACCEPTED)]
pub struct UnknownCategory(pub String);

impl FromStr for Category {
    type Err = UnknownCategory;

    /// Accepts Meta's spellings: any case, `-` or `_` or space, and the
    /// upper-case enum names of the analytics API.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = crate::text::trim(s);
        // Normalized on the stack: this runs once per row of a log.
        let mut buf = [0u8; 32];
        let Some(dst) = buf.get_mut(..t.len()) else {
            return Err(UnknownCategory(t.to_string()));
        };
        for (d, b) in dst.iter_mut().zip(t.bytes()) {
            *d = match b {
                b'-' | b' ' => b'_',
                b => b.to_ascii_lowercase(),
            };
        }
        Ok(match &*dst {
            b"marketing" => Category::Marketing,
            b"utility" => Category::Utility,
            b"authentication" => Category::Authentication,
            b"authentication_international" | b"auth_intl" | b"authentication_intl" => {
                Category::AuthenticationInternational
            }
            b"service" => Category::Service,
            _ => return Err(UnknownCategory(t.to_string())),
        })
    }
}

/// Who sent the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Inbound,
    Outbound,
}

impl FromStr for Direction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = crate::text::trim(s);
        let is = |words: &[&str]| words.iter().any(|w| t.eq_ignore_ascii_case(w));
        match () {
            _ if is(&["inbound", "in", "received", "incoming"]) => Ok(Direction::Inbound),
            _ if is(&["outbound", "out", "sent", "outgoing"]) => Ok(Direction::Outbound),
            _ => Err(format!(
                "unknown direction {} (accepted: inbound, in, received, outbound, out, sent)",
                crate::model::redact::quote_field(s.trim())
            )),
        }
    }
}

/// Meta's `pricing.type`, plus the two states Meta's webhooks leave implicit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PricingType {
    /// Charged at the market rate (per message, or the message that opened a
    /// conversation in the conversation-based era).
    Regular,
    /// Free inside the 24-hour customer service window.
    FreeCustomerService,
    /// Free inside a 72-hour free entry point window.
    FreeEntryPoint,
    /// Free under a monthly allowance (1,000 service conversations per WABA
    /// 2023-06..2024-10; 1,000 service messages per business number from 2026-10).
    FreeTier,
    /// Conversation-based era: delivered inside a conversation already charged.
    InConversation,
}

impl PricingType {
    pub const ALL: [PricingType; 5] = [
        PricingType::Regular,
        PricingType::FreeCustomerService,
        PricingType::FreeEntryPoint,
        PricingType::FreeTier,
        PricingType::InConversation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PricingType::Regular => "regular",
            PricingType::FreeCustomerService => "free_customer_service",
            PricingType::FreeEntryPoint => "free_entry_point",
            PricingType::FreeTier => "free_tier",
            PricingType::InConversation => "in_conversation",
        }
    }

    pub fn is_billable(self) -> bool {
        matches!(self, PricingType::Regular)
    }
}

impl fmt::Display for PricingType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Meta's `pricing_model`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PricingModel {
    /// Conversation-based pricing (2022-02-01 .. 2025-06-30).
    #[serde(rename = "CBP")]
    Cbp,
    /// Per-message pricing (from 2025-07-01).
    #[serde(rename = "PMP")]
    Pmp,
}

impl PricingModel {
    pub fn as_str(self) -> &'static str {
        match self {
            PricingModel::Cbp => "CBP",
            PricingModel::Pmp => "PMP",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_accepts_meta_spellings() {
        for s in [
            "authentication-international",
            "authentication_international",
            "AUTHENTICATION_INTERNATIONAL",
            "Authentication International",
        ] {
            assert_eq!(
                s.parse::<Category>().unwrap(),
                Category::AuthenticationInternational
            );
        }
        assert_eq!("UTILITY".parse::<Category>().unwrap(), Category::Utility);
        let err = "promo".parse::<Category>().unwrap_err().to_string();
        assert!(err.contains("promo") && err.contains("marketing, utility"));
        // Longer than any spelling, or not ASCII: unknown, never a panic.
        assert!("authentication_international_x_y_z"
            .parse::<Category>()
            .is_err());
        assert!("marketingé".parse::<Category>().is_err());
        assert!("  marketing ".parse::<Category>().is_ok());
    }

    #[test]
    fn direction_words() {
        assert_eq!("received".parse::<Direction>(), Ok(Direction::Inbound));
        assert_eq!("OUT".parse::<Direction>(), Ok(Direction::Outbound));
        assert!("sideways".parse::<Direction>().is_err());
    }
}
