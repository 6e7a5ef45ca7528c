//! Everything about a composition that can be checked without the network, checked before the
//! outbox row is saved: a thread that cannot be posted whole makes no row and no request.
//!
//! The limits are the lexicon's and the official app's: each post within 300 graphemes and 3000
//! bytes (as published, links shortened), not empty (text, images or a quote), at most ten images,
//! at most three languages; content warnings only on posts with images (the app offers them for media
//! only); alt text within 2000 graphemes, and on every image when the person asked for it.

use super::alt_text;
use super::entry::ImageFiles;
use crate::compose::{self, Analysis};
use crate::composition::Composition;
use crate::error::{Error, Result};
use crate::media;

pub const MAX_LANGS: usize = 3;
/// The most posts a thread may have. One applyWrites carries the thread (a post, and a postgate when
/// quotes are off, per post, plus the threadgate): the reference PDS takes at most 200 writes and a
/// 150 KiB body. 25 posts stay far below the first, and ordinary posts below the second; a batch
/// that would not (posts full of facets) is refused before it is sent (`thread.rs`).
pub const MAX_THREAD_POSTS: usize = 25;

/// The analysis of each post's text, in order, once every check has passed.
pub fn check(
    composition: &Composition,
    images: ImageFiles,
    require_alt_text: bool,
) -> Result<Vec<Analysis>> {
    let count = composition.posts.len();
    if count == 0 {
        return Err(Error::validation(
            "Write something or add an image before posting.",
        ));
    }
    if count > MAX_THREAD_POSTS {
        return Err(Error::validation(format!(
            "A thread can have up to {MAX_THREAD_POSTS} posts; this one has {count}. Split it in two."
        )));
    }
    if composition.langs.len() > MAX_LANGS {
        return Err(Error::validation(format!(
            "Choose at most {MAX_LANGS} languages for a post."
        )));
    }
    composition
        .posts
        .iter()
        .enumerate()
        .map(|(index, post)| {
            // "This post" alone; "Post 2 of the thread" in a thread.
            let which = if count == 1 {
                "This post".to_owned()
            } else {
                format!("Post {} of the thread", index + 1)
            };
            let analysis = compose::analyze(&post.text);
            if analysis.over_limit {
                return Err(Error::validation(format!(
                    "{which} is {} characters ({} bytes); Bluesky allows {} characters and {} \
                     bytes. Shorten it by {} characters — nothing was posted.",
                    analysis.graphemes,
                    analysis.bytes,
                    analysis.max_graphemes,
                    analysis.max_bytes,
                    analysis
                        .graphemes
                        .saturating_sub(analysis.max_graphemes)
                        .max(1)
                )));
            }
            if analysis.published_text.is_empty() && post.images.is_empty() && post.quote.is_none()
            {
                return Err(Error::validation(if count == 1 {
                    "Write something or add an image before posting.".to_owned()
                } else {
                    format!("{which} is empty. Write something in it, add an image, or remove it.")
                }));
            }
            if post.images.len() > media::MAX_IMAGES {
                return Err(Error::validation(format!(
                    "A post can have up to {} images; {} has {}.",
                    media::MAX_IMAGES,
                    which.to_lowercase(),
                    post.images.len()
                )));
            }
            if !post.labels.is_empty() && post.images.is_empty() {
                return Err(Error::validation(format!(
                    "{which} has a content warning but no images: content warnings are for \
                     images. Add the images or remove the warning."
                )));
            }
            let numbered = (count > 1).then_some(index + 1);
            alt_text::check_length(&post.images, images, numbered)?;
            if require_alt_text {
                alt_text::require(&post.images, images, numbered)?;
            }
            Ok(analysis)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::composition::{ComposedImage, ComposedPost, ContentLabel};

    fn thread(texts: &[&str]) -> Composition {
        Composition {
            posts: texts
                .iter()
                .map(|text| ComposedPost {
                    text: (*text).to_owned(),
                    ..ComposedPost::default()
                })
                .collect(),
            accounts: vec!["did:plc:a".into()],
            ..Composition::default()
        }
    }

    fn refused(composition: &Composition) -> String {
        let err = check(composition, ImageFiles::Named, false).expect_err("refused");
        assert_eq!(err.code, crate::ErrorCode::Validation);
        err.message
    }

    #[test]
    fn a_thread_within_the_limits_passes_with_each_posts_analysis() {
        let analyses = check(
            &thread(&["One", "Two https://example.com/a/very/long/path"]),
            ImageFiles::Named,
            true,
        )
        .expect("fine");
        assert_eq!(analyses.len(), 2);
        assert_eq!(
            analyses[1].link_card.as_deref(),
            Some("https://example.com/a/very/long/path")
        );
    }

    #[test]
    fn the_post_over_the_limit_is_named() {
        let long = "é".repeat(301);
        let message = refused(&thread(&["fine", &long, "fine"]));
        assert!(
            message.starts_with("Post 2 of the thread is 301 characters"),
            "{message}"
        );
        let message = refused(&thread(&[&long]));
        assert!(message.starts_with("This post is 301"), "{message}");
    }

    #[test]
    fn empty_posts_and_threads_are_refused() {
        assert!(refused(&thread(&[])).contains("Write something"));
        assert!(refused(&thread(&["one", "  \n "])).contains("Post 2 of the thread is empty"));
        let mut quoted = thread(&["one", ""]);
        quoted.posts[1].quote = Some("at://did:plc:b/app.bsky.feed.post/3k".into());
        assert!(
            check(&quoted, ImageFiles::Named, false).is_ok(),
            "a quote alone is a post"
        );
        let too_long = thread(&["x"; MAX_THREAD_POSTS + 1]);
        assert!(refused(&too_long).contains("up to 25 posts"));
    }

    #[test]
    fn images_languages_and_warnings_have_their_limits() {
        let image = |alt: &str| ComposedImage {
            path: "/photos/cat.jpg".into(),
            alt: alt.into(),
        };
        let mut ten = thread(&["pics"]);
        ten.posts[0].images = vec![image("a"); 10];
        assert!(
            check(&ten, ImageFiles::Named, false).is_ok(),
            "ten: a gallery"
        );
        let mut eleven = thread(&["pics"]);
        eleven.posts[0].images = vec![image("a"); 11];
        assert!(refused(&eleven).contains("up to 10 images"));

        let mut langs = thread(&["hi"]);
        langs.langs = vec!["en".into(), "de".into(), "fr".into(), "es".into()];
        assert!(refused(&langs).contains("at most 3 languages"));

        let mut warned = thread(&["one", "two"]);
        warned.posts[1].labels = vec![ContentLabel::Porn];
        assert!(
            refused(&warned).contains("Post 2 of the thread has a content warning but no images")
        );
        warned.posts[1].images = vec![image("")];
        assert!(check(&warned, ImageFiles::Named, false).is_ok());
        let err = check(&warned, ImageFiles::Named, true).expect_err("alt required");
        assert!(
            err.message.contains("image 1 of post 2 (cat.jpg) has none"),
            "{}",
            err.message
        );
    }
}
