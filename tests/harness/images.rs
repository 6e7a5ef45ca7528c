//! Test images made in the test (no binary fixtures in the repo): photos with noise so JPEG sizes are
//! realistic, a JPEG whose EXIF says "rotate 90°", and a PNG with transparency.

use image::{ImageBuffer, Rgb, Rgba};
use std::path::{Path, PathBuf};

/// A noisy RGB JPEG of `width`×`height` (deterministic), like a photo's content.
pub fn photo_jpeg(dir: &Path, name: &str, width: u32, height: u32) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, photo_jpeg_bytes(width, height)).expect("write jpeg");
    path
}

fn photo_jpeg_bytes(width: u32, height: u32) -> Vec<u8> {
    let mut seed = 0x2545_f491_u32;
    let pixels = ImageBuffer::from_fn(width, height, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let noise = (seed & 0x3f) as u8;
        Rgb([
            ((x * 255 / width.max(1)) as u8).saturating_add(noise),
            ((y * 255 / height.max(1)) as u8).saturating_add(noise / 2),
            128u8.saturating_add(noise),
        ])
    });
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 92)
        .encode_image(&pixels)
        .expect("encode jpeg");
    bytes
}

/// A landscape JPEG (`width` > `height` as stored) whose EXIF Orientation is 6 (rotate 90° CW), as
/// phones write a portrait photo: prepared upright, it is portrait.
pub fn exif_rotated_jpeg(dir: &Path, name: &str, width: u32, height: u32) -> PathBuf {
    let jpeg = photo_jpeg_bytes(width, height);
    // APP1 "Exif": big-endian TIFF header, IFD0 with one entry: Orientation (0x0112), SHORT, 1, 6.
    let mut app1: Vec<u8> = vec![0xff, 0xe1, 0x00, 0x22];
    app1.extend_from_slice(b"Exif\0\0MM\0\x2a\0\0\0\x08");
    app1.extend_from_slice(&[
        0x00, 0x01, 0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0x00, 0x06, 0, 0,
    ]);
    app1.extend_from_slice(&[0, 0, 0, 0]);
    let mut bytes = jpeg[..2].to_vec();
    bytes.extend_from_slice(&app1);
    bytes.extend_from_slice(&jpeg[2..]);
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write exif jpeg");
    path
}

/// A PNG whose left half is transparent.
pub fn transparent_png(dir: &Path, name: &str, width: u32, height: u32) -> PathBuf {
    let pixels = ImageBuffer::from_fn(width, height, |x, y| {
        let alpha = if x < width / 2 { 0 } else { 255 };
        Rgba([(x % 256) as u8, (y % 256) as u8, 200, alpha])
    });
    let path = dir.join(name);
    pixels.save(&path).expect("write png");
    path
}

/// A large noisy PNG (several MB): a link card image that must be scaled and re-encoded.
pub fn oversized_png_bytes(width: u32, height: u32) -> Vec<u8> {
    let mut seed = 0x9e37_79b9_u32;
    let pixels = ImageBuffer::from_fn(width, height, |_, _| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        Rgb([seed as u8, (seed >> 8) as u8, (seed >> 16) as u8])
    });
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .expect("encode png");
    bytes
}
