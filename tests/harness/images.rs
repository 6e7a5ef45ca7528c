//! Test images made in the test (no binary fixtures in the repo): photos with noise so JPEG sizes are
//! realistic, a JPEG whose EXIF says "rotate 90°" (and where it was taken), a PNG with
//! transparency, and HEIC and AVIF photos made from those by Debian's `heif-enc`.

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
    // APP1 "Exif": big-endian TIFF header, IFD0 with one entry: Orientation (0x0112), SHORT, 1, 6.
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&[
        0x00, 0x01, 0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0x00, 0x06, 0, 0,
    ]);
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    write_with_exif(dir, name, &photo_jpeg_bytes(width, height), &tiff)
}

/// The GPS map datum [`phone_jpeg`] writes: a string no encoder makes up, so finding it in a file
/// means its GPS tags are there.
pub const GPS_MARK: &[u8] = b"HAYON-TEST-GPS-DATUM";

/// A landscape JPEG with EXIF Orientation 6, like [`exif_rotated_jpeg`], that also says where it
/// was taken, as a phone's photo does: a GPS IFD with latitude and longitude (48°51'24" N,
/// 2°21'3" E) and [`GPS_MARK`] as its map datum.
pub fn phone_jpeg(dir: &Path, name: &str, width: u32, height: u32) -> PathBuf {
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        tiff.extend(tag.to_be_bytes());
        tiff.extend(kind.to_be_bytes());
        tiff.extend(count.to_be_bytes());
        tiff.extend(value);
    };
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const ASCII: u16 = 2;
    const BYTE: u16 = 1;
    const RATIONAL: u16 = 5;
    // IFD0 at 8 (2 entries: 30 bytes), the GPS IFD at 38 (6 entries: 78 bytes), then its data.
    let gps_ifd: u32 = 38;
    let latitude = gps_ifd + 78;
    let longitude = latitude + 24;
    let datum = longitude + 24;
    let mark = u32::try_from(GPS_MARK.len() + 1).expect("short");
    tiff.extend(2u16.to_be_bytes());
    entry(&mut tiff, 0x0112, SHORT, 1, [0, 6, 0, 0]);
    entry(&mut tiff, 0x8825, LONG, 1, gps_ifd.to_be_bytes());
    tiff.extend([0; 4]);
    tiff.extend(6u16.to_be_bytes());
    entry(&mut tiff, 0x0000, BYTE, 4, [2, 3, 0, 0]);
    entry(&mut tiff, 0x0001, ASCII, 2, *b"N\0\0\0");
    entry(&mut tiff, 0x0002, RATIONAL, 3, latitude.to_be_bytes());
    entry(&mut tiff, 0x0003, ASCII, 2, *b"E\0\0\0");
    entry(&mut tiff, 0x0004, RATIONAL, 3, longitude.to_be_bytes());
    entry(&mut tiff, 0x0012, ASCII, mark, datum.to_be_bytes());
    tiff.extend([0; 4]);
    for (numerator, denominator) in [
        (48u32, 1u32),
        (51, 1),
        (2400, 100),
        (2, 1),
        (21, 1),
        (300, 100),
    ] {
        tiff.extend(numerator.to_be_bytes());
        tiff.extend(denominator.to_be_bytes());
    }
    tiff.extend(GPS_MARK);
    tiff.push(0);
    write_with_exif(dir, name, &photo_jpeg_bytes(width, height), &tiff)
}

/// `jpeg` with an APP1 "Exif" segment holding `tiff` right after its SOI, written to `dir/name`.
fn write_with_exif(dir: &Path, name: &str, jpeg: &[u8], tiff: &[u8]) -> PathBuf {
    let length = u16::try_from(2 + 6 + tiff.len()).expect("a short EXIF");
    let mut bytes = jpeg[..2].to_vec();
    bytes.extend([0xff, 0xe1]);
    bytes.extend(length.to_be_bytes());
    bytes.extend(b"Exif\0\0");
    bytes.extend(tiff);
    bytes.extend_from_slice(&jpeg[2..]);
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write exif jpeg");
    path
}

