//! The records Hayon writes, as typed lexicon values: a post (`app.bsky.feed.post`) with its reply
//! reference, facets, embed and self-labels, and the thread's reply and quote controls
//! (`app.bsky.feed.threadgate`, `app.bsky.feed.postgate`).
//!
//! One value has two encodings: JSON (serde_json) is what `createRecord` / `applyWrites` send, and
//! DAG-CBOR is what the repository stores and hashes. [`cid_for`] computes the CID the server will
//! give a record before it exists, because a thread is written in one batch and each reply names
//! its parent's CID. Optional fields are left out when empty, as the official app writes them, so
//! both encodings are the ones the server sees.

mod blob;
mod cid;
mod embed;
mod gate;
mod post;
#[cfg(test)]
mod tests;

pub use blob::{Blob, CidLink};
pub use cid::cid_for;
pub use embed::{
    AspectRatio, Caption, Embed, External, ExternalEmbed, GalleryEmbed, GalleryItem, Image,
    ImagesEmbed, Media, RecordEmbed, RecordWithMediaEmbed, VideoEmbed, IMAGES_EMBED_MAX,
};
pub use gate::{Postgate, PostgateRule, Threadgate, ThreadgateRule};
pub use post::{Post, ReplyRef, SelfLabel, SelfLabels, StrongRef};

/// The collection (NSID) of posts.
pub const POST: &str = "app.bsky.feed.post";
/// The collection of threadgates (record key = the root post's key).
pub const THREADGATE: &str = "app.bsky.feed.threadgate";
/// The collection of postgates (record key = the post's key).
pub const POSTGATE: &str = "app.bsky.feed.postgate";
