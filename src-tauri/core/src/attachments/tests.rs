//! The attachments folder with real files: staged copies are prepared and private, posted as they
//! are, deleted when they leave the draft, swept when orphaned, and capped.

use super::*;
use crate::composition::{ComposedImage, ComposedPost, Composition};
use crate::draft::Drafts;
use crate::store::Store;
use std::ffi::OsStr;

/// A JPEG with an EXIF block whose description is `secret` (as a camera's GPS and maker data sit
/// there), `width`×`height` (libjpeg-turbo through `mozjpeg`: fast even in a debug build).
fn camera_jpeg(width: u32, height: u32, secret: &str) -> Vec<u8> {
    let mut pixels = Vec::with_capacity(width as usize * height as usize * 3);
    for y in 0..height {
        for x in 0..width {
            pixels.extend([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8]);
        }
    }
    let mut compress = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_RGB);
    compress.set_fastest_defaults();
    compress.set_size(width as usize, height as usize);
    compress.set_quality(95.0);
    let mut started = compress.start_compress(Vec::new()).expect("start jpeg");
    started.write_scanlines(&pixels).expect("jpeg rows");
    let jpeg = started.finish().expect("jpeg");
    // TIFF, little-endian: IFD0 at 8 with one entry, ImageDescription (ASCII) → text at 26.
    let text = format!("{secret}\0");
    let mut tiff = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    tiff.extend(1u16.to_le_bytes());
    tiff.extend(0x010Eu16.to_le_bytes());
    tiff.extend(2u16.to_le_bytes());
    tiff.extend((text.len() as u32).to_le_bytes());
    tiff.extend(26u32.to_le_bytes());
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(text.as_bytes());
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(u16::try_from(app1.len() + 2).expect("small").to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

struct Setup {
    data: tempfile::TempDir,
    attachments: Attachments,
    store: Store,
}

fn setup() -> Setup {
    let data = tempfile::tempdir().expect("tempdir");
    let attachments = Attachments::open(data.path()).expect("open");
    let store = Store::open_in(data.path()).expect("store");
    Setup {
        data,
        attachments,
        store,
    }
}

impl Setup {
    fn drafts(&self) -> Drafts<'_> {
        Drafts {
            store: &self.store,
            attachments: &self.attachments,
        }
    }

    /// Puts `composition` in the outbox, as the window's Post does; returns the row's id.
    fn put_in_outbox(&self, composition: &Composition) -> String {
        let entry = crate::publish::OutboxEntry {
            composition: composition.clone(),
            ..crate::publish::OutboxEntry::for_test(&crate::tid::next_tid(), &[], Vec::new())
        };
        self.store
            .insert_outbox(&entry, None)
            .expect("in the outbox");
        entry.id
    }
}

/// The names in the folder, sorted.
fn files(setup: &Setup) -> Vec<OsString> {
    let mut files: Vec<OsString> = std::fs::read_dir(setup.data.path().join(FOLDER))
        .expect("folder")
        .flatten()
        .map(|entry| entry.file_name())
        .collect();
    files.sort();
    files
}

fn name_of(path: impl AsRef<Path>) -> OsString {
    path.as_ref().file_name().expect("a file name").to_owned()
}

/// A one-post draft with these images.
fn draft_of(paths: &[&str]) -> Composition {
    thread_of(&[paths])
}

/// A draft of one post per entry, each with these images.
fn thread_of(posts: &[&[&str]]) -> Composition {
    Composition {
        posts: posts
            .iter()
            .map(|paths| ComposedPost {
                text: "hello".to_owned(),
                images: paths
                    .iter()
                    .map(|path| ComposedImage {
                        path: (*path).to_owned(),
                        alt: String::new(),
                    })
                    .collect(),
                ..ComposedPost::default()
            })
            .collect(),
        ..Composition::default()
    }
}

#[tokio::test]
async fn a_staged_copy_is_the_prepared_image_private_and_new() {
    let setup = setup();
    let original = camera_jpeg(4800, 2400, "HAYON-GPS-48.85N");
    let staged = setup
        .attachments
        .stage("beach.jpg", &original)
        .await
        .expect("staged");
    assert_eq!((staged.width, staged.height), (4000, 2000));
    assert_eq!(staged.mime_type, "image/jpeg");
    let path = PathBuf::from(&staged.path);
    assert_eq!(files(&setup), [name_of(&path)]);
    let name = path.file_name().expect("name");
    assert!(is_prepared_name(name), "{name:?}");
    let kept = std::fs::read(&path).expect("read");
    assert_eq!(kept.len(), staged.bytes);
    assert!(kept.len() <= media::ImageLimits::POST.max_bytes);
    assert!(
        !contains(&kept, b"HAYON-GPS"),
        "the original's metadata was kept"
    );
    assert!(!contains(&kept, b"Exif\0\0"), "an EXIF block was kept");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(staged.preview_url.starts_with("data:image/jpeg;base64,"));
}

