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
    /// Usage or input error: a bad flag or value (or default), an input file missing,
    /// unreadable or malformed, a currency or date no rate card covers, an estimate that
    /// read no row at all. Nothing is printed to stdout.
    Usage = 2,
    /// Completed, but some rows were rejected or the run assumed something
    /// the input does not say (only with `--strict`).
    Rejected = 3,
    /// The pricing data is broken: the bundled or `--pricing` data does not load, or a
    /// card lacks a row it must have. Nothing is printed to stdout.
    Pricing = 4,
    /// The output could not be written (stdout, or the files `rates import` writes),
    /// e.g. a full disk. A closed pipe is not this: it exits 0.
    Output = 5,
}

/// The `--help` footer.
pub const AFTER_HELP: &str = "Exit codes: 0 ok; 1 reconcile found differences; 2 usage or input error (also: no row could be read); 3 rows rejected or assumptions made, under --strict; 4 pricing data error; 5 output could not be written.";

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// Writing the output failed (exit 5, or 0 for a closed pipe).
#[derive(Debug, thiserror::Error)]
#[error("writing the output")]
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
    if c.is::<DataError>()
        || rate_error(c)
            .is_some_and(|r| matches!(r, RateError::Missing { .. } | RateError::Data(_)))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EngineError;
    use crate::ingest::InputError;
    use crate::model::Category;
    use anyhow::Context;

    fn code(e: impl std::error::Error + Send + Sync + 'static) -> Exit {
        of_error(&anyhow::Error::new(e).context("while doing something"))
    }

    fn io(kind: io::ErrorKind) -> io::Error {
        io::Error::new(kind, "test")
    }

    #[test]
    fn output_errors_exit_5_but_a_closed_pipe_0() {
        assert_eq!(
            code(OutputError(io(io::ErrorKind::StorageFull))),
            Exit::Output
        );
        assert_eq!(code(OutputError(io(io::ErrorKind::BrokenPipe))), Exit::Ok);
    }

    #[test]
    fn an_unreadable_input_stays_a_usage_error() {
        let e = InputError::Io {
            file: "log.csv".into(),
            source: io(io::ErrorKind::NotFound),
        };
        assert_eq!(code(e), Exit::Usage);
        let r: Result<(), io::Error> = Err(io(io::ErrorKind::PermissionDenied));
        assert_eq!(
            of_error(&r.context("reading plan").unwrap_err()),
            Exit::Usage
        );
    }

    #[test]
    fn broken_pricing_data_exits_4_an_uncovered_request_2() {
        let data = DataError::File {
            file: "rates/USD.csv".into(),
            msg: "bad".into(),
        };
        assert_eq!(code(data), Exit::Pricing);
        let missing = RateError::Missing {
            currency: "USD".into(),
            market: "Brazil".into(),
            category: Category::Marketing,
            card: chrono::NaiveDate::MIN,
        };
        assert_eq!(code(EngineError::Rate(missing)), Exit::Pricing);
        let no_card = RateError::NoCurrency {
            currency: "BRL".into(),
            available: "USD".into(),
        };
        assert_eq!(code(no_card), Exit::Usage);
    }
}
