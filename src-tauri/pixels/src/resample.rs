//! Downscaling of interleaved 8-bit pixels (RGB or premultiplied RGBA): a separable Lanczos3 filter
//! in fixed point, one pass per axis through an 8-bit intermediate, the method of Pillow and
//! libvips. Large ratios are first box-averaged by a whole factor (libvips' "shrink"),
//! so the filter never needs more than about a dozen taps.
//!
//! It works over the image's own buffer, eight output rows at a time: no second full-size copy
//! (a 12 MP photo fitted to 4000 px holds 36 MB, not three times that), and the horizontal pass
//! filters the eight rows' pixels side by side, so that each tap is one multiply-add over 24 lanes.
//! Both passes multiply through [`multiply_add`], written so that the compiler vectorizes it with
//! SSE2's `pmaddwd`. That needs the loop vectorizer: in a binary linked with fat LTO the whole
//! program is optimised at the binary's opt-level, so the CLI is built at opt-level 3 (the
//! workspace's Cargo.toml) and the window, at "z" for its size, runs these loops as scalar code
//! (4032×3024 → 4000×3000: about 110 ms vectorized, 300–400 ms scalar).
//!
//! Written here rather than taken from `fast_image_resize`: that crate is faster still (SIMD
//! written by hand) but adds 1.7–3.8 MB to the binary.

use std::collections::VecDeque;

/// Fixed-point precision of the weights: 14 bits, so that a weight is an `i16` and 8-bit samples ×
/// weights are 16-bit multiplications the compiler vectorizes (SSE2 has no fast 32-bit one); the sum
/// of a dozen taps fits an `i32` even with Lanczos' negative lobes.
const PRECISION: u32 = 14;
/// Lanczos3 reaches 3 source pixels each side (scaled by the ratio when shrinking).
const SUPPORT: f64 = 3.0;
/// A whole-factor box shrink comes first when the ratio is at least this.
const BOX_FIRST: f64 = 3.0;

/// `pixels` (`width`×`height`, `channels` per pixel) resampled to `new_width`×`new_height`, neither
/// larger than before (it downscales). The output is written over `pixels` as it is made: each
/// strip of output rows waits in a queue until the source rows its bytes would cover are no longer
/// needed. Output rows are shorter or fewer than the source's, so the queue drains as it goes; how
/// soon depends on the ratio (4032×3024 → 4000×3000: about 200 rows, 2.4 MB, then a few), and only
/// when the width stays and the height loses a row or two does it hold nearly the whole output, as a
/// separate output buffer would. The buffer is returned truncated to the new size.
pub fn resample(
    mut pixels: Vec<u8>,
    (width, height): (usize, usize),
    channels: usize,
    (new_width, new_height): (usize, usize),
) -> Vec<u8> {
    assert!(
        new_width <= width && new_height <= height,
        "resample only downscales"
    );
    let factor = box_factor(width, new_width).min(box_factor(height, new_height));
    if factor > 1 {
        let (shrunk, size) = box_shrink(&pixels, (width, height), channels, factor);
        drop(pixels);
        return resample(shrunk, size, channels, (new_width, new_height));
    }
    let mut filter = Filter::new((width, height), channels, (new_width, new_height));
    let (stride, new_stride) = (width * channels, new_width * channels);
    let mut queue = Queue {
        rows: VecDeque::new(),
        spare: Vec::new(),
        stride: new_stride,
    };
    for y in (0..new_height).step_by(STRIP) {
        // Source rows before the first these output rows read are needed by no later row either.
        queue.flush(&mut pixels, filter.vertical.of(y).0 * stride);
        let count = STRIP.min(new_height - y);
        let mut rows = queue.spare.pop().unwrap_or_default();
        rows.resize(new_stride * count, 0);
        filter.rows(&pixels, y, &mut rows, new_stride);
        queue.rows.push_back((y, rows));
    }
    queue.flush(&mut pixels, usize::MAX);
    pixels.truncate(new_stride * new_height);
    pixels
}

