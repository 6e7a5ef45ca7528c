//! "Require alt text": when the person's settings (or `--require-alt`) ask for it, a post with an
//! undescribed image is refused before any request, whichever way it was sent (window or CLI), with
//! a message naming the images that need a description.

use crate::composition::ComposedImage;
use crate::error::{Error, Result};
use crate::outbox::ImageFiles;
use std::path::Path;

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
