//! Record keys as TIDs (timestamp identifiers): 13 characters of sortable base32 encoding microseconds
//! since 1970 and a random clock id. The client picks the key before creating a post, so a retry
//! after a lost answer uses the same key and the server refuses a duplicate.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

const ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";

/// A new TID, strictly greater than any other this process made.
pub fn next_tid() -> String {
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_micros() as u64)
        .unwrap_or_default();
    let micros = LAST
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |last| {
            Some(now.max(last + 1))
        })
        .map(|last| now.max(last + 1))
        .unwrap_or(now);
    encode(((micros & ((1 << 53) - 1)) << 10) | clock_id())
}

/// Whether `text` has the shape of a TID: 13 characters of its alphabet.
pub fn is_tid(text: &str) -> bool {
    text.len() == 13 && text.bytes().all(|byte| ALPHABET.contains(&byte))
}

/// Ten bits that differ between processes, so two devices posting in the same microsecond differ.
fn clock_id() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.subsec_nanos())
        .unwrap_or_default();
    (u64::from(std::process::id()) ^ u64::from(nanos)) & 0x3ff
}

fn encode(mut value: u64) -> String {
    let mut out = [b'2'; 13];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(value & 31) as usize];
        value >>= 5;
    }
    out.iter().map(|&byte| byte as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tids_are_13_sortable_chars_and_increase() {
        let first = next_tid();
        let second = next_tid();
        assert!(is_tid(&first), "{first}");
        assert!(!is_tid("3k2a") && !is_tid("ABCDEFGHIJKLM") && !is_tid("../../etc/pas"));
        assert!(second > first, "{second} <= {first}");
        // The top bit is zero, so the first character is in the lower half of the alphabet.
        assert!(b"234567abcdefghij".contains(&first.as_bytes()[0]));
    }
}