#[tokio::test]
async fn a_bad_file_is_named_as_picked_and_nothing_is_kept() {
    let setup = setup();
    let err = setup
        .attachments
        .stage("notes.jpg", b"not an image")
        .await
        .expect_err("refused");
    assert!(err.message.contains("notes.jpg"), "{}", err.message);
    assert!(files(&setup).is_empty());
}

/// The window's picked bytes are capped: a real photo with padding past [`media::MAX_INPUT_BYTES`]
/// (which decodes fine) is refused by size, named, with nothing kept; at the cap it is taken.
#[tokio::test]
async fn picked_bytes_over_the_cap_are_refused_before_any_work() {
    let setup = setup();
    let mut padded = camera_jpeg(64, 64, "x");
    padded.resize(media::MAX_INPUT_BYTES + 1, 0);
    let err = setup
        .attachments
        .stage("huge.jpg", &padded)
        .await
        .expect_err("over the cap");
    assert_eq!(err.code, crate::error::ErrorCode::Validation);
    assert!(
        err.message.contains("huge.jpg") && err.message.contains("up to 100 MB"),
        "{}",
        err.message
    );
    assert!(files(&setup).is_empty());
    padded.truncate(media::MAX_INPUT_BYTES);
    let staged = setup
        .attachments
        .stage("huge.jpg", &padded)
        .await
        .expect("at the cap");
    assert_eq!((staged.width, staged.height), (64, 64));
}

#[tokio::test]
async fn a_staged_copy_is_posted_as_it_is_not_prepared_again() {
    let setup = setup();
    let staged = setup
        .attachments
        .stage("photo.jpg", &camera_jpeg(1600, 1200, "x"))
        .await
        .expect("staged");
    let kept = std::fs::read(&staged.path).expect("read");
    let sources = setup
        .attachments
        .sources(vec![staged.path.clone()])
        .await
        .expect("sources");
    let [ImageSource::Prepared(image)] = &sources[..] else {
        panic!("not taken as prepared: {sources:?}");
    };
    assert_eq!(image.bytes, kept, "the upload must be the staged bytes");
    assert_eq!((image.width, image.height), (1600, 1200));
    let preview = setup
        .attachments
        .preview(&staged.path)
        .await
        .expect("preview");
    assert_eq!(preview, staged);
}

#[tokio::test]
async fn a_prepared_thumbnail_is_kept_byte_for_byte() {
    let setup = setup();
    let thumb = media::prepare_bytes(
        &camera_jpeg(1200, 630, "x"),
        "the card's image",
        media::ImageLimits::CARD_THUMB,
    )
    .expect("prepared");
    let staged = setup
        .attachments
        .keep_prepared(thumb.clone())
        .await
        .expect("kept");
    assert_eq!(std::fs::read(&staged.path).expect("read"), thumb.bytes);
    let sources = setup
        .attachments
        .sources(vec![staged.path.clone()])
        .await
        .expect("sources");
    assert!(
        matches!(&sources[..], [ImageSource::Prepared(image)] if image.bytes == thumb.bytes),
        "{sources:?}"
    );
}

/// What a post does with its sources: prepared images as they are, files prepared now.
fn posted(sources: Vec<ImageSource>) -> Vec<PreparedImage> {
    sources
        .into_iter()
        .map(|source| match source {
            ImageSource::Prepared(image) => image,
            ImageSource::File(file) => {
                media::prepare_image(&file, media::ImageLimits::POST).expect("prepared")
            }
        })
        .collect()
}

