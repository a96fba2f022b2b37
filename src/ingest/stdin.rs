//! Standard input, readable more than once: a streamed run reads it as it
//! reads a file, and a run that has to start over (rows out of time order,
//! rows per status) reads it again from its first byte.
//!
//! A redirected file (`< log.csv`) is read again in place. A pipe is copied,
//! as it is read, to an unlinked temporary file: the copy lives in the file
//! system's cache, never in the process's memory, and is read back only by
//! the run that starts over.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::sync::{Mutex, MutexGuard};

/// What has been read of stdin so far.
#[derive(Debug)]
struct Spool {
    /// The bytes read so far: stdin itself when it is a file, else the
    /// temporary copy.
    file: File,
    /// Where stdin's first byte is in `file`.
    base: u64,
    /// Bytes of stdin in `file`.
    len: u64,
    /// Stdin has no more bytes (a file has them all from the start).
    ended: bool,
}

static SPOOL: Mutex<Option<Spool>> = Mutex::new(None);

fn spool() -> MutexGuard<'static, Option<Spool>> {
    SPOOL.lock().unwrap_or_else(|e| e.into_inner())
}

/// From now on every [`reader`] reads stdin from its first byte. Before
/// anything is read from stdin.
pub fn keep() -> io::Result<()> {
    let mut s = spool();
    if s.is_none() {
        *s = Some(Spool::new()?);
    }
    Ok(())
}

/// Whether stdin is kept ([`keep`]).
pub fn kept() -> bool {
    spool().is_some()
}

impl Spool {
    fn new() -> io::Result<Spool> {
        use std::io::Seek;
        use std::os::fd::AsFd;
        let mut own = File::from(io::stdin().as_fd().try_clone_to_owned()?);
        if own.metadata()?.is_file() {
            let base = own.stream_position()?;
            let len = own.metadata()?.len().saturating_sub(base);
            return Ok(Spool {
                file: own,
                base,
                len,
                ended: true,
            });
        }
        Ok(Spool {
            file: temporary()?,
            base: 0,
            len: 0,
            ended: false,
        })
    }

    /// Bytes of stdin from `pos` into `buf`: the copy first, then stdin
    /// itself, copied as it is read.
    fn read_at(&mut self, buf: &mut [u8], pos: u64) -> io::Result<usize> {
        if pos < self.len {
            let n = buf.len().min((self.len - pos) as usize);
            return self.file.read_at(&mut buf[..n], self.base + pos);
        }
        if self.ended {
            return Ok(0);
        }
        let n = io::stdin().lock().read(buf)?;
        if n == 0 {
            self.ended = true;
        }
        self.file.write_all_at(&buf[..n], self.len)?;
        self.len += n as u64;
        Ok(n)
    }
}

/// An empty file no other process can open, gone when the run ends.
fn temporary() -> io::Result<File> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let path = std::env::temp_dir().join(format!("wacost-stdin-{}-{nanos}", std::process::id()));
    let file = File::options()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)?;
    std::fs::remove_file(&path)?;
    Ok(file)
}

/// Stdin from its first byte, when kept; else stdin as it comes.
pub fn reader() -> Box<dyn Read + Send> {
    if kept() {
        Box::new(Again { pos: 0 })
    } else {
        Box::new(io::stdin())
    }
}

/// A reading of kept stdin from its first byte.
struct Again {
    pos: u64,
}

impl Read for Again {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut s = spool();
        let Some(spool) = s.as_mut() else {
            return io::stdin().lock().read(buf);
        };
        let n = spool.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spool_reads_back_what_it_copied_then_carries_on() {
        let mut s = Spool {
            file: temporary().unwrap(),
            base: 0,
            len: 0,
            ended: true,
        };
        s.file.write_all_at(b"timestamp,direction\n", 0).unwrap();
        s.len = 20;
        let mut buf = [0u8; 9];
        assert_eq!(s.read_at(&mut buf, 0).unwrap(), 9);
        assert_eq!(&buf, b"timestamp");
        assert_eq!(s.read_at(&mut buf, 18).unwrap(), 2);
        assert_eq!(&buf[..2], b"n\n");
        assert_eq!(s.read_at(&mut buf, 20).unwrap(), 0);
    }
}
