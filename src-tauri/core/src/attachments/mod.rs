//! Images attached in the window, kept in `<data dir>/attachments/` so a draft can refer to them after
//! a restart.
//!
//! What is kept is the *prepared* image (upright, resized, re-encoded: no GPS, no camera data), never
//! the original. It is made the moment the image is attached, so a bad file is reported at once and
//! the preview shows exactly what will be posted; the post then uploads those bytes as they are,
//! because preparing a JPEG again would re-encode it and lose quality a second time. Only
//! [`Attachments::stage`] writes into the folder, always prepared bytes, under a name of its own
//! (`<tid>.jpg|png`), so that name is what marks a copy as prepared. Copies staged by older versions
//! (originals, named `<tid>-<name>`) are still usable: they are prepared again when previewed or
//! posted, from the file opened without following a symlink.
//!
//! The web view is untrusted: every path it sends goes through [`confine`]. Copies are created private
//! (0600) and new (never over an existing file). They are deleted when they leave the saved draft or
//! once their post is published; at start-up, those no draft refers to are removed
//! ([`Attachments::sweep`]). The folder holds at most [`MAX_FOLDER_BYTES`].

mod confine;
mod lifecycle;
pub use lifecycle::paths_of;
mod prepared;
mod video;
pub use video::{StagedCaption, StagedVideo, MAX_VIDEO_FOLDER_BYTES, MAX_VIDEO_PIECE_BYTES};

use crate::error::{Error, Result, StorageError};
use crate::media::{self, ImageLimits, PreparedImage};
use crate::publish::ImageSource;
use prepared::is_prepared_name;
use serde::Serialize;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub use confine::UNAVAILABLE;

/// The folder's name inside the data folder.
pub const FOLDER: &str = "attachments";
/// The most the folder holds (about 200 prepared photos; a draft needs four).
pub const MAX_FOLDER_BYTES: u64 = 200_000_000;

/// What the window shows for an attached image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct StagedImage {
    /// The staged copy: what the draft and the post request refer to.
    pub path: String,
    /// A `data:` URL of the prepared image.
    pub preview_url: String,
    pub width: u32,
    pub height: u32,
    pub mime_type: &'static str,
    pub bytes: usize,
}

impl StagedImage {
    fn new(path: &Path, image: &PreparedImage) -> Self {
        Self {
            path: path.display().to_string(),
            preview_url: image.data_url(),
            width: image.width,
            height: image.height,
            mime_type: image.mime_type,
            bytes: image.bytes.len(),
        }
    }
}

/// The attachments folder of one data folder.
#[derive(Debug, Clone)]
pub struct Attachments {
    /// As configured, and resolved: paths naming either are accepted; new ones use `canonical`.
    folder: PathBuf,
    canonical: PathBuf,
    /// When this process opened the folder: copies made since are never orphans.
    opened: SystemTime,
}

impl Attachments {
    /// Creates `<data_dir>/attachments` (0700) if needed.
    pub fn open(data_dir: &Path) -> Result<Self> {
        let folder = data_dir.join(FOLDER);
        crate::paths::create_private_dir(&folder)?;
        let canonical =
            std::fs::canonicalize(&folder).map_err(|err| StorageError::file(&folder, err))?;
        Ok(Self {
            folder,
            canonical,
            opened: SystemTime::now(),
        })
    }

    /// Prepares the picked image `bytes` (named `name` in messages) and keeps the prepared copy.
    /// More than [`media::MAX_INPUT_BYTES`] is refused before the bytes are copied.
    pub async fn stage(&self, name: &str, bytes: &[u8]) -> Result<StagedImage> {
        media::check_input_bytes(bytes.len(), name)?;
        let bytes = bytes.to_vec();
        let this = self.clone();
        let name = name.to_owned();
        blocking("preparing the image", move || this.stage_now(&name, &bytes)).await
    }

    /// Keeps an image prepared already (a link card's thumbnail) as it is, as a staged copy.
    pub async fn keep_prepared(&self, image: PreparedImage) -> Result<StagedImage> {
        let this = self.clone();
        blocking("keeping the image", move || {
            this.check_room()?;
            this.write(&image)
        })
        .await
    }

    /// The preview of a staged copy (after a restart).
    pub async fn preview(&self, path: &str) -> Result<StagedImage> {
        let this = self.clone();
        let path = path.to_owned();
        blocking("loading the image", move || this.preview_now(&path)).await
    }

