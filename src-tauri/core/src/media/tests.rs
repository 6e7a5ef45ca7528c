//! Image preparation on images made here: EXIF orientation and metadata stripping, transparency,
//! fitting under the limit, conversion of WebP/GIF/CMYK, and the refused files (text named .jpg,
//! truncated JPEG, animated GIF, a 30000×30000 PNG bomb, missing file).

use super::*;
use crate::error::ErrorCode;
use image::codecs::gif::GifEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{DynamicImage, Frame, GenericImageView, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};
use std::time::{Duration, Instant};

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write fixture");
    path
}

/// Deterministic pseudo-random bytes (xorshift), for noise that JPEG cannot squeeze.
fn noise(seed: u32) -> impl FnMut() -> u8 {
    let mut state = seed.max(1);
    move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        (state >> 24) as u8
    }
}

/// A photo-like image: smooth gradients plus grain of the given amplitude (a plain loop: test
/// code is not optimized, and per-pixel closures would take seconds).
fn photo(width: u32, height: u32, grain: u8) -> RgbImage {
    let mut random = noise(width ^ height);
    let mut raw = Vec::with_capacity(width as usize * height as usize * 3);
    for y in 0..height {
        for x in 0..width {
            let base = [
                x * 200 / width,
                y * 200 / height,
                (x + y) * 100 / (width + height) + 60,
            ];
            for channel in base {
                raw.push((channel + u32::from(random() % grain.max(1))).min(255) as u8);
            }
        }
    }
    RgbImage::from_raw(width, height, raw).expect("sized buffer")
}

/// A camera-like baseline JPEG (libjpeg-turbo through `mozjpeg`: fast even in a debug build).
fn jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
    let mut compress = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_RGB);
    compress.set_fastest_defaults();
    compress.set_size(image.width() as usize, image.height() as usize);
    compress.set_quality(f32::from(quality));
    let mut started = compress.start_compress(Vec::new()).expect("start jpeg");
    started.write_scanlines(image.as_raw()).expect("jpeg rows");
    started.finish().expect("jpeg")
}

fn png(image: &RgbaImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    PngEncoder::new(&mut bytes)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            image::ExtendedColorType::Rgba8,
        )
        .expect("encode png");
    bytes
}

/// A little-endian EXIF block as phones write it: IFD0 with Make and Orientation, and a GPS IFD
/// with a position and a processing-method text that is easy to search for.
fn exif(orientation: u16) -> Vec<u8> {
    fn entry(out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
        out.extend(tag.to_le_bytes());
        out.extend(kind.to_le_bytes());
        out.extend(count.to_le_bytes());
        out.extend(value);
    }
    const ASCII: u16 = 2;
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const RATIONAL: u16 = 5;
    const UNDEFINED: u16 = 7;
    let method = b"ASCII\0\0\0HAYON-GPS-SECRET";
    // IFD0 at 8: 3 entries (2 + 36 + 4 bytes) → the GPS IFD at 50: 5 entries (2 + 60 + 4) → data
    // at 116: latitude (24 bytes), longitude (24), method.
    let (gps_ifd, latitude, longitude, text) = (50u32, 116u32, 140u32, 164u32);
    let mut tiff = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    tiff.extend(3u16.to_le_bytes());
    entry(&mut tiff, 0x010F, ASCII, 4, *b"Hay\0");
    let [low, high] = orientation.to_le_bytes();
    entry(&mut tiff, 0x0112, SHORT, 1, [low, high, 0, 0]);
    entry(&mut tiff, 0x8825, LONG, 1, gps_ifd.to_le_bytes());
    tiff.extend(0u32.to_le_bytes());
    assert_eq!(tiff.len(), gps_ifd as usize);
    tiff.extend(5u16.to_le_bytes());
    entry(&mut tiff, 0x0001, ASCII, 2, *b"N\0\0\0");
    entry(&mut tiff, 0x0002, RATIONAL, 3, latitude.to_le_bytes());
    entry(&mut tiff, 0x0003, ASCII, 2, *b"E\0\0\0");
    entry(&mut tiff, 0x0004, RATIONAL, 3, longitude.to_le_bytes());
    entry(
        &mut tiff,
        0x001B,
        UNDEFINED,
        method.len() as u32,
        text.to_le_bytes(),
    );
    tiff.extend(0u32.to_le_bytes());
    assert_eq!(tiff.len(), latitude as usize);
    for (numerator, denominator) in [
        (48u32, 1u32),
        (51, 1),
        (2400, 100),
        (2, 1),
        (21, 1),
        (300, 100),
    ] {
        tiff.extend(numerator.to_le_bytes());
        tiff.extend(denominator.to_le_bytes());
    }
    assert_eq!(tiff.len(), text as usize);
    tiff.extend(method);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    app1
}