/// Runs Debian's `heif-enc` (package libheif-examples, with the x265 and aom encoder plugins) on
/// `input`, writing `output`; `options` come first (`--avif`, `-q 80`). heif-enc keeps the
/// input's EXIF (GPS and all) as a metadata item, and turns its EXIF orientation into the HEIF
/// `irot` property while leaving the tag as it was, as iPhones do.
pub fn heif_enc(options: &[&str], input: &Path, output: &Path) {
    let result = std::process::Command::new("heif-enc")
        .args(options)
        .arg(input)
        .arg("-o")
        .arg(output)
        .output();
    let result = match result {
        Ok(result) => result,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => panic!(
            "heif-enc is not installed, and the HEIC tests make their photos with it: install \
             libheif-examples, libheif-plugin-x265 and libheif-plugin-aomenc (1.17 or later; \
             scripts/test.sh does, from bookworm-backports on Debian 12)"
        ),
        Err(err) => panic!("heif-enc could not be started: {err}"),
    };
    assert!(
        result.status.success() && output.exists(),
        "heif-enc {options:?} {} failed: {}{}",
        input.display(),
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
}

/// An iPhone-like HEIC: a noisy photo stored landscape (`width` > `height`) with EXIF orientation
/// 6 and GPS tags ([`phone_jpeg`]), encoded by heif-enc (HEVC, with `irot`). Upright, it is
/// portrait.
pub fn iphone_heic(dir: &Path, name: &str, width: u32, height: u32) -> PathBuf {
    let jpeg = phone_jpeg(dir, &format!("{name}.source.jpg"), width, height);
    let path = dir.join(name);
    heif_enc(&["-q", "85", "-p", "preset=fast"], &jpeg, &path);
    path
}

/// A HEIC stored as iPhones store their photos: a grid of 512×512 HEVC tiles (`cols`×`rows`),
/// each a noisy gradient of the whole (red grows left to right, green top to bottom), made by
/// heif-enc from tile files.
pub fn grid_heic(dir: &Path, name: &str, cols: u32, rows: u32) -> PathBuf {
    const TILE: u32 = 512;
    let tiles = dir.join(format!("{name}.tiles"));
    std::fs::create_dir_all(&tiles).expect("tiles dir");
    let (width, height) = (cols * TILE, rows * TILE);
    let mut seed = 0x2545_f491_u32;
    for row in 0..rows {
        for col in 0..cols {
            let pixels = ImageBuffer::from_fn(TILE, TILE, |x, y| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                let noise = (seed & 0x1f) as u8;
                let (x, y) = (col * TILE + x, row * TILE + y);
                Rgb([
                    ((x * 220 / width) as u8).saturating_add(noise),
                    ((y * 220 / height) as u8).saturating_add(noise),
                    100,
                ])
            });
            pixels
                .save(tiles.join(format!("tile-{row:02}-{col:02}.jpg")))
                .expect("write tile");
        }
    }
    let path = dir.join(name);
    heif_enc(
        &["-T", "-q", "60", "-p", "preset=ultrafast"],
        &tiles.join("tile-00-00.jpg"),
        &path,
    );
    path
}

/// The same photo as [`iphone_heic`] as AVIF (AV1, through the aom encoder plugin).
pub fn iphone_avif(dir: &Path, name: &str, width: u32, height: u32) -> PathBuf {
    let jpeg = phone_jpeg(dir, &format!("{name}.source.jpg"), width, height);
    let path = dir.join(name);
    heif_enc(&["--avif", "-q", "70", "-p", "speed=8"], &jpeg, &path);
    path
}

/// A HEIC made from [`transparent_png`]: its left half transparent (an alpha plane of its own).
pub fn transparent_heic(dir: &Path, name: &str, width: u32, height: u32) -> PathBuf {
    let png = transparent_png(dir, &format!("{name}.source.png"), width, height);
    let path = dir.join(name);
    heif_enc(&["-q", "85"], &png, &path);
    path
}

