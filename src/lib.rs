//! wacost: what WhatsApp Business Platform traffic costs, by Meta's rules.
//!
//! Data flows one way: read ([`input`]) -> classify ([`classify`]) -> price
//! ([`tariff`]) -> aggregate and render ([`report`]).

pub mod classify;
pub mod cli;
pub mod domain;
pub mod engine;
pub mod forecast;
pub mod hash;
pub mod input;
pub mod money;
pub mod phone;
pub mod pricing;
pub mod reconcile;
pub mod report;
pub mod tariff;
pub mod text;
pub mod time;