/// `jpeg` with an APP1 EXIF segment inserted right after SOI, as cameras place it.
fn with_exif(jpeg: &[u8], exif: &[u8]) -> Vec<u8> {
    let length = u16::try_from(exif.len() + 2).expect("small EXIF");
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(length.to_be_bytes());
    out.extend(exif);
    out.extend(&jpeg[2..]);
    out
}

/// The markers of a JPEG's segments before its first scan.
fn segment_markers(jpeg: &[u8]) -> Vec<u8> {
    let mut markers = Vec::new();
    let mut at = 2;
    while at + 4 <= jpeg.len() && jpeg[at] == 0xFF {
        let marker = jpeg[at + 1];
        markers.push(marker);
        if marker == 0xDA {
            break;
        }
        at += 2 + usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
    }
    markers
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

fn decode(prepared: &PreparedImage) -> DynamicImage {
    image::load_from_memory(&prepared.bytes).expect("the output decodes")
}

fn refused(path: &Path) -> String {
    let err = prepare_image(path, ImageLimits::POST).expect_err("should be refused");
    assert_eq!(err.code, ErrorCode::Validation, "{err}");
    let name = path.file_name().expect("name").to_string_lossy();
    assert!(
        err.message.contains(&*name),
        "{} names the file",
        err.message
    );
    err.message
}

#[test]
fn exif_rotated_photo_ends_portrait_with_no_metadata_left() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Stored landscape, top half red and bottom half blue; Orientation 6 = turn 90° clockwise.
    let stored = RgbImage::from_fn(400, 300, |_, y| {
        if y < 150 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 20, 220])
        }
    });
    let input = with_exif(&jpeg(&stored, 90), &exif(6));
    assert!(contains(&input, b"HAYON-GPS-SECRET") && contains(&input, b"Exif\0\0"));
    let path = write(&dir, "rotated.jpg", &input);

    let prepared = prepare_image(&path, ImageLimits::POST).expect("prepared");
    assert_eq!(prepared.mime_type, "image/jpeg");
    assert_eq!((prepared.width, prepared.height), (300, 400), "portrait");
    let output = decode(&prepared);
    assert_eq!(output.dimensions(), (300, 400));
    // Turned clockwise, the top (red) is now on the right.
    let right = output.get_pixel(280, 200).0;
    let left = output.get_pixel(20, 200).0;
    assert!(right[0] > 150 && right[2] < 100, "right is red: {right:?}");
    assert!(left[2] > 150 && left[0] < 100, "left is blue: {left:?}");
    // No EXIF (so no GPS), no ICC, no comment: only the JFIF header and the codec's own segments.
    assert!(!contains(&prepared.bytes, b"Exif"));
    assert!(!contains(&prepared.bytes, b"GPS"));
    let markers = segment_markers(&prepared.bytes);
    assert!(
        markers
            .iter()
            .all(|marker| *marker == 0xE0 || !(0xE1..=0xEF).contains(marker) && *marker != 0xFE),
        "{markers:x?}"
    );
}

