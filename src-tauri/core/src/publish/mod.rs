//! Publishing a composition, in one direction only. At the bottom, builders that take what they
//! need and never the service: the checks made before anything is saved or sent ([`validate`]), the
//! work shared by every account (texts analysed, images prepared, link cards chosen: [`prepare`]),
//! quotes resolved ([`quote`]), and the records of a thread with their CIDs ([`thread`]). On top, the
//! outbox: pressing Post saves the composition as a row with its record keys ([`outbox`], the rows as
//! [`entry`]), the sender delivers it per account ([`send`]), and a write whose outcome is unknown is
//! settled by looking it up ([`lookup`]); a send may be cancelled up to its write ([`cancel`]). A
//! row that reached every account leaves a line in the short history of posts sent ([`history`]).
//! Everything reaches the window and the CLI through [`Posting`] ([`Core::posting`]).

mod alt_text;
mod cancel;
mod card;
mod claim;
mod due;
mod edit;
mod embed;
mod entry;
mod history;
mod lookup;
mod older_server;
mod outbox;
mod prepare;
mod queue;
pub mod quote;
mod send;
pub mod slots;
#[cfg(test)]
mod tests;
mod thread;
mod validate;
mod video;

pub use alt_text::MAX_ALT_GRAPHEMES;
pub use cancel::Cancel;
pub use due::Due;
pub use entry::{AccountDelivery, Delivery, ImageFiles, OutboxEntry, PublishedPost};
pub use history::{Posted, PostedAccount};
pub use outbox::{PostOptions, Progress, Sent, UnsetLangs};
pub use queue::{QueueState, Queued, Retry, PASSES_BY_ITSELF};
pub use validate::{MAX_LANGS, MAX_THREAD_POSTS};

/// What a composition may hold, as [`validate`] checks it: the window reads these (the `limits`
/// command) to stop the person before the check would, and keeps no copy of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    pub max_posts: usize,
    pub max_images: usize,
    pub max_langs: usize,
    pub max_alt_graphemes: usize,
    /// Caption files a video may have.
    pub max_captions: usize,
}

pub const LIMITS: Limits = Limits {
    max_posts: MAX_THREAD_POSTS,
    max_images: crate::media::MAX_IMAGES,
    max_langs: MAX_LANGS,
    max_alt_graphemes: MAX_ALT_GRAPHEMES,
    max_captions: crate::media::video::MAX_CAPTIONS,
};

use crate::context::Core;
use crate::media::PreparedImage;
use serde::Serialize;
use std::path::PathBuf;

/// The publishing service ([`Core::posting`]): post, retry, the outbox ([`outbox`]), quote previews
/// ([`quote`]).
#[derive(Debug, Clone, Copy)]
pub struct Posting<'a> {
    pub(crate) core: &'a Core,
}

/// Where an attached image comes from.
#[derive(Debug, Clone)]
pub enum ImageSource {
    /// A file to prepare: the CLI's `--image`, any file the person names (or a staged original of
    /// an older version).
    File(PathBuf),
    /// An image prepared already (the window's staged copy, made by [`crate::media`] when it was
    /// attached): uploaded as it is, because preparing a JPEG again would re-encode it and lose
    /// quality a second time.
    Prepared(PreparedImage),
}

/// Stages reported while posting, for a progress indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum PostStage {
    PreparingImages,
    FetchingLinkCard,
    Uploading,
    /// The video is being sent to the video service: this share of its bytes has gone.
    #[serde(rename_all = "camelCase")]
    UploadingVideo {
        percent: u8,
    },
    /// The video service is processing the video (this far within its current step).
    #[serde(rename_all = "camelCase")]
    ProcessingVideo {
        percent: u8,
    },
    Done,
}