/// `bytes` (a JPEG or PNG) encoded by heif-enc with `options`, in memory.
pub fn heif_bytes(options: &[&str], bytes: &[u8], extension: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join(format!("input.{extension}"));
    std::fs::write(&input, bytes).expect("write heif-enc input");
    let output = dir.path().join("output.heif");
    heif_enc(options, &input, &output);
    std::fs::read(output).expect("read heif-enc output")
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

// ---- Large and hostile images (tests/media_budget.rs) ----------------------------------------
// Made in the test, never committed. Large ones are written row by row (the `png` and libjpeg
// encoders stream), so the test process never holds their bitmap.

/// A `width`×`height` PNG written row by row: `colour` (RGB, or RGBA when it has 4 bytes) on every
/// pixel. Fully transparent RGBA at 10000×10000 is like the 389 KB file that once took 918 MiB.
/// A file already there is kept.
pub fn flat_png(dir: &Path, name: &str, width: u32, height: u32, colour: &[u8]) -> PathBuf {
    let path = dir.join(name);
    if path.exists() {
        return path;
    }
    let file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create png"));
    let mut encoder = png::Encoder::new(file, width, height);
    encoder.set_color(if colour.len() == 4 {
        png::ColorType::Rgba
    } else {
        png::ColorType::Rgb
    });
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder
        .write_header()
        .expect("png header")
        .into_stream_writer()
        .expect("png stream");
    let row = colour.repeat(width as usize);
    for _ in 0..height {
        std::io::Write::write_all(&mut writer, &row).expect("png row");
    }
    writer.finish().expect("png end");
    path
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend(
        u32::try_from(data.len())
            .expect("small chunk")
            .to_be_bytes(),
    );
    let start = out.len();
    out.extend(kind);
    out.extend(data);
    let crc = crc32fast::hash(&out[start..]);
    out.extend(crc.to_be_bytes());
}

/// A valid PNG header claiming `width`×`height` RGBA (interlaced if asked), with a few bytes of
/// image data: a decompression bomb's header.
pub fn png_header_only(width: u32, height: u32, interlaced: bool) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend(width.to_be_bytes());
    header.extend(height.to_be_bytes());
    header.extend([8, 6, 0, 0, u8::from(interlaced)]);
    png_chunk(&mut png, b"IHDR", &header);
    png_chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    png_chunk(&mut png, b"IEND", &[]);
    png
}

/// A GIF whose logical screen is `width`×`height` and whose one frame is `frame`×`frame` at the
/// top left (interlaced if asked), with one LZW-coded pixel of data: 43 bytes for a 1×1 frame.
pub fn gif_claiming(width: u16, height: u16, frame: u16, interlaced: bool) -> Vec<u8> {
    let mut gif = b"GIF89a".to_vec();
    gif.extend(width.to_le_bytes());
    gif.extend(height.to_le_bytes());
    // Global colour table of 2 entries (black, white), background 0, no aspect ratio.
    gif.extend([0x80, 0x00, 0x00, 0, 0, 0, 0xFF, 0xFF, 0xFF]);
    gif.extend([0x2C, 0, 0, 0, 0]);
    gif.extend(frame.to_le_bytes());
    gif.extend(frame.to_le_bytes());
    gif.push(if interlaced { 0x40 } else { 0x00 });
    // LZW minimum code size 2; one sub-block: clear, pixel 1, end; block terminator; trailer.
    gif.extend([0x02, 0x02, 0x4C, 0x01, 0x00, 0x3B]);
    gif
}

/// A lossy WebP (VP8) header claiming `width`×`height` (at most 16383), with no image data.
pub fn webp_header_only(width: u16, height: u16) -> Vec<u8> {
    let mut vp8 = vec![0x50, 0x01, 0x00, 0x9D, 0x01, 0x2A];
    vp8.extend(width.to_le_bytes());
    vp8.extend(height.to_le_bytes());
    vp8.extend([0u8; 10]);
    let mut webp = b"RIFF".to_vec();
    webp.extend((4 + 8 + vp8.len() as u32).to_le_bytes());
    webp.extend(b"WEBPVP8 ");
    webp.extend((vp8.len() as u32).to_le_bytes());
    webp.extend(vp8);
    webp
}

/// A photo-like JPEG (4:2:0, quality 90) of any size, encoded by libjpeg-turbo row by row:
/// `progressive` as web exports are, or baseline as cameras write. Rows are a grainy gradient
/// shifted by a pixel per row (a diagonal texture), so the file size is that of a real photo.
/// A file already there is kept.
pub fn large_jpeg(dir: &Path, name: &str, width: u32, height: u32, progressive: bool) -> PathBuf {
    let path = dir.join(name);
    if path.exists() {
        return path;
    }
    std::fs::write(&path, jpeg_bytes(width, height, progressive, 3)).expect("write jpeg");
    path
}

