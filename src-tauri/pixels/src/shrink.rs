//! Downscaling while decoding: rows go in as the decoder produces them and are averaged by whole
//! blocks (`factor`×`factor` pixels, libvips' "shrink"), so a 100-megapixel PNG never exists as a
//! 400 MB bitmap, only as a copy at most twice the wanted edge on its long side (64 MB at worst for
//! a 2000-pixel edge), which the Lanczos filter (`resample`) then fits exactly.
//!
//! Transparent pixels are averaged premultiplied (weighted by their alpha), so the colour of
//! invisible pixels does not bleed into visible ones. A fully transparent pixel adds nothing, which
//! lets a GIF frame smaller than its screen push only its own pixels.

/// The layout of decoded 8-bit rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Gray,
    GrayAlpha,
    Rgb,
    Rgba,
}

impl Layout {
    pub fn channels(self) -> usize {
        match self {
            Self::Gray => 1,
            Self::GrayAlpha => 2,
            Self::Rgb => 3,
            Self::Rgba => 4,
        }
    }

    pub fn has_alpha(self) -> bool {
        matches!(self, Self::GrayAlpha | Self::Rgba)
    }
}

/// The downscaled pixels: RGB, or RGBA (not premultiplied) when some pixel is not opaque.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shrunk {
    pub width: u32,
    pub height: u32,
    pub alpha: bool,
    pub raw: Vec<u8>,
}

/// A downscaled copy being filled from rows of a `width`×`height` image.
#[derive(Debug)]
pub struct Shrinker {
    width: usize,
    height: usize,
    factor: usize,
    out_width: usize,
    out_height: usize,
    /// 4 (RGBA, colour premultiplied while summed) when the input may be transparent, else 3.
    channels: usize,
    /// Sums of the block row being filled: colour × alpha and alpha (RGBA), or colour (RGB).
    sums: Vec<u32>,
    block_row: Option<usize>,
    out: Vec<u8>,
    pixels_pushed: u64,
    all_opaque: bool,
    /// A palette row expanded to RGBA.
    expanded: Vec<u8>,
}

impl Shrinker {
    /// For an image of `width`×`height` whose rows may have alpha, to end within
    /// 2 × `max_edge` on its long edge.
    pub fn new(width: u32, height: u32, alpha: bool, max_edge: u32) -> Self {
        let factor = shrink_factor(width.max(height), max_edge);
        let (width, height) = (width as usize, height as usize);
        let (out_width, out_height) = (width.div_ceil(factor), height.div_ceil(factor));
        let channels = if alpha { 4 } else { 3 };
        Self {
            width,
            height,
            factor,
            out_width,
            out_height,
            channels,
            sums: Vec::new(),
            block_row: None,
            out: Vec::new(),
            pixels_pushed: 0,
            all_opaque: true,
            expanded: Vec::new(),
        }
    }

    /// What the shrinker will hold at most besides its output, in bytes (for the memory budget):
    /// its output becomes the decoded copy, which the budget counts once, as the image's.
    pub fn working_bytes(&self) -> u64 {
        (self.out_width * self.channels * 4) as u64
    }

    /// The size of the downscaled copy.
    pub fn out_size(&self) -> (u32, u32) {
        (self.out_width as u32, self.out_height as u32)
    }