/// 300×200: the left half fully transparent, the right half opaque green.
fn half_transparent() -> RgbaImage {
    RgbaImage::from_fn(300, 200, |x, _| {
        if x < 150 {
            Rgba([0, 0, 0, 0])
        } else {
            Rgba([30, 160, 90, 255])
        }
    })
}

#[test]
fn transparent_png_stays_png_with_its_alpha() {
    let dir = tempfile::tempdir().expect("tempdir");
    let image = half_transparent();
    let path = write(&dir, "logo.png", &png(&image));
    let prepared = prepare_image(&path, ImageLimits::POST).expect("prepared");
    assert_eq!(prepared.mime_type, "image/png");
    assert_eq!((prepared.width, prepared.height), (300, 200));
    let output = decode(&prepared);
    assert!(output.color().has_alpha());
    assert_eq!(output.get_pixel(10, 10).0[3], 0);
    assert_eq!(output.get_pixel(290, 10).0, [30, 160, 90, 255]);
}

#[test]
fn png_metadata_is_dropped_and_its_exif_orientation_applied() {
    let dir = tempfile::tempdir().expect("tempdir");
    let image = half_transparent();
    // After IHDR: an eXIf chunk (Orientation 6, GPS) and a text comment.
    let plain = png(&image);
    let after_header = 8 + 4 + 4 + 13 + 4;
    let mut input = plain[..after_header].to_vec();
    chunk(&mut input, b"eXIf", &exif(6)[6..]);
    chunk(&mut input, b"tEXt", b"Comment\0HAYON-SECRET-NOTE");
    input.extend(&plain[after_header..]);
    let path = write(&dir, "tagged.png", &input);

    let prepared = prepare_image(&path, ImageLimits::POST).expect("prepared");
    assert_eq!(prepared.mime_type, "image/png");
    assert_eq!(
        (prepared.width, prepared.height),
        (200, 300),
        "turned upright"
    );
    // The transparent left half is now the top half.
    let output = decode(&prepared);
    assert_eq!(output.get_pixel(100, 10).0[3], 0);
    assert_eq!(output.get_pixel(100, 290).0[3], 255);
    for marker in [
        &b"eXIf"[..],
        b"tEXt",
        b"iTXt",
        b"zTXt",
        b"iCCP",
        b"HAYON",
        b"GPS",
    ] {
        assert!(
            !contains(&prepared.bytes, marker),
            "{}",
            String::from_utf8_lossy(marker)
        );
    }
}

#[test]
fn opaque_png_becomes_jpeg() {
    let dir = tempfile::tempdir().expect("tempdir");
    let image = RgbaImage::from_pixel(64, 48, Rgba([200, 100, 50, 255]));
    let path = write(&dir, "screenshot.png", &png(&image));
    let prepared = prepare_image(&path, ImageLimits::POST).expect("prepared");
    assert_eq!(prepared.mime_type, "image/jpeg");
    assert_eq!((prepared.width, prepared.height), (64, 48));
}

#[test]
fn big_noisy_photo_fits_under_an_older_servers_limit_within_2000_px() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(&dir, "grainy.jpg", &jpeg(&photo(2400, 1800, 60), 95));
    let prepared = prepare_image(&path, ImageLimits::OLDER_SERVER).expect("prepared");
    assert_eq!(prepared.mime_type, "image/jpeg");
    // The grain makes quality 92 too big: the search lands just under the limit.
    assert!(
        (900_000..=ImageLimits::OLDER_SERVER.max_bytes).contains(&prepared.bytes.len()),
        "{}",
        prepared.bytes.len()
    );
    assert_eq!((prepared.width, prepared.height), (2000, 1500));
    assert_eq!(decode(&prepared).dimensions(), (2000, 1500));
}

