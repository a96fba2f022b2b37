//! Aggregation and rendering. Every output names its columns once
//! ([`columns`]) and [`render`] writes them as a table, CSV or JSON:
//! the estimate summary and `--detail` rows, forecasts, reconciliations,
//! rate cards and market look-ups.

pub mod columns;
pub mod detail;
pub mod estimate;
pub mod expected;
pub mod forecast;
pub mod locale;
pub mod market;
pub mod rates;
pub mod reconcile;
pub mod render;
pub mod summary;
pub mod tiers;

pub use detail::DetailWriter;
pub use summary::{Counts, Dim, LineAgg, Summary};

/// Output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
}