#[tokio::test]
async fn an_original_staged_by_an_older_version_is_prepared_again() {
    let setup = setup();
    let legacy = setup
        .data
        .path()
        .join(FOLDER)
        .join("3lbxyzabcdefg-beach.jpg");
    std::fs::write(&legacy, camera_jpeg(300, 200, "HAYON-GPS-OLD")).expect("write");
    let path = legacy.to_str().expect("utf-8").to_owned();
    let sources = setup
        .attachments
        .sources(vec![path.clone()])
        .await
        .expect("sources");
    let [image] = &posted(sources)[..] else {
        panic!("one image");
    };
    assert_eq!((image.width, image.height), (300, 200));
    assert!(!contains(&image.bytes, b"HAYON-GPS"), "not prepared again");
    let preview = setup.attachments.preview(&path).await.expect("preview");
    assert_eq!((preview.width, preview.height), (300, 200));
    // A prepared name over something that is not a prepared image is prepared again too.
    let odd = setup.data.path().join(FOLDER).join("3lbxyzabcdefh.jpg");
    std::fs::write(&odd, camera_jpeg(4800, 100, "x")).expect("write");
    let sources = setup
        .attachments
        .sources(vec![odd.to_str().expect("utf-8").to_owned()])
        .await
        .expect("sources");
    let [image] = &posted(sources)[..] else {
        panic!("one image");
    };
    assert_eq!((image.width, image.height), (4000, 84));
}

/// An older version's copy swapped for a symlink to a file outside the folder once it passed the
/// check: what is posted is the checked file, never the symlink's target, and it is refused after.
#[cfg(unix)]
#[tokio::test]
async fn a_symlink_swapped_in_for_an_older_copy_is_never_followed() {
    let setup = setup();
    let folder = setup.data.path().join(FOLDER);
    let legacy = folder.join("3lbxyzabcdefg-beach.jpg");
    std::fs::write(&legacy, camera_jpeg(300, 200, "x")).expect("write");
    let outside = setup.data.path().join("private.jpg");
    std::fs::write(&outside, camera_jpeg(500, 100, "x")).expect("outside");
    let path = legacy.to_str().expect("utf-8").to_owned();

    let sources = setup
        .attachments
        .sources(vec![path.clone()])
        .await
        .expect("sources");
    std::fs::remove_file(&legacy).expect("remove");
    std::os::unix::fs::symlink(&outside, &legacy).expect("symlink");

    let sizes: Vec<(u32, u32)> = posted(sources)
        .iter()
        .map(|image| (image.width, image.height))
        .collect();
    assert_eq!(sizes, [(300, 200)], "the symlink's target was read");
    let refused = setup.attachments.preview(&path).await.expect_err("symlink");
    assert_eq!(refused.message, UNAVAILABLE);
}

#[tokio::test]
async fn paths_outside_the_folder_are_refused_alike() {
    let setup = setup();
    let outside = setup.data.path().join("elsewhere.jpg");
    std::fs::write(&outside, camera_jpeg(64, 64, "x")).expect("write");
    let existing = setup
        .attachments
        .preview(outside.to_str().expect("utf-8"))
        .await
        .expect_err("outside");
    let missing = setup
        .attachments
        .preview(&format!("{}/nothing.jpg", setup.data.path().display()))
        .await
        .expect_err("missing");
    assert_eq!(existing, missing);
    assert_eq!(existing.message, UNAVAILABLE);
    let sources = setup
        .attachments
        .sources(vec![outside.to_str().expect("utf-8").to_owned()])
        .await
        .expect_err("outside");
    assert_eq!(sources, existing);
    let many = vec![outside.to_str().expect("utf-8").to_owned(); 11];
    let err = setup.attachments.sources(many).await.expect_err("eleven");
    assert!(err.message.contains("up to 10 images"), "{}", err.message);
}

#[tokio::test]
async fn a_draft_only_refers_to_staged_copies_and_removed_ones_are_deleted() {
    let setup = setup();
    let first = setup
        .attachments
        .stage("a.jpg", &camera_jpeg(64, 64, "x"))
        .await
        .expect("a");
    let second = setup
        .attachments
        .stage("b.jpg", &camera_jpeg(64, 64, "x"))
        .await
        .expect("b");
    // A thread whose second post has the second image.
    let both = thread_of(&[&[&first.path], &[&second.path]]);
    let drafts = setup.drafts();
    let id = drafts.save(None, &both, "t1").expect("saved");
    let outside = setup.data.path().join("hayon.sqlite3");
    let bad = draft_of(&[&first.path, outside.to_str().expect("utf-8")]);
    let err = drafts.save(Some(id), &bad, "t2").expect_err("refused");
    assert_eq!(err.message, UNAVAILABLE);
    assert_eq!(drafts.load(id).expect("load"), Some(both.clone()));
    assert_eq!(files(&setup).len(), 2, "a refused save deletes nothing");

    // The person removed the second post while a thread in the outbox still uses its image: the
    // copy stays for that thread.
    let one = draft_of(&[&first.path]);
    let in_outbox = setup.put_in_outbox(&draft_of(&[&second.path]));
    drafts.save(Some(id), &one, "t3").expect("saved");
    assert_eq!(files(&setup).len(), 2);
    // Once nothing needs it, the copy goes with the next save; the first stays.
    setup.store.delete_outbox(&in_outbox).expect("sent");
    drafts.save(Some(id), &both, "t4").expect("saved");
    drafts.save(Some(id), &one, "t5").expect("saved");
    assert_eq!(files(&setup), [name_of(&first.path)]);
    assert!(outside.exists());

    // Gone from the outbox (a row may name anything): the staged copies it alone used go; anything
    // else named is left alone; a copy the draft still uses stays.
    let row = draft_of(&[&first.path, outside.to_str().expect("utf-8")]);
    drafts.forget_unused_images(&row).expect("forgotten");
    assert_eq!(files(&setup), [name_of(&first.path)], "the draft uses it");
    drafts.delete(id).expect("posted");
    assert!(files(&setup).is_empty());
    assert!(outside.exists(), "a file outside the folder was deleted");
}

