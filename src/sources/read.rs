//! Reading catalog files safely: bounded size, no binaries, UTF-8 only.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Largest file stagehand reads as a catalog or placeholder file.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Why a file could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The file does not exist.
    #[error("file not found")]
    NotFound,
    /// Larger than [`MAX_FILE_BYTES`].
    #[error("file is {size} bytes, more than the {limit} byte limit for catalog files")]
    TooLarge {
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Contains NUL bytes.
    #[error("file looks binary (NUL byte at offset {0}); catalog files are YAML text")]
    Binary(usize),
    /// Not valid UTF-8.
    #[error("file is not valid UTF-8 (line {line}, byte {offset}); save it as UTF-8")]
    NotUtf8 {
        /// 1-based line of the first bad byte.
        line: usize,
        /// Byte offset of the first bad byte.
        offset: usize,
    },
    /// A FIFO, socket, device or folder: reading it could block for ever
    /// or never end.
    #[error("not a regular file (a {0}); catalog and placeholder files must be regular files")]
    NotRegular(&'static str),
    /// Any other I/O error.
    #[error("{0}")]
    Io(String),
}

/// Opens a file for reading without blocking on a FIFO (whose open waits
/// for a writer).
fn open(path: &Path) -> std::io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)
    }
    #[cfg(not(unix))]
    {
        File::open(path)
    }
}

/// What a file that is not a regular file is, for messages.
fn file_type_name(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "FIFO";
        }
        if file_type.is_socket() {
            return "socket";
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return "device";
        }
    }
    if file_type.is_dir() { "folder" } else { "special file" }
}

/// Reads a regular file as UTF-8 text within the size limit.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    let file = open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound,
        _ => ReadError::Io(e.to_string()),
    })?;
    let metadata = file.metadata().map_err(|e| ReadError::Io(e.to_string()))?;
    if !metadata.is_file() {
        return Err(ReadError::NotRegular(file_type_name(metadata.file_type())));
    }
    let size = metadata.len();
    if size > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge { size, limit: MAX_FILE_BYTES });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| ReadError::Io(e.to_string()))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge { size: bytes.len() as u64, limit: MAX_FILE_BYTES });
    }
    decode(bytes)
}

/// Checks and converts bytes to text.
pub fn decode(bytes: Vec<u8>) -> Result<String, ReadError> {
    if let Some(at) = bytes.iter().position(|b| *b == 0) {
        return Err(ReadError::Binary(at));
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..offset].iter().filter(|b| **b == b'\n').count() + 1;
        ReadError::NotUtf8 { line, offset }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_binary_and_non_utf8() {
        assert_eq!(decode(b"a: 1\n\0".to_vec()), Err(ReadError::Binary(5)));
        assert_eq!(decode(b"a: 1\nb: \xff\n".to_vec()), Err(ReadError::NotUtf8 { line: 2, offset: 8 }));
        assert_eq!(decode(b"ok".to_vec()).unwrap(), "ok");
    }

    #[test]
    fn reports_missing_and_large_files() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_text(&dir.path().join("nope")), Err(ReadError::NotFound));
        let big = dir.path().join("big");
        let f = File::create(&big).unwrap();
        f.set_len(MAX_FILE_BYTES + 1).unwrap();
        assert!(matches!(read_text(&big), Err(ReadError::TooLarge { .. })));
        assert_eq!(read_text(dir.path()), Err(ReadError::NotRegular("folder")));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        assert_eq!(read_text(&fifo), Err(ReadError::NotRegular("FIFO")));
        assert_eq!(read_text(Path::new("/dev/zero")), Err(ReadError::NotRegular("device")));
    }
}
