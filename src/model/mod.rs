//! The vocabulary of Meta's billing, in Meta's own words: categories,
//! pricing types, messages, phone numbers, money and time. Depends on no
//! other layer of the crate.

pub mod category;
pub mod charge;
pub mod currency;
pub mod identity;
pub mod message;
pub mod money;
pub mod phone;
pub mod redact;
pub mod time;

pub use category::{Category, Direction, PricingModel, PricingType, UnknownCategory};
pub use charge::{LogPrice, PriceNote};
pub use identity::{ContactKey, Customer};
pub use message::{Delivery, Extra, InboundKind, Interner, Message, MetaPricing, Rejected};
pub use phone::{Privacy, E164};
pub use time::{Month, Zone};