/// Strips of output rows made but not yet written over the source, by their first row.
struct Queue {
    rows: VecDeque<(usize, Vec<u8>)>,
    spare: Vec<Vec<u8>>,
    stride: usize,
}

impl Queue {
    /// Writes the rows waiting whose bytes end at or before `free` (bytes of `pixels` no longer
    /// read), in order.
    fn flush(&mut self, pixels: &mut [u8], free: usize) {
        while let Some((y, rows)) = self.rows.pop_front() {
            let start = y * self.stride;
            if start + rows.len() > free {
                self.rows.push_front((y, rows));
                return;
            }
            pixels[start..start + rows.len()].copy_from_slice(&rows);
            self.spare.push(rows);
        }
    }
}

/// Output rows made together: the horizontal pass filters this many rows at once, their pixels
/// interleaved, so that each tap is one multiply-add over `STRIP × channels` lanes, which the
/// compiler vectorizes (one row at a time it would be 3 or 4 lanes, scalar code).
const STRIP: usize = 8;

/// The two passes, [`STRIP`] output rows at a time: vertical first (it runs over whole rows and
/// vectorizes) into a strip of source-wide rows, interleaved, then horizontal, on that strip.
struct Filter {
    vertical: Taps,
    horizontal: Taps,
    channels: usize,
    stride: usize,
    /// One row of the vertical pass, before it is rounded to 8 bits.
    sums: Vec<i32>,
    /// Pixel `x` of strip row `r`, channel `c`, at `(x × STRIP + r) × channels + c`.
    strip: Vec<u8>,
}

impl Filter {
    fn new(
        (width, height): (usize, usize),
        channels: usize,
        (new_width, new_height): (usize, usize),
    ) -> Self {
        Self {
            vertical: Taps::new(height, new_height),
            horizontal: Taps::new(width, new_width),
            channels,
            stride: width * channels,
            sums: vec![0; width * channels],
            strip: vec![0; width * channels * STRIP],
        }
    }

    /// Output rows from `y` on into `out`, which holds at most [`STRIP`] whole rows.
    fn rows(&mut self, src: &[u8], y: usize, out: &mut [u8], new_stride: usize) {
        let count = out.len() / new_stride;
        let (stride, channels) = (self.stride, self.channels);
        for r in 0..count {
            let (first, weights) = self.vertical.of(y + r);
            self.sums.fill(1 << (PRECISION - 1));
            for (k, &weight) in weights.iter().enumerate() {
                let start = (first + k) * stride;
                multiply_add(&mut self.sums, &src[start..start + stride], weight);
            }
            match channels {
                3 => interleave::<3>(&self.sums, &mut self.strip, r),
                4 => interleave::<4>(&self.sums, &mut self.strip, r),
                _ => interleave::<1>(&self.sums, &mut self.strip, r),
            }
        }
        match channels {
            3 => horizontal::<3, { 3 * STRIP }>(&self.strip, out, new_stride, &self.horizontal),
            4 => horizontal::<4, { 4 * STRIP }>(&self.strip, out, new_stride, &self.horizontal),
            _ => horizontal::<1, STRIP>(&self.strip, out, new_stride, &self.horizontal),
        }
    }
}

/// The vertical pass's `sums` for one row, as 8-bit samples, into row `r` of `strip`; `C` channels
/// known at compile time (so that each pixel is a few stores, not a call to `memcpy`).
fn interleave<const C: usize>(sums: &[i32], strip: &mut [u8], r: usize) {
    for (pixel, sums) in strip.chunks_exact_mut(STRIP * C).zip(sums.chunks_exact(C)) {
        for (target, &sum) in pixel[r * C..(r + 1) * C].iter_mut().zip(sums) {
            *target = clamp(sum);
        }
    }
}

