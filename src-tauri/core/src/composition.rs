//! The composition: what the person wrote, as one typed value from the window or the CLI to the
//! server. It is the saved draft, the window's post request, the CLI's `--composition FILE` and the
//! body of an outbox row — one serde type, so the three cannot drift apart.
//!
//! A composition says *what* to post. Everything derived from it (published text, facets, prepared
//! images, records, record keys) is made later, by the sender, so a draft saved by one version of
//! Hayon still posts with the next.

use crate::link_card::LinkCard;
use serde::{Deserialize, Serialize};

/// A thread of one or more posts, the accounts it goes to and the settings that apply to all of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct Composition {
    /// The posts in thread order: the first is the root, each next one replies to the one before.
    pub posts: Vec<ComposedPost>,
    /// DIDs (or handles, from the CLI) of the accounts to post to.
    pub accounts: Vec<String>,
    /// BCP-47 tags, at most three, for every post of the thread.
    pub langs: Vec<String>,
    /// Who may reply to the thread (a threadgate under the root post's record key).
    pub who_can_reply: WhoCanReply,
    /// Whether others may quote the posts (false: a postgate disabling quotes under each post's key).
    pub quotes_allowed: bool,
}

impl Default for Composition {
    fn default() -> Self {
        Self {
            posts: Vec::new(),
            accounts: Vec::new(),
            langs: Vec::new(),
            who_can_reply: WhoCanReply::Everyone,
            quotes_allowed: true,
        }
    }
}

/// One post of the thread.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct ComposedPost {
    /// The text as typed (links are shortened and facets detected when it is posted).
    pub text: String,
    /// Up to ten images, in order (more than four are posted as a gallery).
    pub images: Vec<ComposedImage>,
    /// A video instead of images.
    pub video: Option<ComposedVideo>,
    /// The link card to post when the post has no images or video.
    pub card: CardChoice,
    /// A post to quote: a `https://bsky.app/profile/<handle|did>/post/<rkey>` link or an `at://` URI,
    /// as the person pasted it (resolved to `{uri, cid}` when posting).
    pub quote: Option<String>,
    /// Content warnings for the post's media.
    pub labels: Vec<ContentLabel>,
}

/// An attached image: a file to post and its alt text. From the window the path must name a staged
/// copy in the attachments folder; from the CLI it is any file the person names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct ComposedImage {
    pub path: String,
    pub alt: String,
}

/// An attached video: the file, its alt text and its captions. Sent to the video service when the
/// post is sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct ComposedVideo {
    pub path: String,
    pub alt: String,
    pub captions: Vec<ComposedCaption>,
}

/// A caption file (WebVTT) and the language it is in (a BCP-47 tag).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct ComposedCaption {
    pub lang: String,
    pub path: String,
}

/// Which link card a post gets when it has no images.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum CardChoice {
    /// The card of the text's first link, fetched when posting (the CLI's default).
    #[default]
    FirstLink,
    /// No card (the person removed it, or `--no-link-card`).
    None,
    /// The card the window previewed, posted as it was shown; its thumbnail is a staged copy.
    #[serde(rename_all = "camelCase")]
    Shown {
        #[serde(flatten)]
        card: LinkCard,
        thumb_path: Option<String>,
    },
}

/// A self-label (`com.atproto.label.defs#selfLabels`) the official app offers as a content warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum ContentLabel {
    Sexual,
    Nudity,
    Porn,
    GraphicMedia,
}

/// Who may reply to a thread.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum WhoCanReply {
    #[default]
    Everyone,
    Nobody,
    /// Any of these groups (at least one is set).
    #[serde(rename_all = "camelCase")]
    Some {
        #[serde(default)]
        mentioned: bool,
        #[serde(default)]
        following: bool,
        #[serde(default)]
        followers: bool,
    },
}

impl ContentLabel {
    /// The label's value in the record (`val`).
    pub fn value(self) -> &'static str {
        match self {
            Self::Sexual => "sexual",
            Self::Nudity => "nudity",
            Self::Porn => "porn",
            Self::GraphicMedia => "graphic-media",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_json_form_is_camel_case_with_tagged_choices() {
        let composition = Composition {
            posts: vec![ComposedPost {
                text: "Hello".into(),
                images: vec![ComposedImage {
                    path: "/tmp/a.jpg".into(),
                    alt: "A cat".into(),
                }],
                video: None,
                card: CardChoice::Shown {
                    card: LinkCard::new("https://example.com", "Example", "An example"),
                    thumb_path: None,
                },
                quote: Some("at://did:plc:abc/app.bsky.feed.post/3k".into()),
                labels: vec![ContentLabel::GraphicMedia],
            }],
            accounts: vec!["did:plc:abc".into()],
            langs: vec!["en".into()],
            who_can_reply: WhoCanReply::Some {
                mentioned: true,
                following: false,
                followers: true,
            },
            quotes_allowed: false,
        };
        let value = serde_json::to_value(&composition).expect("serialize");
        assert_eq!(
            value,
            json!({
                "posts": [{
                    "text": "Hello",
                    "images": [{"path": "/tmp/a.jpg", "alt": "A cat"}],
                    "video": null,
                    "card": {"kind": "shown", "uri": "https://example.com", "title": "Example",
                             "description": "An example", "thumbPath": null},
                    "quote": "at://did:plc:abc/app.bsky.feed.post/3k",
                    "labels": ["graphic-media"],
                }],
                "accounts": ["did:plc:abc"],
                "langs": ["en"],
                "whoCanReply": {"kind": "some", "mentioned": true, "following": false, "followers": true},
                "quotesAllowed": false,
            })
        );
        let back: Composition = serde_json::from_value(value).expect("deserialize");
        assert_eq!(back, composition);
    }

    #[test]
    fn missing_fields_take_their_defaults() {
        let composition: Composition =
            serde_json::from_value(json!({"posts": [{"text": "Hi"}]})).expect("deserialize");
        assert_eq!(composition.posts[0].card, CardChoice::FirstLink);
        assert_eq!(composition.who_can_reply, WhoCanReply::Everyone);
        assert!(composition.quotes_allowed);
    }
}
