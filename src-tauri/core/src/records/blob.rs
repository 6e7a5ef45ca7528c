//! Blob references (`{"$type":"blob","ref":{"$link":CID},"mimeType","size"}`): what `uploadBlob`
//! answers and what an image or a thumbnail embeds.
//!
//! The `ref` is an IPLD link. In JSON it is the object `{"$link": "<cid>"}`; in DAG-CBOR it must be a
//! CID (tag 42), or the record's CID differs from the server's. [`CidLink`] writes one or the other
//! depending on whether the format is human-readable.

use ipld_core::cid::Cid;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// An uploaded blob, as a record refers to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "$type", rename = "blob", rename_all = "camelCase")]
pub struct Blob {
    /// The CID of the blob's bytes (raw codec).
    #[serde(rename = "ref")]
    pub link: CidLink,
    pub mime_type: String,
    /// Bytes.
    pub size: u64,
}

/// A CID that is a link: `{"$link": …}` in JSON, tag 42 in DAG-CBOR.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CidLink(Cid);

/// The JSON form of a link.
#[derive(Serialize, Deserialize)]
struct JsonLink<T> {
    #[serde(rename = "$link")]
    link: T,
}

impl CidLink {
    /// Parses a CID string (e.g. `bafkrei…`).
    pub fn parse(text: &str) -> Option<Self> {
        Cid::try_from(text).ok().map(Self)
    }
}

impl fmt::Display for CidLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for CidLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CidLink({})", self.0)
    }
}

impl Serialize for CidLink {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            JsonLink {
                link: self.0.to_string(),
            }
            .serialize(serializer)
        } else {
            self.0.serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for CidLink {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let JsonLink { link } = JsonLink::<String>::deserialize(deserializer)?;
            Self::parse(&link).ok_or_else(|| D::Error::custom(format!("not a CID: {link:?}")))
        } else {
            Cid::deserialize(deserializer).map(Self)
        }
    }
}
