//! Exit codes: what scripts can rely on. 0 to 3 are the contract's; 4 and 5
//! name conditions that used to hide under 2. main finds the code of an
//! error by looking down its chain for the typed errors below.

use std::io;
use std::process::ExitCode;

use crate::data::{DataError, RateError};

/// The exit code of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Success; also a closed pipe (`wacost ... | head`).
    Ok = 0,
    /// reconcile found differences beyond tolerance (`rates check`: problems in the data).
    Differences = 1,
    /// Usage or input error: a bad flag or value, an input file missing, unreadable or
    /// malformed, a currency or date no rate card covers. Nothing is printed to stdout.
    Usage = 2,
    /// Completed, but some rows were rejected (only with `--strict`).
    Rejected = 3,
    /// The pricing data is broken: the bundled or `--pricing` data does not load, or a
    /// card lacks a row it must have. Nothing is printed to stdout.
    Pricing = 4,
    /// The output could not be written (stdout, or the files `rates import` writes),
    /// e.g. a full disk. A closed pipe is not this: it exits 0.
    Output = 5,
}

/// The `--help` footer.
pub const AFTER_HELP: &str = "Exit codes: 0 ok; 1 reconcile found differences; 2 usage or input error; 3 rows rejected under --strict; 4 pricing data error; 5 output could not be written.";

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// Writing the output failed (exit 5, or 0 for a closed pipe).
#[derive(Debug, thiserror::Error)]
#[error("writing the output: {0}")]
pub struct OutputError(#[source] pub io::Error);

/// Marks an I/O result as the output's.
pub fn output<T>(r: io::Result<T>) -> Result<T, OutputError> {
    r.map_err(OutputError)
}

/// The exit code of an error, from the first typed error in its chain.
pub fn of_error(e: &anyhow::Error) -> Exit {
    e.chain().find_map(of_cause).unwrap_or(Exit::Usage)
}

fn of_cause(c: &(dyn std::error::Error + 'static)) -> Option<Exit> {
    if let Some(io) = c.downcast_ref::<io::Error>() {
        return (io.kind() == io::ErrorKind::BrokenPipe).then_some(Exit::Ok);
    }
    if let Some(o) = c.downcast_ref::<OutputError>() {
        return Some(match o.0.kind() {
            io::ErrorKind::BrokenPipe => Exit::Ok,
            _ => Exit::Output,
        });
    }
    if c.is::<DataError>() || rate_error(c).is_some_and(|r| matches!(r, RateError::Missing { .. }))
    {
        return Some(Exit::Pricing);
    }
    None
}

/// A rate error, also inside the transparent wrappers (which hide it from the chain).
fn rate_error<'e>(c: &'e (dyn std::error::Error + 'static)) -> Option<&'e RateError> {
    use crate::engine::{forecast::ForecastError, reconcile::ReconcileError, EngineError};
    if let Some(r) = c.downcast_ref::<RateError>() {
        return Some(r);
    }
    match (c.downcast_ref(), c.downcast_ref(), c.downcast_ref()) {
        (Some(EngineError::Rate(r)), _, _) => Some(r),
        (_, Some(ForecastError::Rate(r)), _) => Some(r),
        (_, _, Some(ReconcileError::Rate(r))) => Some(r),
        _ => None,
    }
}
