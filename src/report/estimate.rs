//! An estimate of message logs, as `wacost estimate` computes it before
//! printing: the summary, streamed through the engine when the input
//! allows, or one detail row written as each message is priced. The CLI and
//! the in-process property tests call the same two functions.

use std::io::{self, Write};

use crate::data::{Pricing, RateError};
use crate::engine::{self, EngineError, Options, RunStats, Sink, Tee};
use crate::ingest::{InputFormat, Inputs};
use crate::model::{Privacy, Zone};

use super::{DetailWriter, Dim, Format, Summary};

/// What to estimate.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub pricing: &'a Pricing,
    pub opts: &'a Options,
    pub zone: &'a Zone,
    pub files: &'a [String],
    pub input: Option<InputFormat>,
}

/// The estimate: the summary (named, with every rejected row), the inputs
/// read (file names, notes) and how the run went through them.
#[derive(Debug)]
pub struct Estimate {
    pub summary: Summary,
    pub inputs: Inputs,
    pub stats: RunStats,
}

/// Why an estimate stopped.
#[derive(Debug, thiserror::Error)]
pub enum EstimateError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Rate(#[from] RateError),
    /// The detail rows could not be written.
    #[error("writing the detail rows")]
    Write(#[source] io::Error),
}

impl Request<'_> {
    fn new_summary(&self, dims: Vec<Dim>) -> Summary {
        Summary::new(&self.opts.currency, self.zone.name(), dims)
    }

    /// The summary grouped by `dims`, streamed through the engine when the
    /// input is a time-sorted file; rejected rows sorted by file and line.
    pub fn summarize(&self, dims: Vec<Dim>) -> Result<Estimate, EstimateError> {
        self.summarize_with(dims, None)
    }

    /// [`Request::summarize`] feeding the same verdicts to `extra` too
    /// (`--savings`).
    pub fn summarize_with(
        &self,
        dims: Vec<Dim>,
        extra: Option<&mut dyn Sink>,
    ) -> Result<Estimate, EstimateError> {
        let mut summary = self.new_summary(dims);
        let mut inputs = Inputs::new(self.zone.clone());
        let mut rejected = Vec::new();
        let (p, o, z, f, i) = (self.pricing, self.opts, self.zone, self.files, self.input);
        let stats = match extra {
            Some(x) => engine::run(
                p,
                o,
                z,
                f,
                i,
                &mut inputs,
                &mut rejected,
                &mut Tee(&mut summary, x),
            ),
            None => engine::run(p, o, z, f, i, &mut inputs, &mut rejected, &mut summary),
        }?;
        summary.finish(self.pricing, &inputs);
        summary.add_rejected(rejected);
        summary.sort_rejected();
        Ok(Estimate {
            summary,
            inputs,
            stats,
        })
    }

    /// One detail row per input row, written to `out` as messages are
    /// priced (readers' rejections last), and the summary of the same run.
    pub fn detail(
        &self,
        format: Format,
        privacy: Privacy,
        out: &mut dyn Write,
    ) -> Result<Estimate, EstimateError> {
        let mut inputs = engine::inputs_for(self.pricing, self.opts, self.zone);
        // Detail rows need the inputs (ids, names) as they are written.
        inputs.keep_extras = true;
        let mut rejected = Vec::new();
        let msgs = engine::read_sorted(self.files, self.input, &mut inputs, &mut rejected)
            .map_err(EngineError::from)?;
        let mut summary = self.new_summary(Dim::DEFAULT.to_vec());
        let mut dw = DetailWriter::new(format, out, privacy, &self.opts.currency)
            .map_err(EstimateError::Write)?;
        let mut written = Ok(());
        engine::price_read(
            self.pricing,
            self.opts,
            self.zone,
            &msgs,
            &inputs,
            &mut |m: &_, p: &_| {
                summary.add(m, p);
                if written.is_ok() {
                    written = dw.message(m, p, self.pricing, &inputs);
                }
            },
        )?;
        written.map_err(EstimateError::Write)?;
        for r in &inputs.merged_rows {
            dw.status_update(r, &inputs).map_err(EstimateError::Write)?;
        }
        for r in &rejected {
            dw.rejected(r).map_err(EstimateError::Write)?;
        }
        dw.finish().map_err(EstimateError::Write)?;
        summary.finish(self.pricing, &inputs);
        summary.add_rejected(rejected);
        let stats = RunStats {
            peak_held: msgs.len(),
            ..RunStats::default()
        };
        Ok(Estimate {
            summary,
            inputs,
            stats,
        })
    }
}
