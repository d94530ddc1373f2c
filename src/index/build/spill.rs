//! Bytes a sync sets aside on disk instead of in memory: the bodies of the
//! records as their files are parsed ([`Spill`]), and the index's bodies
//! section as it is laid out ([`BodySink`]). The spill is an unnamed
//! temporary file, gone when the sync ends or is killed; the bodies go into
//! the new index file itself, a named temporary file (`.index-*`) renamed
//! into place, removed when the sync fails and, after a kill, by the next
//! sync that takes the lock.

use std::fs::File;
use std::io::{self, BufWriter, Write};
#[cfg(not(unix))]
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};

use crate::index::checksum::{self, BLOCK, Blocks};

/// An append-only temporary file of record bodies, shared by the threads
/// that parse files.
pub struct Spill {
    /// The writer and how many bytes it took.
    writer: Mutex<(BufWriter<File>, u64)>,
    /// Bodies a thread of their own reads ahead of the build, in the order
    /// the build asks for them ([`Spill::read_ahead`]).
    ahead: Mutex<Option<Ahead>>,
}

/// Bodies read ahead: batches as the reading thread sends them, the one
/// being taken from, and how far it has been taken. Batches taken go back
/// to the reading thread to be filled again, so their memory is reused
/// rather than freed on another thread than the one that allocated it.
struct Ahead {
    batches: Receiver<Batch>,
    used: Sender<Batch>,
    current: Batch,
    /// The next body of `current` and where its bytes start.
    next: usize,
    offset: usize,
}

/// Consecutive bodies of the plan: each one's place in the spill, and
/// their bytes back to back.
#[derive(Default)]
struct Batch {
    places: Vec<(u64, usize)>,
    bytes: Vec<u8>,
}

/// Bodies per batch read ahead, and batches that may wait to be taken:
/// what reading ahead holds is a few hundred bodies.
const BATCH: usize = 128;
const BATCHES: usize = 2;

impl Spill {
    /// A new spill file in `dir`.
    pub fn new_in(dir: &Path) -> io::Result<Spill> {
        let writer = BufWriter::with_capacity(1 << 20, tempfile::tempfile_in(dir)?);
        Ok(Spill { writer: Mutex::new((writer, 0)), ahead: Mutex::new(None) })
    }

    /// Appends `bytes`; where they start.
    pub(super) fn append(&self, bytes: &[u8]) -> io::Result<u64> {
        let mut guard = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let (writer, len) = &mut *guard;
        writer.write_all(bytes)?;
        let at = *len;
        *len += bytes.len() as u64;
        Ok(at)
    }

    /// The `len` bytes at `at`, appended to `out`: taken from what was read
    /// ahead when they are the next body planned, else read now.
    pub(super) fn read_into(&self, at: u64, len: usize, out: &mut Vec<u8>) -> io::Result<()> {
        if self.take_ahead(at, len, out) {
            return Ok(());
        }
        let mut guard = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let writer = &mut guard.0;
        writer.flush()?;
        read_at(writer.get_mut(), at, len, out)
    }

    /// Starts reading the bodies at `places` (where, how long), one after
    /// the other, on a thread of its own, at most a few batches ahead of
    /// [`Spill::read_into`], which takes them when asked for them in this
    /// order. Reading ahead stops at the first body asked for out of this
    /// order (that body and the rest are read when asked for). Where the
    /// spill cannot be read by position, or no thread can be started,
    /// nothing is read ahead.
    pub(super) fn read_ahead(&self, places: Vec<(u64, usize)>) {
        if !cfg!(unix) || places.is_empty() {
            return;
        }
        let file = {
            let mut guard = self.writer.lock().unwrap_or_else(|e| e.into_inner());
            let writer = &mut guard.0;
            match writer.flush().and_then(|()| writer.get_ref().try_clone()) {
                Ok(file) => file,
                Err(_) => return,
            }
        };
        let (send, batches) = sync_channel(BATCHES);
        let (used, reuse) = channel();
        let reader = std::thread::Builder::new().name("spill-read-ahead".into());
        if reader.spawn(move || read_batches(&file, &places, &send, &reuse)).is_ok() {
            let ahead = Ahead { batches, used, current: Batch::default(), next: 0, offset: 0 };
            *self.ahead.lock().unwrap_or_else(|e| e.into_inner()) = Some(ahead);
        }
    }

