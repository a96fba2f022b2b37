//! Aggregation and rendering. Every output names its columns once
//! ([`columns`]) and [`render`] writes them as a table, CSV or JSON:
//! the estimate summary and `--detail` rows, forecasts, reconciliations,
//! rate cards and market look-ups.

pub mod columns;
pub mod detail;
pub mod estimate;
pub mod expected;
pub mod forecast;
pub mod html;
pub mod locale;
pub mod market;
pub mod parquet;
pub mod rates;
pub mod reconcile;
pub mod render;
pub mod savings;
pub mod summary;
pub mod tiers;
pub mod xlsx;

pub use detail::DetailWriter;
pub use summary::{Counts, Dim, LineAgg, Summary};

/// Output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
    /// One self-contained page (charts and tables) for a browser: for
    /// estimate, forecast and reconcile.
    Html,
    /// One Parquet file of the machine columns (as CSV's), typed.
    Parquet,
    /// An Excel workbook (`--output FILE`): a sheet per table, money as
    /// numbers in a currency format, frozen headers, a total row.
    Xlsx,
}

impl Format {
    /// The error of an output that has no page of its own.
    pub fn no_page(what: &str) -> std::io::Error {
        std::io::Error::other(format!(
            "{what} has no --format html page (estimate, forecast and reconcile have one); use table, csv or json"
        ))
    }
}
