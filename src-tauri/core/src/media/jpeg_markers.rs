//! A walk over a JPEG's markers before libjpeg reads it, for the two costs libjpeg cannot be asked
//! to limit through the `mozjpeg` crate (it exposes neither a progress monitor nor
//! `max_memory_to_use`):
//!
//! - **Scans.** libjpeg goes over every block of a component for each scan that covers it, even a
//!   scan that carries no data (one "end of band" run over the whole image). A 600 KB progressive
//!   file that repeats one scan 10,000 times costs seconds of CPU; the number of scans and the
//!   blocks they cover are counted here and refused over [`MAX_SCANS`] / [`MAX_BLOCK_VISITS`].
//! - **Memory.** A progressive or multi-scan JPEG is decoded into a buffer of every DCT coefficient
//!   of the image (128 bytes per 8×8 block, whatever the output scaling); its size is computed here
//!   exactly as libjpeg does (jdinput.c, jdcoefct.c), for the memory budget.
//!
//! The walk reads the file once, in constant memory: segment payloads are skipped by their length,
//! and entropy-coded data by looking for the next marker (`FF` followed by neither `00` nor a restart
//! marker), which is how libjpeg finds it. A single-scan (baseline) JPEG is walked only up to its
//! scan, since libjpeg refuses a second one there. A file that is not well formed ends the walk
//! with what was seen; libjpeg then reports the damage.

use std::io::{self, BufRead, Read};

/// libjpeg-turbo's own fuzz targets decode with `TJPARAM_SCANLIMIT` 500; real encoders write about
/// 10 (libjpeg's default progression) to a few dozen (mozjpeg's optimised scans).
pub(super) const MAX_SCANS: u32 = 500;
/// Blocks decoded over all scans. libjpeg-turbo takes 8–14 ns per block and scan in a release
/// build here (a 6000×6000 JPEG with 456 scans, 256 million visits: 2.1 s of CPU; BENCHMARKS.md ›
/// Hostile images), so this is about 1–1.5 s. A 50 MP 4:2:0 progressive photo (the largest the
/// memory budget takes) visits about 6 million blocks with libjpeg's ten scans.
pub(super) const MAX_BLOCK_VISITS: u64 = 100_000_000;

/// What the walk found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Survey {
    /// From the first start-of-frame marker, if any.
    pub frame: Option<Frame>,
    /// Scans seen (the walk stops counting past the limits).
    pub scans: u32,
    /// Blocks that libjpeg decodes over those scans.
    pub block_visits: u64,
    /// Whether libjpeg buffers the whole image's coefficients (progressive, or a first scan that
    /// does not hold every component).
    pub buffered: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Frame {
    pub width: u32,
    pub height: u32,
    pub progressive: bool,
    /// Component id and sampling factors (horizontal, vertical).
    pub components: Vec<(u8, u8, u8)>,
}

impl Survey {
    /// Whether decoding would take more scans or block visits than allowed.
    pub fn too_much_work(&self) -> bool {
        self.scans > MAX_SCANS || self.block_visits > MAX_BLOCK_VISITS
    }

    /// Bytes of libjpeg's whole-image coefficient buffer (0 when it decodes scan line by line).
    pub fn coefficient_bytes(&self) -> u64 {
        match &self.frame {
            Some(frame) if self.buffered => frame
                .blocks()
                .iter()
                .zip(&frame.components)
                .map(|(&(across, down), &(_, h, v))| {
                    across.next_multiple_of(u64::from(h)) * down.next_multiple_of(u64::from(v))
                })
                .sum::<u64>()
                .saturating_mul(128),
            _ => 0,
        }
    }
}

impl Frame {
    fn max_sampling(&self) -> (u64, u64) {
        self.components.iter().fold((1, 1), |(h, v), &(_, ch, cv)| {
            (h.max(u64::from(ch)), v.max(u64::from(cv)))
        })
    }

    /// Each component's size in 8×8 blocks (jdinput.c `initial_setup`).
    fn blocks(&self) -> Vec<(u64, u64)> {
        let (max_h, max_v) = self.max_sampling();
        self.components
            .iter()
            .map(|&(_, h, v)| {
                (
                    (u64::from(self.width) * u64::from(h)).div_ceil(max_h * 8),
                    (u64::from(self.height) * u64::from(v)).div_ceil(max_v * 8),
                )
            })
            .collect()
    }