/// A JPEG as [`large_jpeg`] makes it, in memory, with 1 (grey) or 3 (YCbCr) components.
pub fn jpeg_bytes(width: u32, height: u32, progressive: bool, components: usize) -> Vec<u8> {
    let (width, height) = (width as usize, height as usize);
    let mut compress = mozjpeg::Compress::new(if components == 1 {
        mozjpeg::ColorSpace::JCS_GRAYSCALE
    } else {
        mozjpeg::ColorSpace::JCS_RGB
    });
    compress.set_fastest_defaults();
    if progressive {
        compress.set_progressive_mode();
    }
    compress.set_size(width, height);
    compress.set_quality(90.0);
    let mut started = compress.start_compress(Vec::new()).expect("start jpeg");
    let mut seed = 0x2545_f491_u32;
    let base: Vec<u8> = (0..width * components)
        .map(|i| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            ((i / components * 200 / width) as u32 + (seed & 0x1f)) as u8
        })
        .collect();
    let rows_at_once = 64;
    let mut rows = vec![0u8; width * components * rows_at_once];
    for first in (0..height).step_by(rows_at_once) {
        let count = rows_at_once.min(height - first);
        for (k, row) in rows
            .chunks_exact_mut(width * components)
            .take(count)
            .enumerate()
        {
            row.copy_from_slice(&base);
            row.rotate_left(((first + k) % width) * components);
        }
        started
            .write_scanlines(&rows[..count * width * components])
            .expect("jpeg rows");
    }
    started.finish().expect("jpeg")
}

/// The segments of a JPEG: `(marker, start, end)` byte ranges, a scan's range including its
/// entropy-coded data (up to the next marker that is not a restart or a stuffed byte).
pub fn jpeg_segments(jpeg: &[u8]) -> Vec<(u8, usize, usize)> {
    let mut segments = Vec::new();
    let mut at = 2;
    while at + 4 <= jpeg.len() && jpeg[at] == 0xFF {
        let marker = jpeg[at + 1];
        if marker == 0xD9 {
            break;
        }
        let mut end = at + 2 + usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        if marker == 0xDA {
            while end + 1 < jpeg.len()
                && !(jpeg[end] == 0xFF
                    && jpeg[end + 1] != 0
                    && !(0xD0..=0xD7).contains(&jpeg[end + 1]))
            {
                end += 1;
            }
        }
        segments.push((marker, at, end));
        at = end;
    }
    segments
}

/// `jpeg` with its smallest scan repeated `copies` more times before the end: libjpeg goes over
/// every block for each (the "scan bomb" of issue 10).
pub fn with_repeated_scan(jpeg: &[u8], copies: usize) -> Vec<u8> {
    let (_, start, end) = jpeg_segments(jpeg)
        .into_iter()
        .filter(|(marker, _, _)| *marker == 0xDA)
        .min_by_key(|(_, start, end)| end - start)
        .expect("a scan");
    let eoi = jpeg.len() - 2;
    let mut out = jpeg[..eoi].to_vec();
    for _ in 0..copies {
        out.extend(&jpeg[start..end]);
    }
    out.extend(&jpeg[eoi..]);
    out
}

/// `jpeg` whose frame header claims `width`×`height` (its scans still hold the small image's data).
pub fn with_frame_size(jpeg: &[u8], width: u16, height: u16) -> Vec<u8> {
    let (_, start, _) = jpeg_segments(jpeg)
        .into_iter()
        .find(|(marker, _, _)| matches!(marker, 0xC0 | 0xC2))
        .expect("a frame header");
    let mut out = jpeg.to_vec();
    out[start + 5..start + 7].copy_from_slice(&height.to_be_bytes());
    out[start + 7..start + 9].copy_from_slice(&width.to_be_bytes());
    out
}

/// Small valid images of each accepted format (for cutting short): baseline and progressive JPEG,
/// PNG with transparency, GIF, lossless WebP, HEIC with transparency and AVIF.
pub fn small_images() -> Vec<(&'static str, Vec<u8>)> {
    let rgba = ImageBuffer::from_fn(120, 80, |x, y| {
        Rgba([
            (x * 2) as u8,
            (y * 3) as u8,
            90,
            if x < 20 { 0 } else { 255 },
        ])
    });
    let encode = |format: image::ImageFormat| {
        let mut bytes = Vec::new();
        image::DynamicImage::ImageRgba8(rgba.clone())
            .write_to(&mut std::io::Cursor::new(&mut bytes), format)
            .expect("encode");
        bytes
    };
    vec![
        ("baseline.jpg", photo_jpeg_bytes(320, 240)),
        ("progressive.jpg", jpeg_bytes(320, 240, true, 3)),
        ("alpha.png", encode(image::ImageFormat::Png)),
        ("still.gif", encode(image::ImageFormat::Gif)),
        ("lossless.webp", encode(image::ImageFormat::WebP)),
        (
            "alpha.heic",
            heif_bytes(&["-q", "80"], &encode(image::ImageFormat::Png), "png"),
        ),
        (
            "photo.avif",
            heif_bytes(&["--avif", "-q", "70"], &photo_jpeg_bytes(320, 240), "jpg"),
        ),
    ]
}

