//! Everything about a composition that can be checked without the network, checked before the
//! outbox row is saved: a thread that cannot be posted whole makes no row and no request.
//!
//! The limits are the lexicon's and the official app's: each post within 300 graphemes and 3000
//! bytes (as published, links shortened), not empty (text, images or a quote), at most ten images,
//! at most three languages; content warnings only on posts with images (the app offers them for media
//! only); alt text within 2000 graphemes, and on every image when the person asked for it. A post
//! has images or a video, not both; a video has at most 20 captions, one per language. (The video
//! file itself is checked when the thread is prepared, before the row is saved: `media::video`.)

use super::alt_text;
use super::entry::ImageFiles;
use crate::compose::{self, Analysis};
use crate::composition::ComposedVideo;
use crate::composition::Composition;
use crate::error::{Error, Result};
use crate::media;
use crate::media::video::MAX_CAPTIONS;

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
            let has_media = !post.images.is_empty() || post.video.is_some();
            if analysis.published_text.is_empty() && !has_media && post.quote.is_none() {
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
            if !post.labels.is_empty() && !has_media {
                return Err(Error::validation(format!(
                    "{which} has a content warning but no images: content warnings are for \
                     images and videos. Add them or remove the warning."
                )));
            }
            let numbered = (count > 1).then_some(index + 1);
            if let Some(video) = &post.video {
                if !post.images.is_empty() {
                    return Err(Error::validation(format!(
                        "{which} has images and a video; a post carries one or the other. Remove \
                         the video or the images, or put them in two posts of a thread."
                    )));
                }
                check_video(video, numbered, require_alt_text)?;
            }
            alt_text::check_length(&post.images, images, numbered)?;
            if require_alt_text {
                alt_text::require(&post.images, images, numbered)?;
            }
            Ok(analysis)
        })
        .collect()
}

/// A video's alt text and captions (of post number `post` in a thread).
fn check_video(video: &ComposedVideo, post: Option<usize>, require_alt_text: bool) -> Result<()> {
    let the_video = match post {
        Some(post) => format!("the video of post {post}"),
        None => "the video".to_owned(),
    };
    alt_text::within_limit(&video.alt, || the_video.clone())?;
    if require_alt_text && video.alt.trim().is_empty() {
        return Err(Error::validation(format!(
            "Your settings require alt text, and {the_video} has none. Describe what it shows \
             (or turn off \"Require alt text\"); nothing was posted."
        )));
    }
    if video.captions.len() > MAX_CAPTIONS {
        return Err(Error::validation(format!(
            "A video can have up to {MAX_CAPTIONS} caption files; {the_video} has {}.",
            video.captions.len()
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for caption in &video.captions {
        if !is_language_tag(&caption.lang) {
            return Err(Error::validation(format!(
                "\"{}\" is not a language for the captions of {the_video}. Use a language code \
                 such as en, de or pt-BR.",
                caption.lang
            )));
        }
        if !seen.insert(caption.lang.to_ascii_lowercase()) {
            return Err(Error::validation(format!(
                "{the_video} has two caption files in {}; keep one per language.",
                caption.lang
            )));
        }
    }
    Ok(())
}

/// Whether `tag` has the shape of a BCP-47 language tag (what the lexicon's `language` format
/// takes): a primary language of 2–3 letters (or `i`/`x` for private ones), then subtags of 1–8
/// letters or digits, joined by hyphens.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    let primary_ok = (2..=3).contains(&primary.len()) || primary == "i" || primary == "x";
    primary_ok
        && primary.bytes().all(|byte| byte.is_ascii_alphabetic())
        && parts.all(|part| {
            (1..=8).contains(&part.len()) && part.bytes().all(|byte| byte.is_ascii_alphanumeric())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::composition::{ComposedCaption, ComposedImage, ComposedPost, ContentLabel};

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

    #[test]
    fn a_video_goes_alone_with_its_alt_text_and_one_caption_per_language() {
        let caption = |lang: &str| ComposedCaption {
            lang: lang.into(),
            path: format!("/videos/{lang}.vtt"),
        };
        let mut post = thread(&[""]);
        post.posts[0].video = Some(ComposedVideo {
            path: "/videos/clip.mp4".into(),
            alt: String::new(),
            captions: vec![caption("en"), caption("pt-BR")],
        });
        post.posts[0].labels = vec![ContentLabel::GraphicMedia];
        assert!(
            check(&post, ImageFiles::Named, false).is_ok(),
            "a video alone is a post, and may carry a warning"
        );
        let err = check(&post, ImageFiles::Named, true).expect_err("alt required");
        assert!(
            err.message.contains("the video has none"),
            "{}",
            err.message
        );
        let mut long = post.clone();
        if let Some(video) = long.posts[0].video.as_mut() {
            video.alt = "é".repeat(2001);
        }
        assert!(refused(&long).starts_with("The alt text of the video is 2001 characters"));

        let mut both = post.clone();
        both.posts[0].images = vec![ComposedImage {
            path: "/photos/cat.jpg".into(),
            alt: "A cat".into(),
        }];
        assert!(refused(&both).contains("has images and a video"));

        let mut twice = post.clone();
        if let Some(video) = twice.posts[0].video.as_mut() {
            video.captions.push(caption("EN"));
        }
        assert!(refused(&twice).contains("two caption files in EN"));
        let mut odd = post.clone();
        if let Some(video) = odd.posts[0].video.as_mut() {
            video.captions = vec![caption("english please")];
        }
        assert!(refused(&odd).contains("is not a language"));
        let mut many = post;
        if let Some(video) = many.posts[0].video.as_mut() {
            video.captions = (0..21).map(|n| caption(&format!("x-c{n}"))).collect();
        }
        assert!(refused(&many).contains("up to 20 caption files"));
    }
}