    /// Blocks one scan over the components with these ids decodes: a single component block by
    /// block, several by whole MCUs.
    fn scan_blocks(&self, ids: &[u8]) -> u64 {
        let blocks = self.blocks();
        let in_scan = || {
            self.components
                .iter()
                .zip(&blocks)
                .filter(|((id, _, _), _)| ids.contains(id))
        };
        if ids.len() == 1 {
            return in_scan().map(|(_, &(across, down))| across * down).sum();
        }
        let (max_h, max_v) = self.max_sampling();
        let mcus =
            u64::from(self.width).div_ceil(max_h * 8) * u64::from(self.height).div_ceil(max_v * 8);
        let per_mcu: u64 = in_scan()
            .map(|((_, h, v), _)| u64::from(*h) * u64::from(*v))
            .sum();
        mcus * per_mcu
    }
}

/// Walks `reader` (positioned at the start of the file) to its end-of-image marker or its end,
/// stopping early once the limits are exceeded.
pub(super) fn survey(reader: &mut dyn BufRead) -> io::Result<Survey> {
    let mut bytes = Bytes { reader };
    let mut survey = Survey::default();
    if bytes.next()? != Some(0xFF) || bytes.next()? != Some(0xD8) {
        return Ok(survey);
    }
    while let Some(marker) = bytes.next_marker()? {
        match marker {
            0xD9 => break,
            // Standalone markers: restart, start of image, TEM.
            0xD0..=0xD8 | 0x01 => continue,
            _ => {}
        }
        let Some(length) = bytes.u16()? else { break };
        let Some(payload) = usize::from(length).checked_sub(2) else {
            break;
        };
        match marker {
            // Start of frame (not DHT C4, JPG C8, DAC CC).
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) && survey.frame.is_none() => {
                let data = bytes.take(payload)?;
                survey.frame = parse_frame(marker, &data);
            }
            0xDA => {
                let data = bytes.take(payload)?;
                let ids: Vec<u8> = match data.first() {
                    Some(&count) => data
                        .iter()
                        .skip(1)
                        .step_by(2)
                        .take(usize::from(count))
                        .copied()
                        .collect(),
                    None => Vec::new(),
                };
                if let Some(frame) = &survey.frame {
                    if survey.scans == 0 {
                        survey.buffered = frame.progressive || ids.len() < frame.components.len();
                    }
                    survey.block_visits += frame.scan_blocks(&ids);
                }
                survey.scans += 1;
                // libjpeg refuses a second scan in a single-scan JPEG (jdinput.c), so a baseline
                // photo is walked only up to its image data.
                if survey.too_much_work() || !survey.buffered {
                    break;
                }
            }
            _ => bytes.skip(payload)?,
        }
    }
    Ok(survey)
}

/// SOFn: precision, height, width, component count, then (id, sampling, table) per component.
fn parse_frame(marker: u8, data: &[u8]) -> Option<Frame> {
    let [_, h0, h1, w0, w1, count, rest @ ..] = data else {
        return None;
    };
    let components = rest
        .chunks_exact(3)
        .take(usize::from(*count))
        .map(|c| (c[0], (c[1] >> 4).max(1), (c[1] & 0x0F).max(1)))
        .collect();
    Some(Frame {
        width: u32::from(u16::from_be_bytes([*w0, *w1])),
        height: u32::from(u16::from_be_bytes([*h0, *h1])),
        // SOF2 (Huffman) and SOF10 (arithmetic) are progressive.
        progressive: matches!(marker, 0xC2 | 0xCA),
        components,
    })
}

struct Bytes<'a> {
    reader: &'a mut dyn BufRead,
}

