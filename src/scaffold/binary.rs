//! Text or binary, decided as the backend decides: a port of
//! `isbinaryfile` 5.0.7, which `fetch:template` asks about every skeleton
//! file. Only the first 512 bytes are looked at: a NUL there, more than 10%
//! of bytes that are neither printable ASCII nor a valid UTF-8 sequence, or
//! a few odd bytes that read as a protobuf message make a file binary. A
//! Latin-1 text or a NUL after byte 512 is text: it is read as UTF-8 with
//! bad bytes replaced by U+FFFD, and rendered.

/// Bytes looked at.
const MAX_BYTES: usize = 512;
/// Extra bytes read so a UTF-8 sequence at the edge can be checked.
const UTF8_BOUNDARY_RESERVE: usize = 3;

/// Whether `isbinaryfile` calls a file with these contents binary.
pub fn is_binary(contents: &[u8]) -> bool {
    let bytes_read = contents.len().min(MAX_BYTES + UTF8_BOUNDARY_RESERVE);
    let buf = &contents[..bytes_read];
    if bytes_read == 0 {
        return false;
    }
    let total = bytes_read;
    let scan = total.min(MAX_BYTES);
    let starts = |prefix: &[u8]| buf.starts_with(prefix);
    if starts(&[0xef, 0xbb, 0xbf])
        || starts(&[0x00, 0x00, 0xfe, 0xff])
        || starts(&[0xff, 0xfe, 0x00, 0x00])
        || starts(&[0x84, 0x31, 0x95, 0x33])
    {
        return false;
    }
    if starts(b"%PDF-") {
        return true;
    }
    if starts(&[0xfe, 0xff]) || starts(&[0xff, 0xfe]) {
        return false;
    }
    let at = |i: usize| buf.get(i).copied().unwrap_or(0);
    let cont = |i: usize| (0x80..=0xbf).contains(&at(i));
    let mut suspicious = 0usize;
    let mut i = 0;
    while i < scan {
        let b = buf[i];
        if b == 0 {
            return true;
        }
        if (!(7..=14).contains(&b)) && !(32..=127).contains(&b) {
            let mut valid = false;
            if (0xc0..=0xdf).contains(&b) && i + 1 < total {
                i += 1;
                valid = cont(i);
            } else if (0xe0..=0xef).contains(&b) && i + 2 < total {
                i += 1;
                if cont(i) && cont(i + 1) {
                    i += 1;
                    valid = true;
                }
            } else if (0xf0..=0xf7).contains(&b) && i + 3 < total {
                i += 1;
                if cont(i) && cont(i + 1) && cont(i + 2) {
                    i += 2;
                    valid = true;
                }
            }
            if !valid {
                suspicious += 1;
                if i >= 32 && suspicious * 100 / scan > 10 {
                    return true;
                }
            }
        }
        i += 1;
    }
    if suspicious * 100 / scan > 10 {
        return true;
    }
    suspicious > 1 && is_protobuf(buf, scan)
}

/// `isBinaryProto`: whether the bytes read as one or more protobuf
/// messages (with JavaScript's 32-bit integer arithmetic).
fn is_protobuf(buf: &[u8], size: usize) -> bool {
    let mut reader = Reader { buf, size, offset: 0, error: false };
    let mut messages = 0;
    loop {
        if !reader.message() && !reader.error {
            return false;
        }
        if reader.error {
            break;
        }
        messages += 1;
    }
    messages > 0
}

struct Reader<'a> {
    buf: &'a [u8],
    size: usize,
    offset: usize,
    error: bool,
}

impl Reader<'_> {
    fn next_byte(&mut self) -> u8 {
        if self.offset == self.size || self.error {
            self.error = true;
            return 0xff;
        }
        let b = self.buf[self.offset];
        self.offset += 1;
        b
    }

    fn skip(&mut self, len: i32) {
        for _ in 0..len.max(0) {
            if self.error {
                return;
            }
            self.next_byte();
        }
    }

    fn varint(&mut self) -> i32 {
        let mut idx: u32 = 0;
        let mut value: i32 = 0;
        while !self.error {
            let b = self.next_byte();
            value |= i32::from(b & 0x7f).wrapping_shl((7 * idx) & 31);
            if b & 0x80 == 0 {
                break;
            }
            if idx >= 10 {
                self.error = true;
                break;
            }
            idx += 1;
        }
        value
    }

    fn message(&mut self) -> bool {
        match self.varint() & 0x7 {
            0 => {
                self.varint();
                true
            }
            1 => {
                self.skip(8);
                true
            }
            2 => {
                let len = self.varint();
                self.skip(len);
                true
            }
            5 => {
                self.skip(4);
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decides_like_isbinaryfile() {
        assert!(is_binary(b"\x89PNG\r\n\x1a\n\0\0"));
        assert!(!is_binary("héllo ✓ 𝄞".as_bytes()));
        assert!(!is_binary(b""));
        assert!(is_binary(b"%PDF-1.4 ..."));
        // Latin-1 prose: a few odd bytes among much ASCII is text.
        let latin1: Vec<u8> = b"Caf\xe9 cr\xe8me br\xfbl\xe9e, and a long line of plain words after it.".to_vec();
        assert!(!is_binary(&latin1));
        // A NUL after the first 512 bytes is not looked at.
        let mut late_nul = vec![b'a'; 600];
        late_nul[520] = 0;
        assert!(!is_binary(&late_nul));
        late_nul[100] = 0;
        assert!(is_binary(&late_nul));
        // Mostly high bytes that are not UTF-8.
        assert!(is_binary(&[0x80u8; 100]));
    }
}
