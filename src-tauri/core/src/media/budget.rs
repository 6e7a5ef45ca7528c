//! The memory images may take, for one image and for all images being prepared in the process.
//!
//! Before a decoder allocates anything large, the image's peak is estimated from its header (the
//! full bitmap for a WebP or an interlaced PNG, libjpeg's coefficient buffer for a progressive JPEG,
//! the downscaled copy for streamed formats, plus what fitting and encoding take) and reserved here.
//! An image whose estimate is over [`IMAGE_BYTES`] is refused with a message that says so; one that
//! fits waits until the images already being prepared leave room within [`PROCESS_BYTES`]. So four
//! images of a post prepared at once, or previews, posts and link-card thumbnails in the window at
//! the same time, stay within one bound whatever the number of cores.
//!
//! The numbers come from the limits of issue 10 (512 MiB for one image, 1 GiB for four at once, in
//! a `hayon-cli media prepare` process that itself takes about 10 MiB) with room for the allocator
//! and the codecs' small buffers, which are not counted. A post's images at 4000 px (issue 20) need
//! more than at 2000: a 100 MP PNG with alpha is read shrunk to 5000×5000 (the shrinker's copy and
//! the decoded one) and resampled to 4000×4000, about 340 MiB as estimated.

use std::sync::{Condvar, Mutex, PoisonError};

/// The most one image may reserve: the largest image Hayon accepts, prepared at 4000 px, with room;
/// well under the 512 MiB one process may take for it.
pub const IMAGE_BYTES: u64 = 352 * MIB;
/// The most all images being prepared in this process may reserve together.
pub const PROCESS_BYTES: u64 = 600 * MIB;

const MIB: u64 = 1024 * 1024;

/// Memory reserved for one image; given back when dropped.
#[derive(Debug)]
#[must_use = "the memory is given back when the reservation is dropped"]
pub(super) struct Reservation {
    bytes: u64,
}

/// An estimate over [`IMAGE_BYTES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct OverBudget;

static RESERVED: Mutex<u64> = Mutex::new(0);
static RELEASED: Condvar = Condvar::new();

/// Reserves `bytes` for one image, waiting while other images hold the room it needs.
pub(super) fn reserve(bytes: u64) -> Result<Reservation, OverBudget> {
    if bytes > IMAGE_BYTES {
        return Err(OverBudget);
    }
    let mut reserved = RESERVED.lock().unwrap_or_else(PoisonError::into_inner);
    while *reserved + bytes > PROCESS_BYTES {
        reserved = RELEASED
            .wait(reserved)
            .unwrap_or_else(PoisonError::into_inner);
    }
    *reserved += bytes;
    Ok(Reservation { bytes })
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut reserved = RESERVED.lock().unwrap_or_else(PoisonError::into_inner);
        *reserved = reserved.saturating_sub(self.bytes);
        RELEASED.notify_all();
    }
}

#[cfg(test)]
pub(super) fn reserved_now() -> u64 {
    *RESERVED.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;

    #[test]
    fn over_the_image_budget_is_refused_and_the_process_budget_is_never_exceeded() {
        assert_eq!(reserve(IMAGE_BYTES + 1).map(|_| ()), Err(OverBudget));
        // Images of a third of the process budget each: two or three fit at once.
        let each = (PROCESS_BYTES / 3).min(IMAGE_BYTES);
        let peak = AtomicU64::new(0);
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    for _ in 0..5 {
                        let held = reserve(each).expect("within the image budget");
                        peak.fetch_max(reserved_now(), Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(2));
                        drop(held);
                    }
                });
            }
        });
        let peak = peak.load(Ordering::SeqCst);
        assert!(peak <= PROCESS_BYTES, "{peak}");
        assert!(peak >= 2 * each, "several images did run at once: {peak}");
    }
}