/// What should become of a file of the hostile corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Prepared as this type, fitted to this size.
    Prepared(&'static str, u32, u32),
    /// Refused with a message containing this.
    Refused(&'static str),
}

/// `jpeg` as a HEIC named `name` in `d`, encoded by heif-enc at x265's fastest preset (a 48 MP
/// photo takes it about 15 s of CPU). A file already there is kept.
fn heic_from(d: &Path, name: &str, jpeg: &Path) -> PathBuf {
    let path = d.join(name);
    if !path.exists() {
        heif_enc(&["-q", "60", "-p", "preset=ultrafast"], jpeg, &path);
    }
    path
}

/// The hostile corpus of issue 10, written into `d`, with what should become of each file:
/// decompression bombs, huge GIF screens and frames, 100-megapixel PNGs with and without alpha,
/// huge progressive JPEGs, scan bombs, WebP bombs, and the large photos that must still be
/// accepted (a 24 MP progressive export, 48 MP and 100 MP baseline JPEGs).
pub fn hostile_corpus(d: &Path) -> Vec<(PathBuf, Expect)> {
    // Files already there are kept: a corpus folder is made once (the large ones take seconds).
    let write = |name: &str, make: &dyn Fn() -> Vec<u8>| {
        let path = d.join(name);
        if !path.exists() {
            std::fs::write(&path, make()).expect("write corpus file");
        }
        path
    };
    let progressive = || jpeg_bytes(1024, 1024, true, 3);
    let grey_progressive = || jpeg_bytes(512, 512, true, 1);
    let hostile = vec![
        // 100 MP, fully transparent: like the 389 KB file that once took 918 MiB.
        (
            flat_png(d, "clear-100mp.png", 10_000, 10_000, &[0, 0, 0, 0]),
            Expect::Prepared("image/png", 4000, 4000),
        ),
        // 100 MP, opaque: every pixel is averaged, none is skipped.
        (
            flat_png(d, "red-100mp.png", 10_000, 10_000, &[200, 30, 30]),
            Expect::Prepared("image/jpeg", 4000, 4000),
        ),
        (
            write("bomb-30000.png", &|| png_header_only(30_000, 30_000, false)),
            Expect::Refused("30000×30000 pixels"),
        ),
        // Interlaced rows come in seven passes: its 400 MB bitmap would be needed whole.
        (
            write("interlaced-100mp.png", &|| {
                png_header_only(10_000, 10_000, true)
            }),
            Expect::Refused("needs more memory than Hayon allows"),
        ),
        // 35 bytes whose screen claims 10000×10000 around a 1×1 frame.
        (
            write("screen-10000.gif", &|| {
                gif_claiming(10_000, 10_000, 1, false)
            }),
            Expect::Prepared("image/png", 4000, 4000),
        ),
        (
            write("screen-30000.gif", &|| {
                gif_claiming(30_000, 30_000, 1, false)
            }),
            Expect::Refused("30000×30000 pixels"),
        ),
        // Frames that claim 10000×10000 and 6000×6000 pixels of data and stop after one.
        (
            write("frame-10000.gif", &|| {
                gif_claiming(10_000, 10_000, 10_000, false)
            }),
            Expect::Refused("damaged or incomplete"),
        ),
        (
            write("interlaced-6000.gif", &|| {
                gif_claiming(6000, 6000, 6000, true)
            }),
            Expect::Refused("damaged or incomplete"),
        ),
        // One scan repeated 10,000 times.
        (
            write("scan-bomb.jpg", &|| {
                with_repeated_scan(&progressive(), 10_000)
            }),
            Expect::Refused("scans"),
        ),
        // Under 500 scans, but each over a 6000×6000 frame.
        (
            write("scan-work.jpg", &|| {
                with_repeated_scan(&with_frame_size(&grey_progressive(), 6000, 6000), 450)
            }),
            Expect::Refused("scans"),
        ),
        // A progressive frame of 100 MP: its coefficients alone would take 300 MB.
        (
            write("progressive-100mp.jpg", &|| {
                with_frame_size(&progressive(), 10_000, 10_000)
            }),
            Expect::Refused("needs more memory than Hayon allows"),
        ),
        (
            write("lossy-10000.webp", &|| webp_header_only(10_000, 10_000)),
            Expect::Refused("needs more memory than Hayon allows"),
        ),
        (
            write("lossy-16383.webp", &|| webp_header_only(16_383, 16_383)),
            Expect::Refused("16383×16383 pixels"),
        ),
        // Real photos: a large progressive export, 12, 48 and 100 MP as cameras write them.
        (
            large_jpeg(d, "photo-12mp.jpg", 4000, 3000, false),
            Expect::Prepared("image/jpeg", 4000, 3000),
        ),
        (
            large_jpeg(d, "progressive-24mp.jpg", 6000, 4000, true),
            Expect::Prepared("image/jpeg", 4000, 2667),
        ),
        (
            large_jpeg(d, "photo-48mp.jpg", 8000, 6000, false),
            Expect::Prepared("image/jpeg", 4000, 3000),
        ),
        (
            large_jpeg(d, "photo-100mp.jpg", 10_000, 10_000, false),
            Expect::Prepared("image/jpeg", 4000, 4000),
        ),
        // A 48 MP HEIC (iPhones' "HEIF Max" is 8064×6048), decoded whole by libheif.
        (
            heic_from(
                d,
                "photo-48mp.heic",
                &large_jpeg(d, "photo-48mp.jpg", 8000, 6000, false),
            ),
            Expect::Prepared("image/jpeg", 4000, 3000),
        ),
    ];
    hostile
}

// ---- Checks of prepared photos ---------------------------------------------------------------

/// Asserts that `bytes` (a prepared image, `label` in messages) is the photo of [`phone_jpeg`] (or
/// [`exif_rotated_jpeg`]) turned upright: portrait, with the stored picture's left-to-right red
/// gradient now running top to bottom and its top-to-bottom green one right to left, as a 90°
/// clockwise turn makes them (turned twice or not at all, neither holds).
pub fn assert_upright_portrait(bytes: &[u8], label: &str) {
    let image = image::load_from_memory(bytes)
        .unwrap_or_else(|err| panic!("{label} does not decode: {err}"))
        .to_rgb8();
    let (width, height) = image.dimensions();
    assert!(height > width, "{label} is not portrait: {width}×{height}");
    let mean = |channel: usize, xs: std::ops::Range<u32>, ys: std::ops::Range<u32>| {
        let (mut sum, mut count) = (0u64, 0u64);
        for y in ys.clone() {
            for x in xs.clone() {
                sum += u64::from(image.get_pixel(x, y)[channel]);
                count += 1;
            }
        }
        sum / count.max(1)
    };
    let (top, bottom) = (0..height / 4, height - height / 4..height);
    let (left, right) = (0..width / 4, width - width / 4..width);
    let red = (mean(0, 0..width, top), mean(0, 0..width, bottom));
    let green = (mean(1, left, 0..height), mean(1, right, 0..height));
    assert!(
        red.0 + 40 < red.1,
        "{label}: red should grow from top to bottom: {red:?}"
    );
    assert!(
        green.0 > green.1 + 40,
        "{label}: green should grow from right to left: {green:?}"
    );
}

/// Asserts that `bytes` carry no EXIF, TIFF structure or the GPS tags of [`phone_jpeg`].
pub fn assert_no_metadata(bytes: &[u8], label: &str) {
    for (what, needle) in [
        ("an Exif block", b"Exif".as_slice()),
        ("a big-endian TIFF header", b"MM\0\x2a".as_slice()),
        ("a little-endian TIFF header", b"II\x2a\0".as_slice()),
        ("the GPS tags", GPS_MARK),
    ] {
        assert!(
            !bytes.windows(needle.len()).any(|window| window == needle),
            "{label} still has {what}"
        );
    }
}

/// Whether `bytes` hold the GPS tags of [`phone_jpeg`] (to check a test input has them).
pub fn has_gps(bytes: &[u8]) -> bool {
    bytes
        .windows(GPS_MARK.len())
        .any(|window| window == GPS_MARK)
}
