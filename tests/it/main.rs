//! The integration tests: one binary (one link), one module per area. They
//! run the `wacost` binary on fixtures in the formats users really have
//! (`tests/fixtures/`), or call the library in process where a property
//! test needs hundreds of cases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod bad_input;
mod bench_smoke;
mod cli;
mod confidence;
mod estimate;
mod exit_codes;
mod forecast;
mod fuzz_regressions;
mod honest;
mod html_report;
mod identity_properties;
mod max_price;
mod meta_rules;
mod numbers;
mod parquet;
mod platform_2026;
mod pricing_data;
mod profiles;
mod properties;
mod reconcile;
mod rules_2026;
mod savings;
mod snapshots;
mod streaming;
mod terminal;
mod text;
mod xlsx;
