//! The work every account shares, done once per send: each post's published text and facets, its
//! images prepared (files the person named) or read (the window's staged copies, prepared already),
//! its video checked (its file is sent per account, to the video service, by `video.rs`) with its
//! captions read, and its link card. Images are prepared for the limits of the server they go to:
//! a post's as today's servers take them, or smaller for an older server that refused them. A
//! [`Preparer`] holds what that takes besides the thread: where its image paths lead, the card
//! fetcher, the limits.

use super::entry::ImageFiles;
use super::{card, ImageSource, PostStage};
use crate::attachments::Attachments;
use crate::compose::{Analysis, Facet};
use crate::composition::ComposedVideo;
use crate::composition::{CardChoice, Composition, ContentLabel, WhoCanReply};
use crate::context::Core;
use crate::error::{Error, Result};
use crate::link_card::{CardFetcher, LinkCard};
use crate::media::video::{self, VideoFile};
use crate::media::{self, ImageLimits, PreparedImage};
use crate::records::StrongRef;
use std::path::PathBuf;

/// A thread ready to be written, the same for every account.
#[derive(Debug)]
pub(crate) struct PreparedThread {
    pub posts: Vec<PreparedPost>,
    pub langs: Vec<String>,
    pub who_can_reply: WhoCanReply,
    pub quotes_allowed: bool,
}

/// One post of it.
#[derive(Debug)]
pub(crate) struct PreparedPost {
    pub text: String,
    /// Facets of `text`; mentions carry their handle until resolved per account.
    pub facets: Vec<Facet>,
    /// Images and their alt text, in order.
    pub images: Vec<(PreparedImage, String)>,
    /// The video instead of images, checked.
    pub video: Option<PreparedVideo>,
    /// The link card (only without images or video), with its prepared thumbnail.
    pub card: Option<(LinkCard, Option<PreparedImage>)>,
    /// The post it quotes, resolved.
    pub quote: Option<StrongRef>,
    pub labels: Vec<ContentLabel>,
}

/// A post's video, checked, and its captions read: `(language, WebVTT bytes)` in order.
#[derive(Debug)]
pub(crate) struct PreparedVideo {
    pub file: VideoFile,
    pub alt: String,
    pub captions: Vec<(String, Vec<u8>)>,
}

/// What a thread is prepared with: where its image paths lead, the link cards' fetcher, and the
/// limits its images are made to fit.
pub(crate) struct Preparer<'a> {
    /// What the composition's image paths name: staged copies are read from `attachments` only.
    images: ImageFiles,
    attachments: &'a Attachments,
    cards: &'a CardFetcher,
    limits: ImageLimits,
}

impl<'a> Preparer<'a> {
    /// Prepares with `core`'s attachments and card fetcher; image paths name what `images` says,
    /// and images are made to fit `limits`.
    pub(crate) fn new(core: &'a Core, images: ImageFiles, limits: ImageLimits) -> Self {
        Self {
            images,
            attachments: &core.attachments,
            cards: &core.cards,
            limits,
        }
    }

    /// Prepares `composition`, whose posts' texts were checked and analysed (`analyses`, in order)
    /// and whose quotes were resolved (`quotes`, in order).
    pub(crate) async fn prepare(
        &self,
        composition: &Composition,
        analyses: Vec<Analysis>,
        quotes: Vec<Option<StrongRef>>,
        progress: &(dyn Fn(PostStage) + Send + Sync),
    ) -> Result<PreparedThread> {
        progress(PostStage::PreparingImages);
        // Every image of the thread in one go: files are prepared in parallel, whichever post they
        // are in.
        let mut sources = Vec::new();
        for post in &composition.posts {
            let paths: Vec<String> = post.images.iter().map(|image| image.path.clone()).collect();
            sources.extend(self.read(paths).await?);
        }
        let mut prepared = prepare_sources(sources, self.limits).await?.into_iter();
        let mut videos = Vec::with_capacity(composition.posts.len());
        for post in &composition.posts {
            videos.push(match &post.video {
                Some(composed) => Some(self.video(composed).await?),
                None => None,
            });
        }
        // The cards of posts without images, fetched at the same time.
        let chosen = composition
            .posts
            .iter()
            .zip(&analyses)
            .map(|(post, analysis)| async move {
                if !post.images.is_empty() || post.video.is_some() {
                    return None;
                }
                let thumb = match &post.card {
                    CardChoice::Shown {
                        thumb_path: Some(path),
                        ..
                    } => self.thumb_source(path).await,
                    _ => None,
                };
                card::choose(
                    &post.card,
                    thumb,
                    analysis.link_card.as_deref(),
                    self.cards,
                    progress,
                )
                .await
            });
        let chosen = futures_util::future::join_all(chosen).await;
        let parts = composition
            .posts
            .iter()
            .zip(analyses)
            .zip(quotes)
            .zip(chosen)
            .zip(videos);
        let posts = parts
            .map(|((((post, analysis), quote), card), video)| PreparedPost {
                text: analysis.published_text,
                facets: analysis.published_facets,
                images: post
                    .images
                    .iter()
                    .zip(prepared.by_ref())
                    .map(|(image, prepared)| (prepared, image.alt.clone()))
                    .collect(),
                video,
                card,
                quote,
                labels: post.labels.clone(),
            })
            .collect();
        Ok(PreparedThread {
            posts,
            langs: composition.langs.clone(),
            who_can_reply: composition.who_can_reply,
            quotes_allowed: composition.quotes_allowed,
        })
    }