/// With several drafts, each keeps its own images; a discarded draft keeps them while Undo can
/// bring it back, and they go when it is deleted for good, unless another draft or the outbox
/// shares them.
#[tokio::test]
async fn every_draft_keeps_its_images_and_a_discarded_one_until_it_is_deleted() {
    let setup = setup();
    let drafts = setup.drafts();
    let mut staged = Vec::new();
    for name in ["a.jpg", "b.jpg", "c.jpg"] {
        let image = setup
            .attachments
            .stage(name, &camera_jpeg(48, 48, "x"))
            .await
            .expect("staged");
        staged.push(image.path);
    }
    let [a, b, c] = [&staged[0], &staged[1], &staged[2]];
    let first = drafts.save(None, &draft_of(&[a, b]), "t1").expect("first");
    let second = drafts.save(None, &draft_of(&[c]), "t2").expect("second");
    assert_ne!(first, second);
    assert_eq!(files(&setup).len(), 3);

    // Discarded: nothing goes (Undo brings the images back).
    drafts.discard(first, "t3").expect("discard");
    assert_eq!(files(&setup).len(), 3);
    drafts.restore(first).expect("undo");
    drafts.discard(first, "t4").expect("discard again");

    // Deleted for good while the outbox shares `b`: `a` goes, `b` and the other draft's `c` stay.
    setup.put_in_outbox(&draft_of(&[b]));
    drafts.delete(first).expect("deleted");
    let mut left = vec![name_of(b), name_of(c)];
    left.sort();
    assert_eq!(files(&setup), left);
}

#[tokio::test]
async fn the_sweep_removes_only_old_copies_no_draft_refers_to() {
    let setup = setup();
    let folder = setup.data.path().join(FOLDER);
    let old = |name: &str| {
        let path = folder.join(name);
        std::fs::write(&path, b"x").expect("write");
        let file = std::fs::File::options()
            .write(true)
            .open(&path)
            .expect("open");
        file.set_modified(SystemTime::now() - std::time::Duration::from_secs(3600))
            .expect("backdate");
        path
    };
    let orphan = old("3lbaaaaaaaaaa.jpg");
    let in_draft = old("3lbbbbbbbbbbb.jpg");
    let legacy_orphan = old("3lbcccccccccc-cat.png");
    // Made after the folder was opened (the window's new work, not in a saved draft yet).
    let fresh = setup
        .attachments
        .stage("new.jpg", &camera_jpeg(32, 32, "x"))
        .await
        .expect("staged");
    std::fs::create_dir(folder.join("a-folder")).expect("dir");
    // A thread in the outbox: the copy is kept because of its second post.
    let thread = thread_of(&[&["/etc/hostname"], &[in_draft.to_str().expect("utf-8")]]);
    let row = setup.put_in_outbox(&thread);

    assert_eq!(setup.drafts().sweep().expect("swept"), 2);
    assert!(!orphan.exists() && !legacy_orphan.exists());
    assert!(in_draft.exists());
    assert!(PathBuf::from(&fresh.path).exists());
    assert!(folder.join("a-folder").exists());
    setup.store.delete_outbox(&row).expect("sent");
    assert_eq!(
        setup.drafts().sweep().expect("swept"),
        1,
        "nothing uses it: the old copy goes"
    );
    assert!(PathBuf::from(&fresh.path).exists());
}