#[test]
fn a_12_mp_photo_is_prepared_sharper_for_a_post_within_4000_px_and_2_mb() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(&dir, "camera.jpg", &jpeg(&photo(4032, 3024, 40), 95));
    let prepared = prepare_image(&path, ImageLimits::POST).expect("prepared");
    assert_eq!(prepared.mime_type, "image/jpeg");
    assert_eq!((prepared.width, prepared.height), (4000, 3000));
    assert_eq!(decode(&prepared).dimensions(), (4000, 3000));
    assert!(
        (1_000_001..=ImageLimits::POST.max_bytes).contains(&prepared.bytes.len()),
        "{}",
        prepared.bytes.len()
    );
}

#[test]
fn pure_noise_is_scaled_down_until_it_fits() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Even at the lowest quality, 2400×2400 random pixels make several megabytes of JPEG.
    let mut random = noise(7);
    let raw = (0..2400 * 2400 * 3).map(|_| random()).collect();
    let static_noise = RgbImage::from_raw(2400, 2400, raw).expect("sized buffer");
    let path = write(&dir, "static.jpg", &jpeg(&static_noise, 95));
    let prepared = prepare_image(&path, ImageLimits::POST).expect("prepared");
    assert_eq!(prepared.mime_type, "image/jpeg");
    assert!(prepared.bytes.len() <= ImageLimits::POST.max_bytes);
    assert!(prepared.width < 2400 && prepared.width == prepared.height);
}

#[test]
fn webp_gif_and_cmyk_jpeg_are_converted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opaque = RgbaImage::from_pixel(120, 80, Rgba([10, 120, 240, 255]));
    let mut webp = Vec::new();
    WebPEncoder::new_lossless(&mut webp)
        .write_image(opaque.as_raw(), 120, 80, image::ExtendedColorType::Rgba8)
        .expect("encode webp");
    let webp = write(&dir, "picture.webp", &webp);

    let mut gif = Vec::new();
    GifEncoder::new(&mut gif)
        .encode_frame(Frame::new(opaque.clone()))
        .expect("encode gif");
    let gif = write(&dir, "still.gif", &gif);

    let cmyk = write(&dir, "print.jpg", &{
        // Inverted, as Adobe (APP14) CMYK files store ink: C 0, M 200, Y 200, K 0.
        let pixels = [255u8, 55, 55, 255].repeat(64 * 32);
        let mut compress = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_CMYK);
        compress.set_size(64, 32);
        let mut started = compress.start_compress(Vec::new()).expect("start cmyk");
        started.write_scanlines(&pixels).expect("cmyk rows");
        started.finish().expect("cmyk jpeg")
    });

    let results = prepare_images(&[webp, gif, cmyk], ImageLimits::POST);
    let prepared: Vec<&PreparedImage> = results
        .iter()
        .map(|result| result.as_ref().expect("prepared"))
        .collect();
    for (image, size) in prepared.iter().zip([(120, 80), (120, 80), (64, 32)]) {
        assert_eq!(image.mime_type, "image/jpeg", "{image:?}");
        assert_eq!((image.width, image.height), size, "{image:?}");
        decode(image);
    }
    // Magenta and yellow ink make red.
    let red = decode(prepared[2]).get_pixel(32, 16).0;
    assert!(red[0] > 180 && red[1] < 120, "{red:?}");
}

#[test]
fn transparent_gif_becomes_png() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut image = RgbaImage::from_pixel(40, 40, Rgba([250, 200, 0, 255]));
    image.put_pixel(0, 0, Rgba([0, 0, 0, 0]));
    let mut gif = Vec::new();
    GifEncoder::new(&mut gif)
        .encode_frame(Frame::new(image))
        .expect("encode gif");
    let path = write(&dir, "sticker.gif", &gif);
    let prepared = prepare_image(&path, ImageLimits::POST).expect("prepared");
    assert_eq!(prepared.mime_type, "image/png");
    assert_eq!(decode(&prepared).get_pixel(0, 0).0[3], 0);
}