/// The rows of `strip` (`L` = `STRIP × C` lanes a pixel) through the horizontal filter, into the
/// rows of `out`; `C` channels (1, 3 or 4) known at compile time.
fn horizontal<const C: usize, const L: usize>(
    strip: &[u8],
    out: &mut [u8],
    new_stride: usize,
    taps: &Taps,
) {
    for x in 0..new_stride / C {
        let (first, weights) = taps.of(x);
        let mut sums = [1i32 << (PRECISION - 1); L];
        let window = &strip[first * L..(first + weights.len()) * L];
        for (source, &weight) in window.chunks_exact(L).zip(weights) {
            multiply_add(&mut sums, source, weight);
        }
        let mut pixels = [0u8; L];
        for (target, &sum) in pixels.iter_mut().zip(&sums) {
            *target = clamp(sum);
        }
        for (row, pixel) in out.chunks_exact_mut(new_stride).zip(pixels.chunks_exact(C)) {
            row[x * C..(x + 1) * C].copy_from_slice(pixel);
        }
    }
}

/// `sums += weight × samples`, lane by lane. The weight's sign is taken out of the loop so that
/// both factors are non-negative 16-bit numbers, which the compiler multiplies with `pmaddwd`
/// (signed, it would emulate a 32-bit multiplication, SSE2 having none).
#[inline(always)]
fn multiply_add(sums: &mut [i32], samples: &[u8], weight: i16) {
    let magnitude = i32::from(weight.unsigned_abs() & 0x7fff);
    if weight >= 0 {
        for (sum, &sample) in sums.iter_mut().zip(samples) {
            *sum += magnitude * i32::from(sample);
        }
    } else {
        for (sum, &sample) in sums.iter_mut().zip(samples) {
            *sum -= magnitude * i32::from(sample);
        }
    }
}

fn clamp(sum: i32) -> u8 {
    (sum >> PRECISION).clamp(0, 255) as u8
}

/// For each output position, the first source index and the fixed-point weights from there.
struct Taps {
    starts: Vec<usize>,
    /// `per` weights for each output position (zero-padded).
    weights: Vec<i16>,
    lengths: Vec<usize>,
    per: usize,
}

impl Taps {
    fn new(from: usize, to: usize) -> Self {
        let scale = from as f64 / to as f64;
        let stretch = scale.max(1.0);
        let reach = SUPPORT * stretch;
        let per = (reach.ceil() as usize) * 2 + 2;
        let mut taps = Taps {
            starts: Vec::with_capacity(to),
            weights: vec![0; per * to],
            lengths: Vec::with_capacity(to),
            per,
        };
        let mut floats = Vec::with_capacity(per);
        for (i, slot) in taps.weights.chunks_exact_mut(per).enumerate() {
            let center = (i as f64 + 0.5) * scale;
            let first = ((center - reach).floor().max(0.0)) as usize;
            let end = ((center + reach).ceil() as usize).min(from).max(first + 1);
            floats.clear();
            floats.extend((first..end).map(|k| lanczos3((k as f64 + 0.5 - center) / stretch)));
            let total: f64 = floats.iter().sum();
            let total = if total.abs() < f64::EPSILON {
                1.0
            } else {
                total
            };
            let unit = f64::from(1u32 << PRECISION);
            for (weight, float) in slot.iter_mut().zip(&floats) {
                *weight = (float / total * unit).round() as i16;
            }
            taps.starts.push(first);
            taps.lengths.push(floats.len().min(per));
        }
        taps
    }

    fn of(&self, i: usize) -> (usize, &[i16]) {
        let weights = &self.weights[i * self.per..i * self.per + self.lengths[i]];
        (self.starts[i], weights)
    }
}

fn lanczos3(x: f64) -> f64 {
    fn sinc(x: f64) -> f64 {
        if x == 0.0 {
            1.0
        } else {
            let x = x * std::f64::consts::PI;
            x.sin() / x
        }
    }
    if x.abs() < SUPPORT {
        sinc(x) * sinc(x / SUPPORT)
    } else {
        0.0
    }
}

