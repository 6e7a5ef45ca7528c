//! RGB pixels read upright, a band of rows at a time, without turning them first.
//!
//! A photo stored sideways (EXIF Orientation 6, how phones save portraits) would otherwise be
//! turned into a second full-size copy before encoding: 36 MB more for a 12 MP photo, and a pass
//! over memory that costs more than reading the pixels upright as the JPEG encoder takes them in
//! (each band of upright rows is a band of stored columns, which stays in the cache).

use image::metadata::Orientation;
use image::RgbImage;

/// Upright columns copied together when the image is turned a quarter: as many stored rows read
/// side by side, each a cache line at a time.
const TURNED_TILE: usize = 16;

/// An RGB image as stored, seen through its EXIF orientation.
#[derive(Debug, Clone, Copy)]
pub(super) struct Upright<'a> {
    image: &'a RgbImage,
    orientation: Orientation,
}

impl<'a> Upright<'a> {
    pub fn new(image: &'a RgbImage, orientation: Orientation) -> Self {
        Self { image, orientation }
    }

    /// Whether the orientation swaps width and height (a quarter turn).
    pub fn turns(orientation: Orientation) -> bool {
        use Orientation::*;
        matches!(
            orientation,
            Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH
        )
    }

    /// Upright width and height.
    pub fn size(&self) -> (u32, u32) {
        let (width, height) = self.image.dimensions();
        if Self::turns(self.orientation) {
            (height, width)
        } else {
            (width, height)
        }
    }

    /// Upright rows `first..first + count`, as stored when the image needs no turning.
    pub fn stored_rows(&self, first: u32, count: u32) -> Option<&'a [u8]> {
        if self.orientation != Orientation::NoTransforms {
            return None;
        }
        let stride = self.image.width() as usize * 3;
        let (start, end) = (first as usize * stride, (first + count) as usize * stride);
        self.image.as_raw().get(start..end)
    }

    /// Upright rows `first..first + count` copied into `out` (replacing what it held).
    pub fn copy_rows(&self, first: u32, count: u32, out: &mut Vec<u8>) {
        let (width, height) = self.image.dimensions();
        let (width, height) = (width as isize, height as isize);
        let (upright_width, _) = self.size();
        // Stored pixel index of upright (x, y): origin + x * step_x + y * step_y.
        use Orientation::*;
        let (origin, step_x, step_y) = match self.orientation {
            NoTransforms => (0, 1, width),
            FlipHorizontal => (width - 1, -1, width),
            FlipVertical => ((height - 1) * width, 1, -width),
            Rotate180 => (height * width - 1, -1, -width),
            Rotate90 => ((height - 1) * width, -width, 1),
            Rotate270 => (width - 1, width, -1),
            Rotate90FlipH => (0, width, 1),
            Rotate270FlipH => (height * width - 1, -width, -1),
        };
        let raw = self.image.as_raw();
        let row_bytes = upright_width as usize * 3;
        out.clear();
        out.resize(row_bytes * count as usize, 0);
        // A quarter turn makes an upright row a stored column, each pixel a stored row away from
        // the last: row after row, every pixel read would miss the cache. In tiles of a few
        // columns, the band's rows read the same few stored rows, each from where the last left.
        let tile = if step_x.abs() == 1 {
            upright_width as usize
        } else {
            TURNED_TILE
        };
        for left in (0..upright_width as usize).step_by(tile) {
            let right = (left + tile).min(upright_width as usize);
            for (y, row) in (first..first + count).zip(out.chunks_exact_mut(row_bytes)) {
                let mut index = origin + y as isize * step_y + left as isize * step_x;
                for pixel in row[left * 3..right * 3].chunks_exact_mut(3) {
                    let at = index as usize * 3;
                    pixel.copy_from_slice(&raw[at..at + 3]);
                    index += step_x;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::DynamicImage;

    #[test]
    fn reads_what_image_turning_makes() {
        // 37 columns: quarter turns copy in tiles of 16, the last one partial.
        let stored = RgbImage::from_fn(37, 23, |x, y| image::Rgb([x as u8, y as u8, 7]));
        use Orientation::*;
        for orientation in [
            NoTransforms,
            FlipHorizontal,
            FlipVertical,
            Rotate180,
            Rotate90,
            Rotate270,
            Rotate90FlipH,
            Rotate270FlipH,
        ] {
            let mut turned = DynamicImage::ImageRgb8(stored.clone());
            turned.apply_orientation(orientation);
            let turned = turned.into_rgb8();
            let upright = Upright::new(&stored, orientation);
            assert_eq!(upright.size(), turned.dimensions(), "{orientation:?}");
            let mut rows = Vec::new();
            upright.copy_rows(1, turned.height() - 1, &mut rows);
            let stride = turned.width() as usize * 3;
            assert_eq!(rows, turned.as_raw()[stride..], "{orientation:?}");
        }
    }
}