    /// Adds the pixels of row `y` from column `x` on (rows in increasing order; pixels not given
    /// are transparent, or black in an opaque image). Pixels past the right edge are ignored.
    pub fn add_row(&mut self, y: usize, x: usize, row: &[u8], layout: Layout) {
        if y >= self.height || x >= self.width {
            return;
        }
        if self.out.is_empty() {
            // Allocated on the first row, after the memory was reserved.
            self.out = vec![0; self.out_width * self.out_height * self.channels];
            self.sums = vec![0; self.out_width * self.channels];
        }
        let block_row = y / self.factor;
        if self.block_row != Some(block_row) {
            self.flush();
            self.block_row = Some(block_row);
        }
        let count = (row.len() / layout.channels()).min(self.width - x);
        self.pixels_pushed += count as u64;
        let pixels = row.chunks_exact(layout.channels()).take(count);
        let factor = self.factor;
        if self.channels == 3 {
            for (i, pixel) in pixels.enumerate() {
                let at = (x + i) / factor * 3;
                let [r, g, b] = rgb(pixel, layout);
                let sum = &mut self.sums[at..at + 3];
                sum[0] += u32::from(r);
                sum[1] += u32::from(g);
                sum[2] += u32::from(b);
            }
            return;
        }
        let mut opaque = true;
        for (i, pixel) in pixels.enumerate() {
            let [r, g, b] = rgb(pixel, layout);
            let alpha = match layout {
                Layout::GrayAlpha => pixel[1],
                Layout::Rgba => pixel[3],
                Layout::Gray | Layout::Rgb => u8::MAX,
            };
            opaque &= alpha == u8::MAX;
            if alpha == 0 {
                continue;
            }
            let at = (x + i) / factor * 4;
            let weight = u32::from(alpha);
            let sum = &mut self.sums[at..at + 4];
            sum[0] += u32::from(r) * weight;
            sum[1] += u32::from(g) * weight;
            sum[2] += u32::from(b) * weight;
            sum[3] += weight;
        }
        self.all_opaque &= opaque;
    }

    /// Adds a row of palette indices (`palette` is RGB triples; `transparent` is the index of no
    /// colour, if any; an index past the palette is black), as [`add_row`](Self::add_row).
    pub fn add_indexed_row(
        &mut self,
        y: usize,
        x: usize,
        indices: &[u8],
        palette: &[u8],
        transparent: Option<u8>,
    ) {
        let mut expanded = std::mem::take(&mut self.expanded);
        expanded.clear();
        for &index in indices {
            let at = usize::from(index) * 3;
            let colour = match palette.get(at..at + 3) {
                _ if Some(index) == transparent => [0; 4],
                Some(rgb) => [rgb[0], rgb[1], rgb[2], u8::MAX],
                None => [0, 0, 0, u8::MAX],
            };
            expanded.extend_from_slice(&colour);
        }
        self.add_row(y, x, &expanded, Layout::Rgba);
        self.expanded = expanded;
    }

    /// Writes the averages of the block row being filled and clears the sums.
    fn flush(&mut self) {
        let Some(block_row) = self.block_row.take() else {
            return;
        };
        let factor = self.factor;
        let rows = (self.height - block_row * factor).min(factor);
        let stride = self.out_width * self.channels;
        let out = &mut self.out[block_row * stride..(block_row + 1) * stride];
        for (column, (sum, target)) in self
            .sums
            .chunks_exact_mut(self.channels)
            .zip(out.chunks_exact_mut(self.channels))
            .enumerate()
        {
            let columns = (self.width - column * factor).min(factor);
            let count = (rows * columns) as u32;
            if self.channels == 3 {
                for (value, total) in target.iter_mut().zip(sum.iter()) {
                    *value = ((total + count / 2) / count) as u8;
                }
            } else {
                let alpha = sum[3];
                for (value, total) in target[..3].iter_mut().zip(&sum[..3]) {
                    // Invisible blocks (alpha 0) have no colour.
                    *value = (total + alpha / 2)
                        .checked_div(alpha)
                        .map_or(0, |colour| colour.min(255) as u8);
                }
                target[3] = ((alpha + count / 2) / count) as u8;
            }
            sum.fill(0);
        }
    }