    /// The images of a post request, in order: each must be a staged copy. More than a post can
    /// carry are refused before any is read.
    pub async fn sources(&self, paths: Vec<String>) -> Result<Vec<ImageSource>> {
        if paths.len() > media::MAX_IMAGES {
            return Err(Error::validation(format!(
                "A post can have up to {} images; this one has {}.",
                media::MAX_IMAGES,
                paths.len()
            )));
        }
        let this = self.clone();
        blocking("loading the images", move || {
            paths
                .iter()
                .map(|path| {
                    this.load_now(path)
                        .map(|(_, image)| ImageSource::Prepared(image))
                })
                .collect()
        })
        .await
    }

    fn stage_now(&self, name: &str, bytes: &[u8]) -> Result<StagedImage> {
        self.check_room()?;
        let image = media::prepare_bytes(bytes, name, ImageLimits::POST)?;
        self.write(&image)
    }

    /// Refuses a new copy (before any work) when the folder could not take one more.
    fn check_room(&self) -> Result<()> {
        let images = self.used_bytes_where(|name| !video::is_video_name(name));
        if images + ImageLimits::POST.max_bytes as u64 > MAX_FOLDER_BYTES {
            return Err(Error::validation(format!(
                "Hayon keeps at most {} MB of attached images, and that space is in use. Remove \
                 images you no longer need from the draft, or restart Hayon to clear the images no \
                 draft uses.",
                MAX_FOLDER_BYTES / 1_000_000
            )));
        }
        Ok(())
    }

    /// Writes a prepared image as a new staged copy named `<tid>.jpg|png`.
    fn write(&self, image: &PreparedImage) -> Result<StagedImage> {
        let extension = if image.mime_type == "image/png" {
            "png"
        } else {
            "jpg"
        };
        let path = self
            .canonical
            .join(format!("{}.{extension}", crate::tid::next_tid()));
        crate::paths::write_new_private_file(&path, &image.bytes)?;
        Ok(StagedImage::new(&path, image))
    }

    fn preview_now(&self, path: &str) -> Result<StagedImage> {
        let (file, image) = self.load_now(path)?;
        Ok(StagedImage::new(&file, &image))
    }

    /// The staged copy `path` names, and the image to post from it: as it is when it is one
    /// [`Self::stage`] prepared, otherwise (an original staged by an older version) prepared now.
    /// Either way from the file opened without following a symlink, never from the path again: a
    /// symlink swapped in after the check is not followed out of the folder.
    fn load_now(&self, path: &str) -> Result<(PathBuf, PreparedImage)> {
        let name = self.staged_name(path)?;
        let file = confine::regular_file(&self.canonical, &name)?;
        let label = name.to_string_lossy();
        if !is_prepared_name(&name) {
            let image =
                media::prepare_opened(confine::open_regular(&file)?, &label, ImageLimits::POST)?;
            return Ok((file, image));
        }
        let bytes = confine::read_regular(&file, ImageLimits::POST.max_bytes as u64)?;
        let image = match media::already_prepared(bytes.clone(), ImageLimits::POST) {
            Some(image) => image,
            None => media::prepare_bytes(&bytes, &label, ImageLimits::POST)?,
        };
        Ok((file, image))
    }

    /// The staged copy `path` names (a video, a caption file), if it is one: a regular file
    /// directly in the attachments folder.
    pub(crate) fn staged_file(&self, path: &str) -> Result<PathBuf> {
        confine::regular_file(&self.canonical, &self.staged_name(path)?)
    }

    fn staged_name(&self, path: &str) -> Result<OsString> {
        confine::staged_name(&[&self.folder, &self.canonical], path)
    }

    /// What the staged files whose names pass `counted` take.
    fn used_bytes_where(&self, counted: impl Fn(&std::ffi::OsStr) -> bool) -> u64 {
        std::fs::read_dir(&self.canonical)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|entry| counted(&entry.file_name()))
                    .filter_map(|entry| entry.metadata().ok())
                    .filter(|metadata| metadata.is_file())
                    .map(|metadata| metadata.len())
                    .sum()
            })
            .unwrap_or_default()
    }
}

/// Runs blocking file and image work off the async threads.
async fn blocking<T: Send + 'static>(
    doing: &str,
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| Error::internal(doing, &err))?
}

#[cfg(test)]
mod tests;
