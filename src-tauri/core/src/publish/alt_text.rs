//! Alt text checks made before any request, whichever way a post was sent (window or CLI):
//! - its length: at most [`MAX_ALT_GRAPHEMES`], the official app's limit, counted in graphemes as
//!   post text is counted ([`crate::compose::grapheme_len`]); the window's alt editor counts the same
//!   way and stops there, so this refusal is for the CLI and for a web view that did not;
//! - "Require alt text": when the person's settings (or `--require-alt`) ask for it, a post with an
//!   undescribed image is refused, with a message naming the images that need a description.

use super::entry::ImageFiles;
use crate::composition::ComposedImage;
use crate::error::{Error, Result};
use std::path::Path;

/// The longest alt text an image may have, in graphemes.
pub const MAX_ALT_GRAPHEMES: usize = 2000;

/// Refuses `images` (of post number `post` in a thread) if any has alt text over the limit.
pub(super) fn check_length(
    images: &[ComposedImage],
    files: ImageFiles,
    post: Option<usize>,
) -> Result<()> {
    for (index, image) in images.iter().enumerate() {
        within_limit(&image.alt, || describe(index, image, files, post))?;
    }
    Ok(())
}

/// Refuses `alt` over the limit, naming what it describes (`described()`: "image 2", "the video").
pub(super) fn within_limit(alt: &str, described: impl FnOnce() -> String) -> Result<()> {
    let length = crate::compose::grapheme_len(alt);
    if length > MAX_ALT_GRAPHEMES {
        return Err(Error::validation(format!(
            "The alt text of {} is {length} characters; the most is {MAX_ALT_GRAPHEMES}. Shorten \
             it by {}; nothing was posted.",
            described(),
            length - MAX_ALT_GRAPHEMES
        )));
    }
    Ok(())
}

/// Refuses `images` (of post number `post` in a thread) if any has blank alt text.
pub(super) fn require(
    images: &[ComposedImage],
    files: ImageFiles,
    post: Option<usize>,
) -> Result<()> {
    let missing: Vec<String> = images
        .iter()
        .enumerate()
        .filter(|(_, image)| image.alt.trim().is_empty())
        .map(|(index, image)| describe(index, image, files, post))
        .collect();
    let (last, others) = match missing.split_last() {
        None => return Ok(()),
        Some(split) => split,
    };
    let list = if others.is_empty() {
        last.clone()
    } else {
        format!("{} and {last}", others.join(", "))
    };
    let verb = if others.is_empty() { "has" } else { "have" };
    Err(Error::validation(format!(
        "Your settings require alt text, and {list} {verb} none. Describe what each image shows \
         (or turn off \"Require alt text\"); nothing was posted."
    )))
}

/// "image 2", "image 2 of post 3", and "(photo.jpg)" after it for a file the person named (a staged
/// copy's name means nothing to them).
fn describe(index: usize, image: &ComposedImage, files: ImageFiles, post: Option<usize>) -> String {
    let mut text = format!("image {}", index + 1);
    if let Some(post) = post {
        text.push_str(&format!(" of post {post}"));
    }
    if files == ImageFiles::Named {
        if let Some(name) = Path::new(&image.path).file_name() {
            text.push_str(&format!(" ({})", name.to_string_lossy()));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, alt: &str) -> ComposedImage {
        ComposedImage {
            path: path.to_owned(),
            alt: alt.to_owned(),
        }
    }

    #[test]
    fn images_with_alt_text_pass() {
        assert_eq!(require(&[], ImageFiles::Named, None), Ok(()));
        assert_eq!(
            require(&[file("/a/cat.jpg", "A cat")], ImageFiles::Named, None),
            Ok(())
        );
    }

    #[test]
    fn the_message_names_each_image_without_alt_text() {
        let err = require(
            &[
                file("/a/cat.jpg", "A cat"),
                file("/a/dog.jpg", "  "),
                file("/a/bird.png", ""),
            ],
            ImageFiles::Named,
            None,
        )
        .expect_err("refused");
        assert_eq!(err.code, crate::ErrorCode::Validation);
        assert!(
            err.message
                .contains("image 2 (dog.jpg) and image 3 (bird.png) have none"),
            "{}",
            err.message
        );
        assert!(!err.message.contains("cat.jpg"), "{}", err.message);
        assert!(!err.message.contains("/a/"), "no folder: {}", err.message);
    }

    #[test]
    fn alt_text_up_to_2000_graphemes_passes_and_longer_is_refused() {
        // 2000 family emoji: 2000 graphemes, far more UTF-16 units and bytes.
        let family = "👨‍👩‍👧".repeat(MAX_ALT_GRAPHEMES);
        assert_eq!(
            check_length(&[file("/a/cat.jpg", &family)], ImageFiles::Named, None),
            Ok(())
        );
        let over = format!("{family}é");
        let err = check_length(
            &[file("/a/cat.jpg", "fine"), file("/a/dog.jpg", &over)],
            ImageFiles::Named,
            Some(2),
        )
        .expect_err("refused");
        assert_eq!(err.code, crate::ErrorCode::Validation);
        assert!(
            err.message
                .contains("image 2 of post 2 (dog.jpg) is 2001 characters"),
            "{}",
            err.message
        );
    }

    #[test]
    fn staged_copies_are_named_by_position_only() {
        let err = require(
            &[file("/data/attachments/3k2a.jpg", "")],
            ImageFiles::Staged,
            Some(2),
        )
        .expect_err("refused");
        assert!(
            err.message.contains("image 1 of post 2 has none"),
            "{}",
            err.message
        );
        assert!(!err.message.contains("3k2a"), "{}", err.message);
    }
}
