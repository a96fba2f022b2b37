//! Streaming a time-sorted log: a reading thread hands messages over in
//! chunks; [`Stream`] orders them within [`REORDER_SECS`] and notices when
//! the input is not sorted after all.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender};

use super::pricer::Pricer;
use super::{order, Sink, REORDER_SECS};
use crate::ingest::{self, InputError, InputFormat, Inputs};
use crate::model::{Message, Rejected};

/// Messages per hand-over from the reading thread.
const CHUNK: usize = 4096;
/// Chunks the reading thread may be ahead (4 MiB): the pricing side works
/// in bursts of [`BATCH`] messages, and a reader held up by a full channel
/// during each burst would leave a core idle (8 chunks: 0.50 s on the
/// 2M-row log; 32: 0.43 s).
const IN_FLIGHT: usize = 32;

/// The reading side of a streamed run: sends messages in chunks, in input
/// order; stops early when the pricing side found the input unsorted.
fn read_in_chunks(
    paths: &[String],
    format: Option<InputFormat>,
    inputs: &mut Inputs,
    (tx, recycled): (SyncSender<Vec<Message>>, Receiver<Vec<Message>>),
    stop: &AtomicBool,
) -> Result<Vec<Rejected>, InputError> {
    let mut rejected = Vec::new();
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut open = true;
    // The chunk's messages' prices go to the pricer before the chunk does.
    let prices = inputs.prices.clone();
    for p in paths {
        ingest::read_input(
            p,
            format,
            inputs,
            &mut |m| {
                if !open {
                    return;
                }
                chunk.push(m);
                if chunk.len() == CHUNK {
                    prices.publish();
                    let full = std::mem::replace(
                        &mut chunk,
                        recycled
                            .try_recv()
                            .unwrap_or_else(|_| Vec::with_capacity(CHUNK)),
                    );
                    open = tx.send(full).is_ok() && !stop.load(Ordering::Relaxed);
                }
            },
            &mut |r| rejected.push(r),
        )?;
        if !open || stop.load(Ordering::Relaxed) {
            return Ok(rejected);
        }
    }
    if !chunk.is_empty() {
        prices.publish();
        // The pricing side may have stopped: nothing left to tell it then.
        let _ = tx.send(chunk);
    }
    Ok(rejected)
}

/// Streaming needs files it can read again (a restart) holding CSV; stdin
/// is kept to be read again ([`ingest::stdin`]).
pub(super) fn streamable(
    paths: &[String],
    format: Option<InputFormat>,
) -> Result<bool, InputError> {
    for p in paths {
        if p == "-" && !keep_stdin() {
            return Ok(false);
        }
        let f = match format {
            Some(f) => f,
            None => {
                let mut r = ingest::open(p)?;
                ingest::detect(&mut r).map_err(|source| InputError::Io {
                    file: p.clone(),
                    source,
                })?
            }
        };
        if !f.is_tabular() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Keeps stdin to be read again, where it can be.
fn keep_stdin() -> bool {
    #[cfg(unix)]
    return ingest::stdin::keep().is_ok();
    #[cfg(not(unix))]
    false
}

/// Orders a nearly sorted stream within [`REORDER_SECS`] and hands it to
/// the pricer; notices when the input is not sorted after all.
pub(super) struct Stream<'p> {
    pricer: Pricer<'p>,
    batch: usize,
    held: Vec<Message>,
    newest: i64,
    /// Time of the last message priced.
    priced_until: Option<i64>,
    pub(super) out_of_order: bool,
    pub(super) peak: usize,
    flush_at: usize,
    /// `held` is sorted.
    in_order: bool,
}

impl<'p> Stream<'p> {
    pub(super) fn new(pricer: Pricer<'p>, batch: usize) -> Stream<'p> {
        Stream {
            pricer,
            batch,
            held: Vec::new(),
            newest: i64::MIN,
            priced_until: None,
            out_of_order: false,
            peak: 0,
            flush_at: batch,
            in_order: true,
        }
    }

    /// Two cores: one reads and parses the input, the other (this one)
    /// orders, classifies and prices. Returns the reader's rejections; stops
    /// early when the input turns out unsorted ([`Stream::out_of_order`]).
    pub(super) fn read_and_price(
        &mut self,
        paths: &[String],
        format: Option<InputFormat>,
        inputs: &mut Inputs,
        sink: &mut dyn Sink,
    ) -> Result<Vec<Rejected>, InputError> {
        let stop = AtomicBool::new(false);
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Message>>(IN_FLIGHT);
            // Emptied chunks go back to the reader: no allocation per chunk.
            let (give_back, recycled) = std::sync::mpsc::channel::<Vec<Message>>();
            let stop = &stop;
            let reading = &mut *inputs;
            let reader = std::thread::Builder::new()
                .name("wacost-read".into())
                .spawn_scoped(scope, move || {
                    read_in_chunks(paths, format, reading, (tx, recycled), stop)
                })
                .map_err(|source| InputError::Io {
                    file: "(reading thread)".into(),
                    source,
                })?;
            for mut chunk in rx {
                for m in chunk.drain(..) {
                    self.push(m, sink);
                }
                let _ = give_back.send(chunk);
                if self.out_of_order {
                    stop.store(true, Ordering::Relaxed);
                    break;
                }
            }
            match reader.join() {
                Ok(r) => r,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    }

    /// Why the run starts over in memory, when it is not the order.
    pub(super) fn restart_reason(&self) -> Option<&'static str> {
        self.pricer.restart
    }

    pub(super) fn push(&mut self, m: Message, sink: &mut dyn Sink) {
        if self.out_of_order {
            return;
        }
        if self.priced_until.is_some_and(|t| m.ts() <= t) {
            self.out_of_order = true;
            return;
        }
        self.newest = self.newest.max(m.ts());
        self.held.push(m);
        // Keep `held` sorted by insertion while messages come nearly in
        // order (a few steps each); past that, sort it at the next flush.
        if self.in_order {
            let mut j = self.held.len() - 1;
            let mut steps = 0;
            while j > 0 && order(&self.held[j - 1], &self.held[j]).is_gt() {
                if steps == 8 {
                    self.in_order = false;
                    break;
                }
                self.held.swap(j - 1, j);
                j -= 1;
                steps += 1;
            }
        }
        if self.held.len() >= self.flush_at {
            self.flush(self.newest.saturating_sub(REORDER_SECS), sink);
            // What stays (the last REORDER_SECS) waits for another batch.
            self.flush_at = self.held.len() + self.batch;
        }
    }

    /// Prices every held message up to `cutoff` (inclusive), in order.
    pub(super) fn flush(&mut self, cutoff: i64, sink: &mut dyn Sink) {
        self.peak = self.peak.max(self.held.len());
        if !self.in_order {
            // Stable sort: adaptive to the sorted runs (the rest of the last
            // batch, the new nearly sorted one); the key is total, so the
            // order is the same as sort_messages'.
            self.held.sort_by(order);
            self.in_order = true;
        }
        let n = self.held.partition_point(|m| m.ts() <= cutoff);
        self.pricer.price_all(&self.held[..n], sink);
        if self.pricer.restart.is_some() {
            self.out_of_order = true;
            return;
        }
        if let Some(last) = n.checked_sub(1).and_then(|i| self.held.get(i)) {
            self.priced_until = Some(last.ts());
        }
        self.held.drain(..n);
    }
}