/// The whole factor to box-shrink by first so that at most a ratio of 2–3 is left to filter.
fn box_factor(from: usize, to: usize) -> usize {
    let ratio = from as f64 / to.max(1) as f64;
    if ratio < BOX_FIRST {
        1
    } else {
        (ratio / 2.0).floor() as usize
    }
}

/// Averages `factor`×`factor` blocks (the partial blocks at the right and bottom edges too).
fn box_shrink(
    src: &[u8],
    (width, height): (usize, usize),
    channels: usize,
    factor: usize,
) -> (Vec<u8>, (usize, usize)) {
    let (new_width, new_height) = (width.div_ceil(factor), height.div_ceil(factor));
    let stride = new_width * channels;
    let mut out = vec![0u8; stride * new_height];
    let mut sums = vec![0u32; stride];
    let mut counts = vec![0u32; new_width];
    for (block_row, out_row) in out.chunks_exact_mut(stride).enumerate() {
        sums.fill(0);
        counts.fill(0);
        let rows = block_row * factor..((block_row + 1) * factor).min(height);
        for row in src
            .chunks_exact(width * channels)
            .take(rows.end)
            .skip(rows.start)
        {
            for (x, pixel) in row.chunks_exact(channels).enumerate() {
                let column = x / factor;
                counts[column] += 1;
                let sum = &mut sums[column * channels..(column + 1) * channels];
                for (total, &sample) in sum.iter_mut().zip(pixel) {
                    *total += u32::from(sample);
                }
            }
        }
        for (x, count) in counts.iter().enumerate() {
            let count = (*count).max(1);
            let sum = &sums[x * channels..(x + 1) * channels];
            for (target, total) in out_row[x * channels..].iter_mut().zip(sum) {
                *target = ((total + count / 2) / count) as u8;
            }
        }
    }
    (out, (new_width, new_height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_colour_stays_flat_at_any_ratio() {
        let src = [10u8, 200, 30].repeat(97 * 61);
        for size in [(96, 60), (50, 31), (20, 13), (7, 5), (1, 1)] {
            let out = resample(src.clone(), (97, 61), 3, size);
            assert_eq!(out.len(), size.0 * size.1 * 3);
            assert!(
                out.chunks_exact(3).all(|pixel| pixel == [10, 200, 30]),
                "{size:?}"
            );
        }
    }

    #[test]
    fn writing_over_the_source_changes_nothing() {
        let (width, height) = (203, 157);
        let src: Vec<u8> = (0..width * height * 3)
            .map(|i| (i * 7919 % 251) as u8)
            .collect();
        for size in [(200, 155), (203, 100), (150, 157), (101, 78)] {
            let mut filter = Filter::new((width, height), 3, size);
            let new_stride = size.0 * 3;
            let mut apart = vec![0u8; new_stride * size.1];
            for (strip, rows) in apart.chunks_mut(new_stride * STRIP).enumerate() {
                filter.rows(&src, strip * STRIP, rows, new_stride);
            }
            let over = resample(src.clone(), (width, height), 3, size);
            assert!(over == apart, "{size:?}");
        }
    }

    #[test]
    fn halving_averages_neighbours() {
        // Columns alternate black and white: half size is mid grey (away from the edges, where
        // the cut-off kernel rings).
        let row: Vec<u8> = (0..64).map(|x| if x % 2 == 0 { 0 } else { 255 }).collect();
        let src = row.repeat(64);
        let out = resample(src, (64, 64), 1, (32, 32));
        for row in out.chunks_exact(32) {
            assert!(
                row[2..30].iter().all(|&v| (120..=135).contains(&v)),
                "{row:?}"
            );
        }
    }

    #[test]
    fn large_ratios_box_shrink_first() {
        assert_eq!(box_factor(8000, 2000), 2);
        assert_eq!(box_factor(4032, 2000), 1);
        let src = [255u8, 0, 0, 255].repeat(1000 * 10);
        let out = resample(src, (1000, 10), 4, (100, 1));
        assert!(out.chunks_exact(4).all(|pixel| pixel == [255, 0, 0, 255]));
    }
}
