//! "Require alt text": when the person's settings (or `--require-alt`) ask for it, a post with an
//! undescribed image is refused before any request, whichever way it was sent (window or CLI), with
//! a message naming the images that need a description.

use super::{ImageAttachment, ImageSource};
use crate::error::{Error, Result};

/// Refuses `images` if any has blank alt text.
pub(super) fn require(images: &[ImageAttachment]) -> Result<()> {
    let missing: Vec<String> = images
        .iter()
        .enumerate()
        .filter(|(_, image)| image.alt.trim().is_empty())
        .map(|(index, image)| describe(index, &image.source))
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

/// "image 2", or "image 2 (photo.jpg)" for a file the person named.
fn describe(index: usize, source: &ImageSource) -> String {
    let number = index + 1;
    match source {
        ImageSource::File(path) => match path.file_name() {
            Some(name) => format!("image {number} ({})", name.to_string_lossy()),
            None => format!("image {number}"),
        },
        ImageSource::Prepared(_) => format!("image {number}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, alt: &str) -> ImageAttachment {
        ImageAttachment {
            source: ImageSource::File(path.into()),
            alt: alt.to_owned(),
        }
    }

    #[test]
    fn images_with_alt_text_pass() {
        assert_eq!(require(&[]), Ok(()));
        assert_eq!(require(&[file("/a/cat.jpg", "A cat")]), Ok(()));
    }

    #[test]
    fn the_message_names_each_image_without_alt_text() {
        let err = require(&[
            file("/a/cat.jpg", "A cat"),
            file("/a/dog.jpg", "  "),
            file("/a/bird.png", ""),
        ])
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
    fn one_missing_image_is_named_alone() {
        let err = require(&[file("/a/dog.jpg", "")]).expect_err("refused");
        assert!(
            err.message.contains("image 1 (dog.jpg) has none"),
            "{}",
            err.message
        );
    }
}
