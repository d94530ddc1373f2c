//! Bytes a sync sets aside on disk instead of in memory: the bodies of the
//! records as their files are parsed ([`Spill`]), and the index's bodies
//! section as it is laid out ([`BodySink`]). Both are unnamed temporary
//! files in the index's folder, gone when the sync ends or is killed.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Mutex;

use crate::index::checksum::{self, BLOCK, Blocks};

/// An append-only temporary file of record bodies, shared by the threads
/// that parse files.
pub struct Spill {
    /// The writer and how many bytes it took.
    writer: Mutex<(BufWriter<File>, u64)>,
}

impl Spill {
    /// A new spill file in `dir`.
    pub fn new_in(dir: &Path) -> io::Result<Spill> {
        let writer = BufWriter::with_capacity(1 << 20, tempfile::tempfile_in(dir)?);
        Ok(Spill { writer: Mutex::new((writer, 0)) })
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

    /// The `len` bytes at `at`, appended to `out`.
    pub(super) fn read_into(&self, at: u64, len: usize, out: &mut Vec<u8>) -> io::Result<()> {
        let mut guard = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let writer = &mut guard.0;
        writer.flush()?;
        let file = writer.get_mut();
        file.seek(SeekFrom::Start(at))?;
        let start = out.len();
        out.resize(start + len, 0);
        let read = file.read_exact(&mut out[start..]);
        // Appends go on at the end.
        file.seek(SeekFrom::End(0))?;
        read
    }
}

/// Where the bodies section of a new index goes: memory, or a temporary
/// file with the checksums of its blocks taken as it is written.
pub(super) enum BodySink {
    /// In memory.
    Memory(Vec<u8>),
    /// On disk.
    File(BodyFile),
}

/// The bodies section of a new index, on disk.
pub struct BodyFile {
    writer: BufWriter<File>,
    len: u64,
    sums: Vec<u64>,
    /// The block being filled.
    block: Vec<u8>,
}

impl BodySink {
    /// How many bytes it holds.
    pub(super) fn len(&self) -> u64 {
        match self {
            BodySink::Memory(v) => v.len() as u64,
            BodySink::File(f) => f.len,
        }
    }

    /// Appends one body, which `write` puts into the buffer it is given
    /// (in memory: the bodies themselves).
    pub(super) fn push(
        &mut self,
        scratch: &mut Vec<u8>,
        write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>,
    ) -> io::Result<()> {
        match self {
            BodySink::Memory(v) => write(v),
            BodySink::File(f) => {
                scratch.clear();
                write(scratch)?;
                f.write(scratch)
            }
        }
    }
}

impl BodyFile {
    /// A new, empty bodies file in `dir`.
    pub(super) fn new_in(dir: &Path) -> io::Result<BodyFile> {
        let writer = BufWriter::with_capacity(1 << 20, tempfile::tempfile_in(dir)?);
        Ok(BodyFile { writer, len: 0, sums: Vec::new(), block: Vec::with_capacity(BLOCK) })
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
        Ok(())
    }

    /// The file, rewound, with its length and the checksums of its blocks.
    pub fn finish(mut self) -> io::Result<(File, u64, Blocks)> {
        if !self.block.is_empty() {
            self.sums.push(checksum::sum(&self.block));
        }
        let mut file = self.writer.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.rewind()?;
        Ok((file, self.len, Blocks(self.sums)))
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

        let mut bodies = BodyFile::new_in(dir.path()).unwrap();
        let all: Vec<u8> = (0..3 * BLOCK + 100).map(|i| (i % 251) as u8).collect();
        for chunk in all.chunks(777) {
            bodies.write(chunk).unwrap();
        }
        let (mut file, len, sums) = bodies.finish().unwrap();
        let mut back = Vec::new();
        io::Read::read_to_end(&mut file, &mut back).unwrap();
        assert_eq!((back, len), (all.clone(), all.len() as u64));
        assert_eq!(sums, Blocks::of(&all));
    }
}