    /// Whether the body at `at` was read ahead as the next one planned;
    /// then it is appended to `out`.
    fn take_ahead(&self, at: u64, len: usize, out: &mut Vec<u8>) -> bool {
        let mut guard = self.ahead.lock().unwrap_or_else(|e| e.into_inner());
        let Some(ahead) = guard.as_mut() else { return false };
        if ahead.next == ahead.current.places.len() {
            match ahead.batches.recv() {
                Ok(batch) => {
                    let taken = std::mem::replace(&mut ahead.current, batch);
                    // The reader may have ended: the batch is then dropped here.
                    let _ = ahead.used.send(taken);
                }
                // The plan is done, or its reading failed: read as asked.
                Err(_) => {
                    *guard = None;
                    return false;
                }
            }
            (ahead.next, ahead.offset) = (0, 0);
        }
        if ahead.current.places.get(ahead.next) != Some(&(at, len)) {
            // Out of the planned order: stop reading ahead (the thread ends
            // at its next batch).
            *guard = None;
            return false;
        }
        out.extend_from_slice(&ahead.current.bytes[ahead.offset..ahead.offset + len]);
        ahead.next += 1;
        ahead.offset += len;
        true
    }
}

/// Reads the bodies at `places` in batches into `send`, until they are
/// all read, one cannot be, or nobody takes them any more; the batches
/// come back through `reuse` once taken, to be filled again.
fn read_batches(file: &File, places: &[(u64, usize)], send: &SyncSender<Batch>, reuse: &Receiver<Batch>) {
    for chunk in places.chunks(BATCH) {
        let mut batch = reuse.try_recv().unwrap_or_default();
        batch.places.clear();
        batch.bytes.clear();
        batch.bytes.reserve(chunk.iter().map(|&(_, len)| len).sum());
        for &(at, len) in chunk {
            if read_at(file, at, len, &mut batch.bytes).is_err() {
                // What was read goes; the rest is read (and fails) when asked.
                let _ = send.send(batch);
                return;
            }
            batch.places.push((at, len));
        }
        if send.send(batch).is_err() {
            return;
        }
    }
}

/// The `len` bytes of `file` at `at`, appended to `out`, without moving the
/// file's position (the spill's writer appends at its end).
#[cfg(unix)]
fn read_at(file: &File, at: u64, len: usize, out: &mut Vec<u8>) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    let start = out.len();
    out.resize(start + len, 0);
    let read = file.read_exact_at(&mut out[start..], at);
    if read.is_err() {
        out.truncate(start);
    }
    read
}

/// [`read_at`] where reading by position moves the file's position: it is
/// put back at the end, where appends go on.
#[cfg(not(unix))]
fn read_at(mut file: &File, at: u64, len: usize, out: &mut Vec<u8>) -> io::Result<()> {
    file.seek(SeekFrom::Start(at))?;
    let start = out.len();
    out.resize(start + len, 0);
    let read = file.read_exact(&mut out[start..]);
    if read.is_err() {
        out.truncate(start);
    }
    file.seek(SeekFrom::End(0))?;
    read
}

/// Where the bodies section of a new index goes: memory, or a temporary
/// file with the checksums of its blocks taken as it is written.
pub(super) enum BodySink {
    /// In memory.
    Memory(Vec<u8>),
    /// On disk.
    File(BodyFile),
}

/// The bodies section of a new index, written in place in the temporary
/// index file that becomes the index ([`crate::index::store::save_with`]).
pub struct BodyFile {
    file: tempfile::NamedTempFile,
    writer: BufWriter<File>,
    len: u64,
    sums: Vec<u64>,
    /// The block being filled.
    block: Vec<u8>,
    /// How many bytes of bodies the kernel was last asked to start
    /// writing to disk, and how many more make it ask again.
    pushed: u64,
    push_every: u64,
}

/// Bodies written between two requests to start writing them to disk: a
/// sync's closing fsync then waits for the last few of them, not for every
/// body of a million entities at once.
const WRITEBACK: u64 = 64 << 20;

impl BodySink {
    /// How many bytes it holds.
    pub(super) fn len(&self) -> u64 {
        match self {
            BodySink::Memory(v) => v.len() as u64,
            BodySink::File(f) => f.len,
        }
    }

    /// Appends one body.
    pub(super) fn append(&mut self, body: &[u8]) -> io::Result<()> {
        match self {
            BodySink::Memory(v) => {
                v.extend_from_slice(body);
                Ok(())
            }
            BodySink::File(f) => f.write(body),
        }
    }
}

impl BodyFile {
    /// A new temporary index file in `dir`, with no bodies yet.
    pub(super) fn new_in(dir: &Path) -> io::Result<BodyFile> {
        let file = crate::index::store::new_temp(dir)?;
        let writer = BufWriter::with_capacity(1 << 20, file.as_file().try_clone()?);
        let block = Vec::with_capacity(BLOCK);
        Ok(BodyFile { file, writer, len: 0, sums: Vec::new(), block, pushed: 0, push_every: WRITEBACK })
    }

