//! wacost: what WhatsApp Business Platform traffic costs, by Meta's rules.
//!
//! The crate is a pipeline of layers, each depending only on those above
//! it in this list (see `ARCHITECTURE.md`):
//!
//! - [`model`]: the vocabulary (messages, categories, markets, money, time);
//! - [`data`]: loading and checking the pricing data under `pricing/`;
//! - [`ingest`]: every outside format (CSV logs, webhooks, analytics,
//!   invoices, Meta's rate-card files, plans);
//! - [`engine`]: windows, classification and the rating plan, applied in
//!   one place for estimate, forecast and reconcile;
//! - [`report`]: aggregation and rendering;
//! - [`cli`]: the command line.
//!
//! [`hash`] and [`text`] are leaf helpers every layer may use.

pub mod cli;
pub mod data;
pub mod engine;
pub mod hash;
pub mod ingest;
pub mod model;
pub mod report;
pub mod text;
