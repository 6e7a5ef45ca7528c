//! Posting: one composed post to one or several connected accounts.
//!
//! Everything that can be checked without the network is checked first (length, image count, alt
//! text when the settings require it, the images themselves), so a post that cannot succeed makes no
//! request at all. Then, per account and
//! concurrently: mentions resolved to DIDs, blobs uploaded in parallel, and the record created under a
//! client-chosen TID, through the authenticated path. One account's failure never stops the others.

mod alt_text;
mod card;
mod embed;
pub mod quote;
mod record;

pub use card::LinkCardChoice;

use crate::compose;
use crate::context::Core;
use crate::error::{Error, Result};
use crate::link_card::{CardFetcher, LinkCard};
use crate::media::{self, PreparedImage};
use serde::Serialize;
use std::path::PathBuf;

pub const MAX_LANGS: usize = 3;

/// What the composer sends.
#[derive(Debug, Clone)]
pub struct PostRequest {
    pub text: String,
    pub images: Vec<ImageAttachment>,
    /// DIDs or handles of connected accounts.
    pub accounts: Vec<String>,
    /// BCP-47 tags, at most three.
    pub langs: Vec<String>,
    pub link_card: LinkCardChoice,
    /// Refuse images without alt text for this post (`--require-alt`); the stored setting
    /// ([`crate::settings::Settings::require_alt_text`]) applies as well.
    pub require_alt_text: bool,
}

#[derive(Debug, Clone)]
pub struct ImageAttachment {
    pub source: ImageSource,
    pub alt: String,
}

/// Where an attached image comes from.
#[derive(Debug, Clone)]
pub enum ImageSource {
    /// A file to prepare: the CLI's `--image`, any file the person names.
    File(PathBuf),
    /// An image prepared already (the window's staged copy, made by [`media`] when it was
    /// attached): uploaded as it is, because preparing a JPEG again would re-encode it and lose
    /// quality a second time.
    Prepared(PreparedImage),
}

/// The result for one account: the post's location, or why it failed.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostOutcome {
    /// The account's DID.
    pub account: String,
    pub handle: String,
    #[serde(flatten)]
    pub result: PostResult,
}

#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum PostResult {
    Posted {
        uri: String,
        cid: String,
        url: String,
    },
    Failed {
        error: Error,
    },
}

/// Stages reported while posting, for a progress indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PostStage {
    PreparingImages,
    FetchingLinkCard,
    Uploading,
    Done,
}

/// What is posted to every account: prepared once, shared by all.
#[derive(Debug)]
pub(crate) struct PreparedPost {
    pub text: String,
    /// Lexicon facets of `text`; mentions still carry `handle` until resolved per account.
    pub facets: Vec<serde_json::Value>,
    pub langs: Vec<String>,
    pub images: Vec<(PreparedImage, String)>,
    pub card: Option<(LinkCard, Option<PreparedImage>)>,
}

/// The posting service ([`Core::posting`]).
#[derive(Debug, Clone, Copy)]
pub struct Posting<'a> {
    pub(crate) core: &'a Core,
}

impl Posting<'_> {
    /// Posts to every chosen account and reports each one's result, in the order given.
    pub async fn post(
        &self,
        request: PostRequest,
        progress: &(dyn Fn(PostStage) + Send + Sync),
    ) -> Result<Vec<PostOutcome>> {
        let accounts = self.resolve_targets(&request.accounts)?;
        let require_alt_text =
            request.require_alt_text || self.core.settings().load()?.require_alt_text;
        let prepared = prepare(request, require_alt_text, &self.core.cards, progress).await?;
        progress(PostStage::Uploading);
        let posts = accounts
            .iter()
            .map(|account| self.post_as(account, &prepared));
        let results = futures_util::future::join_all(posts).await;
        progress(PostStage::Done);
        Ok(accounts
            .into_iter()
            .zip(results)
            .map(|(account, result)| PostOutcome {
                account: account.did,
                handle: account.handle,
                result: match result {
                    Ok(posted) => posted,
                    Err(error) => PostResult::Failed { error },
                },
            })
            .collect())
    }

    fn resolve_targets(&self, keys: &[String]) -> Result<Vec<crate::Account>> {
        if keys.is_empty() {
            return Err(Error::validation("Choose at least one account to post to."));
        }
        let mut accounts: Vec<crate::Account> = Vec::new();
        for key in keys {
            let account = self.core.accounts().find(key)?;
            if !accounts.iter().any(|known| known.did == account.did) {
                accounts.push(account);
            }
        }
        Ok(accounts)
    }
}

/// The checks and the work shared by all accounts: text analysis, images, link card.
async fn prepare(
    request: PostRequest,
    require_alt_text: bool,
    cards: &CardFetcher,
    progress: &(dyn Fn(PostStage) + Send + Sync),
) -> Result<PreparedPost> {
    let analysis = compose::analyze(&request.text);
    if analysis.over_limit {
        return Err(Error::validation(format!(
            "This post is {} characters ({} bytes); Bluesky allows {} characters and {} bytes. \
             Shorten it by {} characters — nothing was posted.",
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
    if analysis.published_text.is_empty() && request.images.is_empty() {
        return Err(Error::validation(
            "Write something or add an image before posting.",
        ));
    }
    if request.images.len() > media::MAX_IMAGES {
        return Err(Error::validation(format!(
            "A post can have up to {} images; this one has {}.",
            media::MAX_IMAGES,
            request.images.len()
        )));
    }
    if request.langs.len() > MAX_LANGS {
        return Err(Error::validation(format!(
            "Choose at most {MAX_LANGS} languages for a post."
        )));
    }
    if require_alt_text {
        alt_text::require(&request.images)?;
    }

    progress(PostStage::PreparingImages);
    let images = prepare_attachments(&request.images).await?;

    let card = if images.is_empty() {
        card::choose(
            request.link_card,
            analysis.link_card.as_deref(),
            cards,
            progress,
        )
        .await
    } else {
        None
    };
    let facets = serde_json::to_value(&analysis.published_facets)
        .ok()
        .and_then(|value| value.as_array().cloned())
        .unwrap_or_default();
    Ok(PreparedPost {
        text: analysis.published_text,
        facets,
        langs: request.langs,
        images,
        card,
    })
}

/// The images of the post, in order: files are prepared (in parallel), prepared ones taken as they
/// are.
async fn prepare_attachments(
    attachments: &[ImageAttachment],
) -> Result<Vec<(PreparedImage, String)>> {
    let paths: Vec<PathBuf> = attachments
        .iter()
        .filter_map(|image| match &image.source {
            ImageSource::File(path) => Some(path.clone()),
            ImageSource::Prepared(_) => None,
        })
        .collect();
    let mut from_files = if paths.is_empty() {
        Vec::new()
    } else {
        tokio::task::spawn_blocking(move || media::prepare_images(&paths))
            .await
            .map_err(|err| Error::internal("preparing the images", &err))?
    }
    .into_iter();
    attachments
        .iter()
        .map(|attachment| {
            let image = match &attachment.source {
                ImageSource::Prepared(image) => Ok(image.clone()),
                // prepare_images answers once per path, so this always has a result.
                ImageSource::File(_) => from_files.next().unwrap_or_else(|| {
                    Err(Error::internal(
                        "preparing the images",
                        &std::io::Error::other("an image got no result"),
                    ))
                }),
            };
            image.map(|image| (image, attachment.alt.clone()))
        })
        .collect()
}