impl Bytes<'_> {
    fn next(&mut self) -> io::Result<Option<u8>> {
        let byte = self.reader.fill_buf()?.first().copied();
        if byte.is_some() {
            self.reader.consume(1);
        }
        Ok(byte)
    }

    fn u16(&mut self) -> io::Result<Option<u16>> {
        match (self.next()?, self.next()?) {
            (Some(high), Some(low)) => Ok(Some(u16::from_be_bytes([high, low]))),
            _ => Ok(None),
        }
    }

    /// The next marker code, skipping anything that is not one (entropy-coded data, stuffed
    /// `FF 00`, fill bytes), as libjpeg's `next_marker` does; `None` at the end of the file.
    fn next_marker(&mut self) -> io::Result<Option<u8>> {
        loop {
            // Up to the next 0xFF, a buffer at a time.
            loop {
                let buffer = self.reader.fill_buf()?;
                if buffer.is_empty() {
                    return Ok(None);
                }
                match buffer.iter().position(|&byte| byte == 0xFF) {
                    Some(at) => {
                        self.reader.consume(at + 1);
                        break;
                    }
                    None => {
                        let length = buffer.len();
                        self.reader.consume(length);
                    }
                }
            }
            let mut code = 0xFF;
            while code == 0xFF {
                match self.next()? {
                    Some(byte) => code = byte,
                    None => return Ok(None),
                }
            }
            if code != 0x00 {
                return Ok(Some(code));
            }
        }
    }

    /// At most 64 KiB (a segment's length is 16 bits).
    fn take(&mut self, length: usize) -> io::Result<Vec<u8>> {
        let mut data = Vec::with_capacity(length);
        io::Read::take(&mut *self.reader, length as u64).read_to_end(&mut data)?;
        Ok(data)
    }

    fn skip(&mut self, mut length: usize) -> io::Result<()> {
        while length > 0 {
            let available = self.reader.fill_buf()?.len();
            if available == 0 {
                break;
            }
            let step = available.min(length);
            self.reader.consume(step);
            length -= step;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 16×16 4:2:0 frame header (SOF0 or SOF2) and one scan header over `ids`.
    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![0xFF, marker];
        out.extend(u16::try_from(payload.len() + 2).unwrap_or(0).to_be_bytes());
        out.extend(payload);
        out
    }

    fn frame(marker: u8, width: u16, height: u16) -> Vec<u8> {
        let mut payload = vec![8];
        payload.extend(height.to_be_bytes());
        payload.extend(width.to_be_bytes());
        payload.extend([3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        segment(marker, &payload)
    }

    fn scan(ids: &[u8]) -> Vec<u8> {
        let mut payload = vec![ids.len() as u8];
        for id in ids {
            payload.extend([*id, 0]);
        }
        payload.extend([0, 63, 0]);
        let mut out = segment(0xDA, &payload);
        // Entropy-coded data with a stuffed FF 00 and a restart marker, which are not markers.
        out.extend([0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]);
        out
    }

    fn file(parts: &[Vec<u8>]) -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8];
        out.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
        for part in parts {
            out.extend(part);
        }
        out.extend([0xFF, 0xD9]);
        out
    }

    #[test]
    fn baseline_is_one_scan_without_a_coefficient_buffer() {
        // A second scan is an error to libjpeg here: the walk stops at the first.
        let jpeg = file(&[frame(0xC0, 4000, 3000), scan(&[1, 2, 3]), scan(&[1])]);
        let survey = survey(&mut jpeg.as_slice()).expect("walk");
        assert_eq!(survey.scans, 1);
        assert!(!survey.buffered);
        assert_eq!(survey.coefficient_bytes(), 0);
        // 250×188 MCUs of 4 + 1 + 1 blocks.
        assert_eq!(survey.block_visits, 250 * 188 * 6);
    }

    #[test]
    fn progressive_counts_every_scan_and_its_buffer() {
        let mut parts = vec![frame(0xC2, 4000, 3000), scan(&[1, 2, 3])];
        for _ in 0..9 {
            parts.push(scan(&[1]));
        }
        let survey = survey(&mut file(&parts).as_slice()).expect("walk");
        assert_eq!(survey.scans, 10);
        assert!(survey.buffered && !survey.too_much_work());
        // Luma 500×375 blocks (rounded up to 2×2 sampling: 500×376), chroma 250×188 each.
        assert_eq!(
            survey.coefficient_bytes(),
            (500 * 376 + 2 * 250 * 188) * 128
        );
        assert_eq!(survey.block_visits, 250 * 188 * 6 + 9 * 500 * 375);
    }

    #[test]
    fn a_scan_bomb_stops_the_walk_at_the_limit() {
        let mut parts = vec![frame(0xC2, 1024, 1024)];
        parts.extend(vec![scan(&[1]); 10_000]);
        let survey = survey(&mut file(&parts).as_slice()).expect("walk");
        assert_eq!(survey.scans, MAX_SCANS + 1);
        assert!(survey.too_much_work());
    }

    #[test]
    fn not_a_jpeg_or_cut_short_gives_what_was_seen() {
        assert_eq!(
            survey(&mut b"GIF89a".as_slice()).expect("walk"),
            Survey::default()
        );
        let jpeg = file(&[frame(0xC0, 640, 480), scan(&[1, 2, 3])]);
        for cut in 0..jpeg.len() {
            let survey = survey(&mut &jpeg[..cut]).expect("walk");
            assert!(survey.scans <= 1);
        }
    }
}