    fn write(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        self.writer.write_all(bytes)?;
        self.len += bytes.len() as u64;
        while !bytes.is_empty() {
            let take = (BLOCK - self.block.len()).min(bytes.len());
            self.block.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.block.len() == BLOCK {
                self.sums.push(checksum::sum(&self.block));
                self.block.clear();
            }
        }
        if self.len - self.pushed >= self.push_every {
            self.writer.flush()?;
            // From `pushed` on: the file's prefix puts the bodies a little
            // further, and pages already written are skipped.
            start_writeback(self.writer.get_ref(), self.pushed);
            self.pushed = self.len;
        }
        Ok(())
    }

    /// The temporary index file, its bodies written, with their length and
    /// the checksums of their blocks.
    pub fn finish(mut self) -> io::Result<(tempfile::NamedTempFile, u64, Blocks)> {
        if !self.block.is_empty() {
            self.sums.push(checksum::sum(&self.block));
        }
        self.writer.flush()?;
        Ok((self.file, self.len, Blocks(self.sums)))
    }
}

/// Asks the kernel to start writing `file`'s bytes from `from` to its end
/// to disk, without waiting for it. Best effort: where it cannot be asked
/// (not Linux) or fails, the closing fsync writes them.
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, from: u64) {
    use std::os::fd::AsRawFd;
    let Ok(from) = libc::off64_t::try_from(from) else { return };
    // SAFETY: `file` is an open descriptor for the call's whole length;
    // sync_file_range only schedules the writing of its dirty pages.
    unsafe { libc::sync_file_range(file.as_raw_fd(), from, 0, libc::SYNC_FILE_RANGE_WRITE) };
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &File, _from: u64) {}

#[cfg(test)]
impl BodyFile {
    /// A bodies file whose bytes go to `writer` instead, through a small
    /// buffer (a test's failing device).
    pub(super) fn writing_to(dir: &Path, writer: File) -> io::Result<BodyFile> {
        let mut bodies = BodyFile::new_in(dir)?;
        bodies.writer = BufWriter::with_capacity(64, writer);
        Ok(bodies)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spilled_bytes_read_back_and_block_sums_match_the_whole() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::new_in(dir.path()).unwrap();
        let a = spill.append(b"hello").unwrap();
        let b = spill.append(b"world!").unwrap();
        let mut out = Vec::new();
        spill.read_into(b, 6, &mut out).unwrap();
        spill.read_into(a, 5, &mut out).unwrap();
        assert_eq!(out, b"world!hello");

        // Read ahead in a planned order; a body asked for out of it is read
        // as asked, and so is every one after it.
        let places: Vec<(u64, usize)> = (0..1000u32)
            .map(|i| spill.append(format!("body {i};").repeat(i as usize % 7 + 1).as_bytes()).unwrap())
            .zip((0..1000u32).map(|i| format!("body {i};").len() * (i as usize % 7 + 1)))
            .collect();
        let order: Vec<(u64, usize)> = places.iter().rev().copied().collect();
        spill.read_ahead(order.clone());
        for (n, &(at, len)) in order.iter().enumerate() {
            let mut got = b"x".to_vec();
            let (at, len) = if n == 700 { places[3] } else { (at, len) };
            spill.read_into(at, len, &mut got).unwrap();
            let i = places.iter().position(|&p| p == (at, len)).unwrap();
            assert_eq!(got[1..], *format!("body {i};").repeat(i % 7 + 1).as_bytes(), "read {n}");
            let ahead = spill.ahead.lock().unwrap().is_some();
            assert_eq!(ahead, cfg!(unix) && n < 700, "read {n}");
        }
        let mut past = Vec::new();
        assert!(spill.read_into(1 << 40, 3, &mut past).is_err());
        assert!(past.is_empty());

        let mut bodies = BodyFile::new_in(dir.path()).unwrap();
        // Write-back asked for every few blocks changes nothing written.
        bodies.push_every = (BLOCK + 1000) as u64;
        let all: Vec<u8> = (0..3 * BLOCK + 100).map(|i| (i % 251) as u8).collect();
        for chunk in all.chunks(777) {
            bodies.write(chunk).unwrap();
        }
        assert!(bodies.pushed > 2 * BLOCK as u64, "write-back asked for: {}", bodies.pushed);
        let (file, len, sums) = bodies.finish().unwrap();
        let back = std::fs::read(file.path()).unwrap();
        let prefix = back.len() - all.len();
        assert!(back[..prefix].iter().all(|&b| b == 0), "room for the index's prefix");
        assert_eq!((&back[prefix..], len), (&all[..], all.len() as u64));
        assert_eq!(sums, Blocks::of(&all));
    }
}