#[test]
fn text_named_jpg_is_not_an_image() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(&dir, "notes.jpg", b"Shopping list:\n- bread\n- milk\n");
    let message = refused(&path);
    assert!(message.contains("is not an image"), "{message}");
}

#[test]
fn truncated_jpeg_is_damaged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let whole = jpeg(&photo(640, 480, 40), 90);
    let path = write(&dir, "cut.jpg", &whole[..whole.len() * 6 / 10]);
    let message = refused(&path);
    assert!(message.contains("damaged or incomplete"), "{message}");
}

/// HEIC files themselves are made with heif-enc in the integration tests (tests/media_cli.rs); here,
/// what libheif refuses is worded with its reason, and a HEIF image sequence is animated.
#[test]
fn a_heic_that_libheif_refuses_and_a_heif_sequence_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut scrambled = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    scrambled.extend((0..2000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8));
    let path = write(&dir, "IMG_0001.HEIC", &scrambled);
    let message = refused(&path);
    assert!(
        message.starts_with("IMG_0001.HEIC could not be read as a HEIC image: "),
        "{message}"
    );
    let path = write(
        &dir,
        "burst.heics",
        b"\0\0\0\x14ftypmsf1\0\0\0\0hevc\0\0\0\x08free",
    );
    let message = refused(&path);
    assert!(message.contains("is animated"), "{message}");
}

#[test]
fn animated_gif_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut gif = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut gif);
        for colour in [[255, 0, 0, 255], [0, 0, 255, 255]] {
            encoder
                .encode_frame(Frame::new(RgbaImage::from_pixel(16, 16, Rgba(colour))))
                .expect("frame");
        }
    }
    let path = write(&dir, "party.gif", &gif);
    let message = refused(&path);
    assert!(message.contains("is animated"), "{message}");
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend(u32::try_from(data.len()).expect("small").to_be_bytes());
    let start = out.len();
    out.extend(kind);
    out.extend(data);
    let crc = crc32fast::hash(&out[start..]);
    out.extend(crc.to_be_bytes());
}

#[test]
fn animated_png_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = png(&RgbaImage::from_pixel(8, 8, Rgba([1, 2, 3, 255])));
    // An animation-control chunk (2 frames, looping) right after IHDR makes it an APNG.
    let after_header = 8 + 4 + 4 + 13 + 4;
    let mut apng = plain[..after_header].to_vec();
    chunk(&mut apng, b"acTL", &[0, 0, 0, 2, 0, 0, 0, 0]);
    apng.extend(&plain[after_header..]);
    let path = write(&dir, "blink.png", &apng);
    let message = refused(&path);
    assert!(message.contains("is animated"), "{message}");
}

#[test]
fn png_bomb_is_refused_from_its_header_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A valid header claiming 30000×30000 RGBA (3.6 GB decoded) and a few bytes of zlib data.
    let mut bomb = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend(30_000u32.to_be_bytes());
    header.extend(30_000u32.to_be_bytes());
    header.extend([8, 6, 0, 0, 0]);
    chunk(&mut bomb, b"IHDR", &header);
    chunk(
        &mut bomb,
        b"IDAT",
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut bomb, b"IEND", &[]);
    let path = write(&dir, "photo.png", &bomb);
    let started = Instant::now();
    let message = refused(&path);
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(message.contains("30000×30000 pixels"), "{message}");
    assert!(message.contains("20000"), "{message}");
}

#[test]
fn missing_file_and_folder_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let message = refused(&dir.path().join("gone.jpg"));
    assert!(message.contains("was not found"), "{message}");
    let folder = dir.path().join("holiday");
    std::fs::create_dir(&folder).expect("folder");
    assert!(refused(&folder).contains("is a folder"));
}

