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
