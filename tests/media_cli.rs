//! `hayon-cli media prepare` end to end: the real binary on files made here, a mix of good and bad.
//! It needs no account, database or keychain, and opens none.

use harness::cli::CliEnv;
use harness::images;
use image::GenericImageView;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A 1×1 GIF with two frames (hand-made: header, 2-colour table, two LZW-coded single pixels).
fn animated_gif(dir: &Path, name: &str) -> PathBuf {
    let mut gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00".to_vec();
    gif.extend([0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF]);
    for _ in 0..2 {
        // Graphic control (0.1 s delay), image descriptor, LZW min code 2: clear, 0, end.
        gif.extend([0x21, 0xF9, 0x04, 0x00, 0x0A, 0x00, 0x00, 0x00]);
        gif.extend([0x2C, 0, 0, 0, 0, 0x01, 0x00, 0x01, 0x00, 0x00]);
        gif.extend([0x02, 0x02, 0x44, 0x01, 0x00]);
    }
    gif.push(0x3B);
    let path = dir.join(name);
    std::fs::write(&path, gif).expect("write gif");
    path
}

fn entries(json: &Value) -> &Vec<Value> {
    json.as_array()
        .unwrap_or_else(|| panic!("not an array: {json}"))
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

#[test]
fn prepares_the_good_files_and_names_the_bad_ones() {
    let env = CliEnv::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let photo = images::photo_jpeg(d, "photo.jpg", 2200, 1400);
    let portrait = images::exif_rotated_jpeg(d, "portrait.jpg", 600, 400);
    let logo = images::transparent_png(d, "logo.png", 300, 200);
    let notes = d.join("notes.jpg");
    std::fs::write(&notes, "Shopping list: bread, milk\n").expect("write text");
    let whole = std::fs::read(&photo).expect("read photo");
    let cut = d.join("cut.jpg");
    std::fs::write(&cut, &whole[..whole.len() / 2]).expect("write truncated");
    let party = animated_gif(d, "party.gif");
    let gone = d.join("gone.png");
    let out = d.join("out");

    let files = [&photo, &portrait, &logo, &notes, &cut, &party, &gone];
    let mut args = vec!["media", "prepare"];
    args.extend(files.iter().map(|path| arg(path)));
    args.extend(["--out", arg(&out)]);
    let result = env.run(&args, "");

    assert_eq!(result.code, 1, "a failed input makes exit status 1");
    let entries = entries(&result.json);
    assert_eq!(entries.len(), files.len(), "{}", result.json);
    for (entry, input) in entries.iter().zip(files) {
        assert_eq!(entry["input"], arg(input), "{entry}");
    }

    let expected = [
        ("photo.jpg", "image/jpeg", 2200, 1400),
        ("portrait.jpg", "image/jpeg", 400, 600),
        ("logo.png", "image/png", 300, 200),
    ];
    for (entry, (name, mime_type, width, height)) in entries.iter().zip(expected) {
        let output = out.join(name);
        assert_eq!(entry["output"], arg(&output), "{entry}");
        assert_eq!(entry["mimeType"], mime_type, "{entry}");
        assert_eq!(
            (entry["width"].clone(), entry["height"].clone()),
            (width.into(), height.into())
        );
        let written = std::fs::read(&output).expect("output written");
        assert_eq!(entry["bytes"], written.len(), "{entry}");
        assert!(written.len() <= 2_000_000);
        assert!(entry.get("error").is_none(), "{entry}");
    }

    let refusals = [
        ("notes.jpg", "is not an image"),
        ("cut.jpg", "damaged or incomplete"),
        ("party.gif", "is animated"),
        ("gone.png", "was not found"),
    ];
    for (entry, (name, says)) in entries[3..].iter().zip(refusals) {
        assert_eq!(entry["error"]["code"], "validation", "{entry}");
        let message = entry["error"]["message"].as_str().expect("message");
        assert!(
            message.starts_with(name) && message.contains(says),
            "{message}"
        );
        assert!(entry.get("output").is_none(), "{entry}");
    }

    // Nothing of the account side was touched.
    assert!(!env.path().join("hayon.sqlite3").exists());
}

#[test]
fn a_12_mp_photo_comes_out_over_1_mb_and_within_2_mb_and_4000_px() {
    let env = CliEnv::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let photo = images::photo_jpeg(dir.path(), "camera.jpg", 4032, 3024);
    let out = dir.path().join("out");
    let result = env.run(&["media", "prepare", arg(&photo), "--out", arg(&out)], "");
    assert_eq!(result.code, 0, "{}", result.json);
    let entry = &entries(&result.json)[0];
    assert_eq!(entry["mimeType"], "image/jpeg", "{entry}");
    let written = std::fs::read(out.join("camera.jpg")).expect("output written");
    assert_eq!(entry["bytes"], written.len(), "{entry}");
    assert!(
        (1_000_001..=2_000_000).contains(&written.len()),
        "{} bytes",
        written.len()
    );
    let (width, height) = (
        entry["width"].as_u64().expect("width"),
        entry["height"].as_u64().expect("height"),
    );
    assert!(width.max(height) <= 4000, "{entry}");
    assert!(width > 2000, "sharper than the 2000 px of before: {entry}");
    assert_eq!(
        image::load_from_memory(&written)
            .expect("decodes")
            .dimensions(),
        (width as u32, height as u32)
    );
}

/// iPhone photos (issue 20): a HEIC and an AVIF made by heif-enc from a photo whose EXIF says
/// "rotate 90°" and where it was taken come out upright like that JPEG itself, as JPEGs within
/// 4000 px and 2,000,000 bytes, with no EXIF or GPS left; a HEIC with transparency stays
/// transparent, as PNG; a HEIC cut short and one of garbage after a real `ftyp` are refused by name.
#[test]
fn heic_and_avif_photos_are_prepared_upright_and_without_metadata() {
    let env = CliEnv::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // As an iPhone takes a portrait photo: 12 MP stored landscape, turned by `irot`.
    let heic = images::iphone_heic(d, "IMG_0042.HEIC", 4032, 3024);
    let avif = images::iphone_avif(d, "photo.avif", 960, 640);
    let jpeg = images::phone_jpeg(d, "photo.jpg", 960, 640);
    let sticker = images::transparent_heic(d, "sticker.heic", 300, 200);
    let whole = std::fs::read(&heic).expect("read heic");
    for (input, bytes) in [
        (&heic, &whole),
        (&avif, &std::fs::read(&avif).expect("avif")),
    ] {
        assert!(
            images::has_gps(bytes),
            "{} has no GPS to strip",
            input.display()
        );
    }
    let cut = d.join("cut.heic");
    std::fs::write(&cut, &whole[..whole.len() / 2]).expect("write cut");
    let ftyp = u32::from_be_bytes(whole[..4].try_into().expect("box size")) as usize;
    let mut garbage = whole[..ftyp].to_vec();
    garbage.extend((0..4000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let scrambled = d.join("scrambled.heic");
    std::fs::write(&scrambled, garbage).expect("write scrambled");
    let out = d.join("out");

    let files = [&heic, &avif, &jpeg, &sticker, &cut, &scrambled];
    let mut args = vec!["media", "prepare"];
    args.extend(files.iter().map(|path| arg(path)));
    args.extend(["--out", arg(&out)]);
    let result = env.run(&args, "");
    assert_eq!(result.code, 1, "two inputs are damaged: {}", result.json);
    let entries = entries(&result.json);
    assert_eq!(entries.len(), files.len(), "{}", result.json);

    let expected = [
        // Fitted within 4000 px, then scaled until its grain fits in 2,000,000 bytes.
        ("IMG_0042.jpg", "image/jpeg", 0, 0),
        ("photo.jpg", "image/jpeg", 640, 960),
        ("photo-2.jpg", "image/jpeg", 640, 960),
        ("sticker.png", "image/png", 300, 200),
    ];
    for (entry, (name, mime_type, width, height)) in entries.iter().zip(expected) {
        assert!(entry.get("error").is_none(), "{entry}");
        assert_eq!(entry["output"], arg(&out.join(name)), "{entry}");
        assert_eq!(entry["mimeType"], mime_type, "{entry}");
        let size = (entry["width"].as_u64(), entry["height"].as_u64());
        if width == 0 {
            let (Some(width), Some(height)) = size else {
                panic!("{entry}")
            };
            assert!(height <= 4000 && height > 2000, "{entry}");
            assert!(
                (width * 4).abs_diff(height * 3) <= 8,
                "3:4 as taken: {entry}"
            );
        } else {
            assert_eq!(size, (Some(width), Some(height)), "{entry}");
        }
        let written = std::fs::read(out.join(name)).expect("output written");
        assert_eq!(entry["bytes"], written.len(), "{entry}");
        assert!(
            written.len() <= 2_000_000,
            "{name}: {} bytes",
            written.len()
        );
        images::assert_no_metadata(&written, name);
        if mime_type == "image/jpeg" {
            // The HEIC and AVIF are turned by libheif from `irot`; the JPEG by its EXIF tag.
            images::assert_upright_portrait(&written, name);
        }
    }
    let sticker = image::load_from_memory(&std::fs::read(out.join("sticker.png")).expect("png"))
        .expect("decodes")
        .to_rgba8();
    assert_eq!(
        sticker.get_pixel(20, 100)[3],
        0,
        "the left half stays transparent"
    );
    assert_eq!(
        sticker.get_pixel(280, 100)[3],
        255,
        "the right half stays opaque"
    );

    for (entry, name) in entries[4..].iter().zip(["cut.heic", "scrambled.heic"]) {
        assert_eq!(entry["error"]["code"], "validation", "{entry}");
        let message = entry["error"]["message"].as_str().expect("message");
        assert!(
            message.starts_with(name) && message.contains("could not be read as a HEIC image: "),
            "{message}"
        );
        assert!(entry.get("output").is_none(), "{entry}");
    }
}

/// A HEIC stored as a grid of 512×512 tiles, as iPhones store theirs (4096×3072 here), is prepared
/// whole: fitted within 4000 px, its gradients where they were.
#[test]
fn a_tiled_heic_is_prepared_whole() {
    let env = CliEnv::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let heic = images::grid_heic(dir.path(), "grid.heic", 8, 6);
    let out = dir.path().join("out");
    let json = env
        .run(&["media", "prepare", arg(&heic), "--out", arg(&out)], "")
        .expect_ok();
    let entry = &entries(&json)[0];
    assert_eq!(entry["mimeType"], "image/jpeg", "{entry}");
    let written = std::fs::read(out.join("grid.jpg")).expect("output written");
    assert!(written.len() <= 2_000_000, "{} bytes", written.len());
    let image = image::load_from_memory(&written)
        .expect("decodes")
        .to_rgb8();
    let (width, height) = image.dimensions();
    assert!(
        width <= 4000 && width > 2000 && (width * 3).abs_diff(height * 4) <= 8,
        "{entry}"
    );
    // Each corner shows its own part of the gradient: no tile is missing or misplaced.
    let corner = |x: u32, y: u32| image.get_pixel(x, y).0;
    let (left, right) = (corner(8, height / 2), corner(width - 8, height / 2));
    let (top, bottom) = (corner(width / 2, 8), corner(width / 2, height - 8));
    assert!(
        left[0] + 100 < right[0],
        "red left to right: {left:?} {right:?}"
    );
    assert!(
        top[1] + 100 < bottom[1],
        "green top to bottom: {top:?} {bottom:?}"
    );
}

#[test]
fn all_good_exits_zero_and_same_names_do_not_collide() {
    let env = CliEnv::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let (first, second) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&first).expect("dir a");
    std::fs::create_dir_all(&second).expect("dir b");
    let one = images::photo_jpeg(&first, "IMG_0001.jpg", 320, 240);
    let two = images::photo_jpeg(&second, "IMG_0001.jpg", 240, 320);
    let out = dir.path().join("prepared");

    let json = env
        .run(
            &["media", "prepare", arg(&one), arg(&two), "--out", arg(&out)],
            "",
        )
        .expect_ok();
    let outputs: Vec<&str> = entries(&json)
        .iter()
        .map(|entry| entry["output"].as_str().expect("output"))
        .collect();
    assert_eq!(
        outputs,
        [
            arg(&out.join("IMG_0001.jpg")),
            arg(&out.join("IMG_0001-2.jpg"))
        ]
    );
    assert_eq!(entries(&json)[1]["width"], 240);
}

/// `--out` only ever creates new files: an earlier output stays as it is, a symlink planted under the
/// next name is neither written through nor replaced, and the image lands under the first free name.
#[cfg(unix)]
#[test]
fn existing_files_and_symlinks_in_out_are_never_written() {
    let env = CliEnv::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let photo = images::photo_jpeg(dir.path(), "photo.jpg", 320, 240);
    let out = dir.path().join("prepared");
    std::fs::create_dir_all(&out).expect("out");
    std::fs::write(out.join("photo.jpg"), b"an earlier output").expect("earlier");
    let elsewhere = dir.path().join("elsewhere.txt");
    std::fs::write(&elsewhere, b"not the CLI's").expect("elsewhere");
    std::os::unix::fs::symlink(&elsewhere, out.join("photo-2.jpg")).expect("symlink");
    std::os::unix::fs::symlink(dir.path().join("missing"), out.join("photo-3.jpg"))
        .expect("dangling symlink");

    let json = env
        .run(&["media", "prepare", arg(&photo), "--out", arg(&out)], "")
        .expect_ok();
    let written = out.join("photo-4.jpg");
    assert_eq!(entries(&json)[0]["output"], arg(&written));
    assert_eq!(
        std::fs::read(out.join("photo.jpg")).expect("earlier"),
        b"an earlier output"
    );
    assert_eq!(
        std::fs::read(&elsewhere).expect("elsewhere"),
        b"not the CLI's"
    );
    assert!(!dir.path().join("missing").exists());
    for link in ["photo-2.jpg", "photo-3.jpg"] {
        let kind = std::fs::symlink_metadata(out.join(link)).expect(link);
        assert!(kind.file_type().is_symlink(), "{link} was replaced");
    }
    let bytes = std::fs::read(&written).expect("written");
    assert_eq!(entries(&json)[0]["bytes"], bytes.len());
    assert!(bytes.starts_with(&[0xFF, 0xD8]));
}