    /// The sources of one post's images: staged copies must be in the attachments folder.
    async fn read(&self, paths: Vec<String>) -> Result<Vec<ImageSource>> {
        match self.images {
            ImageFiles::Staged => self.attachments.sources(paths).await,
            ImageFiles::Named => Ok(paths
                .into_iter()
                .map(|path| ImageSource::File(PathBuf::from(path)))
                .collect()),
        }
    }

    /// A post's video checked and its captions read, from the files the person named or, for the
    /// window, from staged copies only.
    async fn video(&self, composed: &ComposedVideo) -> Result<PreparedVideo> {
        let path = self.file(&composed.path)?;
        let captions = composed
            .captions
            .iter()
            .map(|caption| Ok((caption.lang.clone(), self.file(&caption.path)?)))
            .collect::<Result<Vec<_>>>()?;
        let alt = composed.alt.clone();
        tokio::task::spawn_blocking(move || {
            let file = video::probe(&path)?;
            let captions = captions
                .into_iter()
                .map(|(lang, path)| Ok((lang, video::read_caption(&path)?)))
                .collect::<Result<_>>()?;
            Ok(PreparedVideo {
                file,
                alt,
                captions,
            })
        })
        .await
        .map_err(|err| Error::internal("checking the video", &err))?
    }

    /// The file a composition's path names: a staged copy must be in the attachments folder.
    fn file(&self, path: &str) -> Result<PathBuf> {
        match self.images {
            ImageFiles::Staged => self.attachments.staged_file(path),
            ImageFiles::Named => Ok(PathBuf::from(path)),
        }
    }

    /// A shown card's thumbnail; one that cannot be read costs the card its picture, never the
    /// post.
    async fn thumb_source(&self, path: &str) -> Option<ImageSource> {
        match self.read(vec![path.to_owned()]).await {
            Ok(mut sources) => sources.pop(),
            Err(err) => {
                tracing::warn!(
                    code = err.code.as_str(),
                    "link card posted without its thumbnail"
                );
                None
            }
        }
    }
}

/// The images, in order: files are prepared within `limits` (in parallel), prepared ones taken as
/// they are when they are within them.
///
/// A prepared one that is not (the window's staged copy, made for today's servers, going to an
/// older server) is prepared again from that copy: the window keeps no original, so this costs the
/// JPEG a second generation of loss, only on such a server.
async fn prepare_sources(
    sources: Vec<ImageSource>,
    limits: ImageLimits,
) -> Result<Vec<PreparedImage>> {
    let paths: Vec<PathBuf> = sources
        .iter()
        .filter_map(|source| match source {
            ImageSource::File(path) => Some(path.clone()),
            ImageSource::Prepared(_) => None,
        })
        .collect();
    let mut from_files = if paths.is_empty() {
        Vec::new()
    } else {
        tokio::task::spawn_blocking(move || media::prepare_images(&paths, limits))
            .await
            .map_err(|err| Error::internal("preparing the images", &err))?
    }
    .into_iter();
    let smaller = |image: PreparedImage| async move {
        tokio::task::spawn_blocking(move || {
            media::prepare_bytes(&image.bytes, "an attached image", limits)
        })
        .await
        .map_err(|err| Error::internal("preparing the images", &err))?
    };
    let mut images = Vec::with_capacity(sources.len());
    for source in sources {
        images.push(match source {
            ImageSource::Prepared(image) if limits.holds(&image) => Ok(image),
            ImageSource::Prepared(image) => smaller(image).await,
            // prepare_images answers once per path, so this always has a result.
            ImageSource::File(_) => from_files.next().unwrap_or_else(|| {
                Err(Error::internal(
                    "preparing the images",
                    &std::io::Error::other("an image got no result"),
                ))
            }),
        });
    }
    images.into_iter().collect()
}