#[tokio::test]
async fn a_full_folder_is_refused_with_a_clear_message() {
    let setup = setup();
    let filler = setup.data.path().join(FOLDER).join("3lbddddddddddd.jpg");
    // Sparse: counts as 199.5 MB without writing them.
    std::fs::File::create(&filler)
        .and_then(|file| file.set_len(MAX_FOLDER_BYTES - 500_000))
        .expect("filler");
    let err = setup
        .attachments
        .stage("one-more.jpg", &camera_jpeg(64, 64, "x"))
        .await
        .expect_err("full");
    assert_eq!(err.code, crate::ErrorCode::Validation);
    assert!(err.message.contains("200 MB"), "{}", err.message);
    assert_eq!(files(&setup), [name_of(&filler)]);
    std::fs::remove_file(&filler).expect("remove");
    setup
        .attachments
        .stage("one-more.jpg", &camera_jpeg(64, 64, "x"))
        .await
        .expect("room again");
}

#[test]
fn only_stage_names_count_as_prepared() {
    for name in ["3lbxyzabcdefg.jpg", "3lbxyzabcdefg.png"] {
        assert!(is_prepared_name(OsStr::new(name)), "{name}");
    }
    for name in [
        "3lbxyzabcdefg-photo.jpg",
        "3lbxyzabcdefg.gif",
        "3lbxyzabcdef.jpg",
        "3LBXYZABCDEFG.jpg",
        "3lbxyzabcdef1.jpg",
        "3lbxyzabcdefg.jpg.png",
    ] {
        assert!(!is_prepared_name(OsStr::new(name)), "{name}");
    }
}

#[tokio::test]
async fn a_video_arrives_in_order_under_the_id_it_was_given_or_not_at_all() {
    let setup = setup();
    let attachments = &setup.attachments;
    let too_large = attachments
        .begin_video(crate::media::video::MAX_VIDEO_BYTES + 1)
        .await
        .expect_err("over 300 MB");
    assert!(too_large.message.contains("up to 300 MB"), "{too_large:?}");

    let id = attachments.begin_video(12).await.expect("an id");
    assert_eq!(files(&setup), [OsString::from(format!("{id}.video.part"))]);
    assert_eq!(
        attachments.append_video(&id, 0, b"hello ".to_vec()).await,
        Ok(6)
    );
    // A piece that would skip or repeat bytes is refused.
    for offset in [0, 3, 7] {
        let refused = attachments
            .append_video(&id, offset, b"world!".to_vec())
            .await
            .expect_err("out of order");
        assert!(refused.message.contains("out of order"), "{refused:?}");
    }
    // The page names ids, never paths.
    for forged in ["../../etc/passwd", "", "ABCDEFGHIJKLM", "/tmp/x"] {
        assert!(attachments
            .append_video(forged, 0, b"x".to_vec())
            .await
            .is_err());
        assert!(attachments.finish_video(forged, "x.mp4").await.is_err());
    }
    assert_eq!(
        attachments.append_video(&id, 6, b"world!".to_vec()).await,
        Ok(12)
    );
    // Not a video: refused in the picked file's name, and the partial copy is gone.
    let refused = attachments
        .finish_video(&id, "holiday.mp4")
        .await
        .expect_err("text is no video");
    assert!(refused.message.starts_with("holiday.mp4 "), "{refused:?}");
    assert!(files(&setup).is_empty(), "{:?}", files(&setup));

    let id = attachments.begin_video(5).await.expect("an id");
    attachments.discard_video(&id).await.expect("discarded");
    assert!(files(&setup).is_empty());
    assert_eq!(
        attachments.discard_video(&id).await,
        Ok(()),
        "twice is fine"
    );
}

#[tokio::test]
async fn a_caption_file_is_kept_only_when_it_is_webvtt() {
    let setup = setup();
    let staged = setup
        .attachments
        .stage_caption(
            "en.vtt",
            b"WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n".to_vec(),
        )
        .await
        .expect("staged");
    assert!(staged.path.ends_with(".vtt"), "{staged:?}");
    assert_eq!(files(&setup), [name_of(&staged.path)]);
    let refused = setup
        .attachments
        .stage_caption(
            "notes.srt",
            b"1\n00:00:00,000 --> 00:00:01,000\nHi\n".to_vec(),
        )
        .await
        .expect_err("SubRip is not WebVTT");
    assert!(
        refused.message.starts_with("notes.srt is not a WebVTT"),
        "{refused:?}"
    );
    assert_eq!(files(&setup).len(), 1);
}