    /// The downscaled pixels: RGB when every pixel of the image was given and opaque.
    pub fn finish(mut self) -> Shrunk {
        self.flush();
        let (width, height) = self.out_size();
        let mut raw = std::mem::take(&mut self.out);
        raw.resize(self.out_width * self.out_height * self.channels, 0);
        let complete = self.pixels_pushed == (self.width * self.height) as u64;
        let alpha = self.channels == 4 && !(complete && self.all_opaque);
        if self.channels == 4 && !alpha {
            raw = raw
                .chunks_exact(4)
                .flat_map(|pixel| [pixel[0], pixel[1], pixel[2]])
                .collect();
        }
        Shrunk {
            width,
            height,
            alpha,
            raw,
        }
    }
}

fn rgb(pixel: &[u8], layout: Layout) -> [u8; 3] {
    match layout {
        Layout::Gray | Layout::GrayAlpha => [pixel[0]; 3],
        Layout::Rgb | Layout::Rgba => [pixel[0], pixel[1], pixel[2]],
    }
}

/// The whole factor that brings `long_edge` to at most 2 × `max_edge` (1 when it already is).
pub fn shrink_factor(long_edge: u32, max_edge: u32) -> usize {
    (long_edge.div_ceil(max_edge.max(1) * 2) as usize).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factor_leaves_at_most_twice_the_edge() {
        assert_eq!(shrink_factor(3000, 2000), 1);
        assert_eq!(shrink_factor(4000, 2000), 1);
        assert_eq!(shrink_factor(4001, 2000), 2);
        assert_eq!(shrink_factor(10_000, 2000), 3);
        assert_eq!(shrink_factor(20_000, 2000), 5);
    }

    #[test]
    fn averages_blocks_and_partial_edges() {
        // A 9×5 grey ramp to at most 4 px wide: factor 3, the last block row only 2 rows tall.
        let mut shrinker = Shrinker::new(9, 5, false, 2);
        assert_eq!(shrinker.out_size(), (3, 2));
        for y in 0..5 {
            let row: Vec<u8> = (0..9).map(|x| (x * 10 + y) as u8).collect();
            shrinker.add_row(y, 0, &row, Layout::Gray);
        }
        let out = shrinker.finish();
        assert!(!out.alpha, "opaque input gives RGB");
        // Top-left block: x 0–2, y 0–2: mean of x*10 is 10, of y is 1.
        assert_eq!(out.raw[..3], [11; 3]);
        // Bottom-right block: x 6–8, y 3–4 (a partial block): 70 + 3.5 → 74 (rounded half up).
        assert_eq!(out.raw[15..], [74; 3]);
    }

    #[test]
    fn invisible_colour_does_not_bleed_and_missing_pixels_are_transparent() {
        let mut shrinker = Shrinker::new(4, 4, true, 1);
        assert_eq!(shrinker.out_size(), (2, 2));
        // Row 0: invisible red, then opaque green; only rows 0–1 and columns 0–1 are given.
        for y in 0..2 {
            shrinker.add_row(y, 0, &[255, 0, 0, 0, 0, 200, 0, 255], Layout::Rgba);
        }
        let out = shrinker.finish();
        assert!(out.alpha, "transparent input stays RGBA");
        assert_eq!(out.raw[..4], [0, 200, 0, 128]);
        assert_eq!(out.raw[12..], [0, 0, 0, 0]);
    }

    #[test]
    fn complete_opaque_rgba_becomes_rgb() {
        let mut shrinker = Shrinker::new(2, 1, true, 2000);
        shrinker.add_row(0, 0, &[1, 2, 3, 255, 4, 5, 6, 255], Layout::Rgba);
        let out = shrinker.finish();
        assert!(!out.alpha);
        assert_eq!(out.raw, [1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn palette_rows_expand_with_their_transparent_index() {
        let mut shrinker = Shrinker::new(3, 1, true, 2000);
        shrinker.add_indexed_row(0, 0, &[0, 1, 7], &[10, 20, 30, 40, 50, 60], Some(1));
        let out = shrinker.finish();
        assert!(out.alpha);
        assert_eq!(out.raw, [10, 20, 30, 255, 0, 0, 0, 0, 0, 0, 0, 255]);
    }
}
