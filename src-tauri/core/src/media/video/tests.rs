use super::errors::minutes_and_seconds;
use super::*;
use std::io::Write;

fn file_with(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(bytes).expect("write");
    file
}

#[test]
fn containers_are_told_apart_by_their_first_bytes() {
    assert_eq!(sniff(b"\0\0\0\x20ftypisom\0\0\x02\0"), Some(Container::Mp4));
    assert_eq!(
        sniff(b"\0\0\0\x14ftypqt  \0\0\x02\0"),
        Some(Container::QuickTime)
    );
    assert_eq!(
        sniff(&[0x1a, 0x45, 0xdf, 0xa3, 0x9f]),
        Some(Container::WebM)
    );
    assert_eq!(sniff(b"GIF89a\x10\0"), Some(Container::Gif));
    // iPhone photos are ISO media files too.
    assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), None);
    assert_eq!(sniff(b"\xff\xd8\xff\xe0"), None);
    assert_eq!(sniff(b""), None);
}

#[test]
fn what_is_not_a_video_says_what_to_do() {
    let photo = file_with(b"\xff\xd8\xff\xe0\0\x10JFIF\0");
    let err = probe(photo.path()).expect_err("a JPEG");
    assert!(err.message.contains("is a photo, not a video"), "{err:?}");
    let text = file_with(b"hello, world");
    let err = probe(text.path()).expect_err("text");
    assert!(
        err.message.contains("MP4, MOV, WebM or animated GIF"),
        "{err:?}"
    );
    let empty = file_with(b"");
    assert!(probe(empty.path())
        .expect_err("empty")
        .message
        .contains("empty"));
    let cut = file_with(b"\0\0\0\x20ftypisom\0\0\x02\0isomiso2avc1mp41\0\0\0\x08free");
    let err = probe(cut.path()).expect_err("no moov");
    assert!(
        err.message.contains("could not be read as a video"),
        "{err:?}"
    );
    let missing = probe(Path::new("/nonexistent/clip.mp4")).expect_err("missing");
    assert!(
        missing.message.starts_with("clip.mp4 was not found"),
        "{missing:?}"
    );
}

#[test]
fn a_file_over_300_mb_is_refused_from_its_size() {
    let file = tempfile::NamedTempFile::new().expect("temp file");
    // Sparse: nothing is written.
    file.as_file()
        .set_len(MAX_VIDEO_BYTES + 1)
        .expect("set_len");
    let err = probe(file.path()).expect_err("too large");
    assert!(
        err.message
            .contains("is 300 MB; Bluesky takes videos up to 300 MB"),
        "{err:?}"
    );
}

#[test]
fn lengths_read_as_minutes_and_seconds() {
    assert_eq!(minutes_and_seconds(Duration::from_secs(42)), "42 s");
    assert_eq!(minutes_and_seconds(Duration::from_secs(660)), "11 min");
    assert_eq!(minutes_and_seconds(Duration::from_secs(605)), "10 min 5 s");
}

#[test]
fn captions_must_be_webvtt_within_20_kb() {
    let good = file_with(b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n");
    assert!(read_caption(good.path()).is_ok());
    let with_bom = file_with("\u{feff}WEBVTT - Title\n".as_bytes());
    assert!(read_caption(with_bom.path()).is_ok());
    let srt = file_with(b"1\n00:00:00,000 --> 00:00:01,000\nHello\n");
    let err = read_caption(srt.path()).expect_err("not WebVTT");
    assert!(err.message.contains("not a WebVTT caption file"), "{err:?}");
    let big = file_with(&[b"WEBVTT\n".as_slice(), &vec![b'a'; MAX_CAPTION_BYTES]].concat());
    let err = read_caption(big.path()).expect_err("too large");
    assert!(err.message.contains("up to 20000 bytes"), "{err:?}");
}