#[test]
fn a_post_of_good_and_bad_files_keeps_the_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = write(&dir, "good.jpg", &jpeg(&photo(800, 600, 20), 90));
    let text = write(&dir, "text.png", b"not a png");
    let also_good = write(
        &dir,
        "small.png",
        &png(&RgbaImage::from_pixel(10, 10, Rgba([1, 2, 3, 4]))),
    );
    let results = prepare_images(&[good, text, also_good], ImageLimits::POST);
    assert_eq!(results.len(), 3);
    assert_eq!(
        results[0].as_ref().map(|image| image.mime_type),
        Ok("image/jpeg")
    );
    assert!(results[1]
        .as_ref()
        .is_err_and(|err| err.message.contains("text.png")));
    assert_eq!(
        results[2].as_ref().map(|image| image.mime_type),
        Ok("image/png")
    );
}

#[test]
fn bytes_are_prepared_like_the_same_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = with_exif(&jpeg(&photo(640, 480, 20), 90), &exif(6));
    let from_file =
        prepare_image(&write(&dir, "card.jpg", &input), ImageLimits::POST).expect("file prepared");
    let from_bytes =
        prepare_bytes(&input, "the link card's image", ImageLimits::POST).expect("bytes prepared");
    assert_eq!(from_bytes, from_file);
    assert_eq!((from_bytes.width, from_bytes.height), (480, 640));

    let cut = prepare_bytes(
        &input[..input.len() / 2],
        "the link card's image",
        ImageLimits::POST,
    )
    .expect_err("truncated");
    assert!(
        cut.message.starts_with("the link card's image is damaged"),
        "{}",
        cut.message
    );
    let text = prepare_bytes(b"<html>", "example.com's image", ImageLimits::POST)
        .expect_err("not an image");
    assert!(text.message.contains("example.com's image is not an image"));
    assert!(
        prepare_bytes(b"", "x", ImageLimits::POST).is_err_and(|err| err.message.contains("empty"))
    );
}

#[cfg(unix)]
#[test]
fn fifo_and_device_are_refused_without_blocking() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("photo.jpg");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(status.success());
    // No writer ever opens the FIFO: a blocking open or read would never return.
    let (sender, receiver) = std::sync::mpsc::channel();
    let path = fifo.clone();
    std::thread::spawn(move || {
        let _ = sender.send(prepare_image(&path, ImageLimits::POST));
    });
    let result = receiver
        .recv_timeout(Duration::from_secs(5))
        .expect("prepare_image returned instead of waiting for a writer");
    let err = result.expect_err("a FIFO is refused");
    assert!(
        err.message
            .contains("photo.jpg is a named pipe (FIFO), not an image file"),
        "{}",
        err.message
    );
    let message = refused(Path::new("/dev/zero"));
    assert!(message.contains("is a device"), "{message}");
}

#[test]
fn a_prepared_image_is_recognised_as_it_is_and_an_unprepared_one_is_not() {
    // Prepared output (JPEG and PNG) is taken as it is, with its size read from the header by the
    // app's own readers (not by `image`'s JPEG decoder, which the shipped build does not include).
    for input in [jpeg(&photo(2400, 1800, 20), 90), png(&half_transparent())] {
        let prepared =
            prepare_bytes(&input, "the test image", ImageLimits::POST).expect("prepared");
        let again = already_prepared(prepared.bytes.clone(), ImageLimits::POST)
            .expect("recognised as prepared");
        assert_eq!(again, prepared);
    }
    // Too large on an edge (for an older server), or not a JPEG/PNG: to be prepared.
    let wide = jpeg(&photo(2400, 1800, 20), 90);
    assert_eq!(already_prepared(wide, ImageLimits::OLDER_SERVER), None);
    let gif = {
        let mut bytes = Vec::new();
        GifEncoder::new(&mut bytes)
            .encode(&[9, 9, 9, 255], 1, 1, image::ExtendedColorType::Rgba8)
            .expect("gif");
        bytes
    };
    assert_eq!(already_prepared(gif, ImageLimits::POST), None);
    assert_eq!(
        already_prepared(b"not an image".to_vec(), ImageLimits::POST),
        None
    );
}
