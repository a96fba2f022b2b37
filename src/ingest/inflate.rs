//! Gzip inflated on a thread of its own, a few blocks ahead of the reader:
//! inflating costs about as much as reading the rows, and on one thread
//! with them it made a `.gz` log cost twice the plain one.

use std::io::{self, BufRead, Read};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// Bytes per block handed over.
const BLOCK: usize = 1 << 18;
/// Blocks the inflating thread may be ahead.
const AHEAD: usize = 4;

/// A block: its bytes (`BLOCK` long) and how many of them are inflated.
type Block = (Vec<u8>, usize);

/// The inflated bytes of gzip `raw` (members one after another, as `gzip`
/// writes appended files), inflated on a thread of their own.
pub(super) fn gunzip(raw: impl BufRead + Send + 'static) -> Box<dyn BufRead> {
    let (tx, rx) = sync_channel(AHEAD);
    let (back, recycled) = sync_channel(AHEAD + 2);
    std::thread::spawn(move || inflate(flate2::bufread::MultiGzDecoder::new(raw), &tx, &recycled));
    Box::new(Inflated {
        rx,
        back,
        block: (Vec::new(), 0),
        pos: 0,
        done: false,
    })
}

/// The inflating side: stops at the end, at an error (handed over), or
/// when the reader is gone.
fn inflate(mut gz: impl Read, tx: &SyncSender<io::Result<Block>>, recycled: &Receiver<Vec<u8>>) {
    loop {
        let mut buf = recycled.try_recv().unwrap_or_else(|_| vec![0; BLOCK]);
        let sent = match fill(&mut gz, &mut buf) {
            Ok(0) => return,
            Ok(n) => tx.send(Ok((buf, n))),
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        };
        if sent.is_err() {
            return;
        }
    }
}

/// Reads into `buf` until it is full or the input ends; how many bytes.
fn fill(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// The reading side: blocks as they come.
struct Inflated {
    rx: Receiver<io::Result<Block>>,
    back: SyncSender<Vec<u8>>,
    block: Block,
    pos: usize,
    done: bool,
}

impl BufRead for Inflated {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.block.1 && !self.done {
            match self.rx.recv() {
                Ok(Ok(next)) => {
                    let used = std::mem::replace(&mut self.block, next).0;
                    if !used.is_empty() {
                        let _ = self.back.try_send(used);
                    }
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => self.done = true,
            }
        }
        Ok(&self.block.0[self.pos..self.block.1])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.block.1);
    }
}

impl Read for Inflated {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let buf = self.fill_buf()?;
            let n = buf.len().min(out.len());
            out[..n].copy_from_slice(&buf[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn members_one_after_another_inflate_to_their_bytes_in_order() {
        let a: Vec<u8> = (0..BLOCK * 3 + 17).map(|i| (i * 7 % 251) as u8).collect();
        let mut both = gz(&a);
        both.extend(gz(b"tail\n"));
        let mut out = Vec::new();
        gunzip(io::Cursor::new(both)).read_to_end(&mut out).unwrap();
        assert_eq!(out.len(), a.len() + 5);
        assert_eq!(&out[..a.len()], &a[..]);
        assert_eq!(&out[a.len()..], b"tail\n");
    }

    #[test]
    fn a_corrupt_stream_is_an_error_not_an_early_end() {
        let mut bad = gz(&vec![b'x'; 100_000]);
        let n = bad.len();
        bad.truncate(n - 20);
        let mut out = Vec::new();
        assert!(gunzip(io::Cursor::new(bad)).read_to_end(&mut out).is_err());
    }
}
