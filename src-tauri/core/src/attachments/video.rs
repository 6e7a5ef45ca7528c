//! Videos and caption files attached in the window, kept beside the images as they are (a video is
//! sent to the video service as picked; nothing is re-encoded here).
//!
//! A video can be 300 MB, too much for one IPC message, so the page sends it in pieces: `begin`
//! makes an empty private file `<id>.video.part` for the announced size, `append` adds each piece
//! at the offset it names (the file must be exactly that long: nothing is skipped or written
//! twice), and `finish` checks the whole file as a video (`media::video::probe`) and gives it its
//! name `<id>.video.<ext>`. The page never names a path here: it names the id this module gave, and
//! the bytes are the only thing it sends. A queued post's video, named on the command line, is
//! copied in the same way ([`Attachments::copy_video`]), so a scheduled post does not depend on
//! where the original is when its time comes. Staged videos share at most
//! [`MAX_VIDEO_FOLDER_BYTES`].

use super::{blocking, confine, Attachments};
use crate::error::{Error, Result, StorageError};
use crate::media::video::{self, VideoFile, MAX_VIDEO_BYTES};
use serde::Serialize;
use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The most the staged videos may take together (about six of the largest).
pub const MAX_VIDEO_FOLDER_BYTES: u64 = 2_000_000_000;
/// The largest piece `append` takes.
pub const MAX_VIDEO_PIECE_BYTES: usize = 8 * 1024 * 1024;

/// What the window shows for an attached video.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct StagedVideo {
    /// The staged copy: what the draft and the post request refer to.
    pub path: String,
    pub mime_type: &'static str,
    #[cfg_attr(test, ts(type = "number"))]
    pub size: u64,
    /// Its length in milliseconds, when the file says.
    #[cfg_attr(test, ts(type = "number | null"))]
    pub duration_ms: Option<u64>,
    /// The picture as shown.
    pub width: u32,
    pub height: u32,
}

impl StagedVideo {
    fn new(file: &VideoFile) -> Self {
        Self {
            path: file.path.display().to_string(),
            mime_type: file.mime_type,
            size: file.size,
            duration_ms: file
                .duration
                .map(|length| u64::try_from(length.as_millis()).unwrap_or(u64::MAX)),
            width: file.width,
            height: file.height,
        }
    }
}

/// A staged caption file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct StagedCaption {
    pub path: String,
}

impl Attachments {
    /// Starts staging a video of `size` bytes; the id its pieces are sent under.
    pub async fn begin_video(&self, size: u64) -> Result<String> {
        if size > MAX_VIDEO_BYTES {
            return Err(Error::validation(format!(
                "This video is {} MB; Bluesky takes videos up to {} MB. Trim it or export it at a \
                 lower quality.",
                size / 1_000_000,
                MAX_VIDEO_BYTES / 1_000_000
            )));
        }
        let this = self.clone();
        blocking("adding the video", move || {
            this.check_video_room(size)?;
            let id = crate::tid::next_tid();
            crate::paths::write_new_private_file(&this.part(&id)?, &[])?;
            Ok(id)
        })
        .await
    }

    /// Adds `bytes` at `offset` to the video being staged under `id`; how many bytes it now has.
    pub async fn append_video(&self, id: &str, offset: u64, bytes: Vec<u8>) -> Result<u64> {
        if bytes.len() > MAX_VIDEO_PIECE_BYTES {
            return Err(Error::validation("A piece of the video was too large."));
        }
        let this = self.clone();
        let part = self.part(id)?;
        blocking("adding the video", move || {
            let mut file = std::fs::OpenOptions::new()
                .append(true)
                .open(&part)
                .map_err(|_| gone())?;
            let length = file
                .metadata()
                .map_err(|err| StorageError::file(&part, err))?
                .len();
            let total = length + bytes.len() as u64;
            if length != offset || total > MAX_VIDEO_BYTES {
                return Err(Error::validation(
                    "The video arrived out of order. Remove it and attach it again.",
                ));
            }
            this.check_video_room(bytes.len() as u64)?;
            file.write_all(&bytes)
                .map_err(|err| StorageError::file(&part, err))?;
            Ok(total)
        })
        .await
    }

    /// Checks the video staged under `id` whole (`name` in messages, as the person picked it) and
    /// keeps it.
    pub async fn finish_video(&self, id: &str, name: &str) -> Result<StagedVideo> {
        let part = self.part(id)?;
        let id = id.to_owned();
        let name = name.to_owned();
        let this = self.clone();
        blocking("checking the video", move || {
            let probed = video::probe(&part).map_err(|err| {
                let _ = std::fs::remove_file(&part);
                named(err, &part, &name)
            });
            let file = probed?;
            let kept = this.video_file(&id, file.extension());
            std::fs::rename(&part, &kept).map_err(|err| StorageError::file(&kept, err))?;
            Ok(StagedVideo::new(&VideoFile { path: kept, ..file }))
        })
        .await
    }

    /// Gives up the video being staged under `id`.
    pub async fn discard_video(&self, id: &str) -> Result<()> {
        let part = self.part(id)?;
        blocking("removing the video", move || {
            match std::fs::remove_file(&part) {
                Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                    Err(StorageError::file(&part, err).into())
                }
                _ => Ok(()),
            }
        })
        .await
    }

    /// The staged video `path` names, as the window shows it (a draft's, after a restart).
    pub async fn video_info(&self, path: &str) -> Result<StagedVideo> {
        let file = self.staged_file(path)?;
        blocking("checking the video", move || {
            video::probe(&file)
                .map(|probed| StagedVideo::new(&probed))
                .map_err(|_| confine::unavailable())
        })
        .await
    }

    /// Keeps the caption file `bytes` (named `name` in messages) once it passed the checks.
    pub async fn stage_caption(&self, name: &str, bytes: Vec<u8>) -> Result<StagedCaption> {
        video::check_caption(name, &bytes)?;
        self.keep_caption(bytes).await
    }

    /// Keeps checked caption file `bytes` as `<tid>.vtt`.
    async fn keep_caption(&self, bytes: Vec<u8>) -> Result<StagedCaption> {
        let this = self.clone();
        blocking("adding the captions", move || {
            let path = this
                .canonical
                .join(format!("{}.vtt", crate::tid::next_tid()));
            crate::paths::write_new_private_file(&path, &bytes)?;
            Ok(StagedCaption {
                path: path.display().to_string(),
            })
        })
        .await
    }

    /// A copy of the video file the person named (a queued post's), checked; its staged path.
    pub(crate) async fn copy_video(&self, original: &Path) -> Result<String> {
        let original = original.to_owned();
        let this = self.clone();
        blocking("keeping a copy of the video", move || {
            let file = video::probe(&original)?;
            this.check_video_room(file.size)?;
            let copy = this.video_file(&crate::tid::next_tid(), file.extension());
            let mut source = std::fs::File::open(&original)
                .map_err(|err| video::unreadable_error(&original, &err))?;
            crate::paths::fill_new_private_file(&copy, |target| {
                std::io::copy(&mut source, target)
                    .map(drop)
                    .map_err(|err| video::unreadable_error(&original, &err))
            })?;
            Ok(copy.display().to_string())
        })
        .await
    }

    /// A copy of the caption file the person named, checked; its staged path.
    pub(crate) async fn copy_caption(&self, original: &Path) -> Result<String> {
        let bytes = video::read_caption(original)?;
        Ok(self.keep_caption(bytes).await?.path)
    }

    /// `<id>.video.part`, for an id this module gave (13 characters of a TID): the page names ids,
    /// never paths.
    fn part(&self, id: &str) -> Result<PathBuf> {
        if !crate::tid::is_tid(id) {
            return Err(gone());
        }
        Ok(self.video_file(id, "part"))
    }

    /// `<id>.video.<extension>` in the folder.
    fn video_file(&self, id: &str, extension: &str) -> PathBuf {
        self.canonical.join(format!("{id}.video.{extension}"))
    }

    /// Refuses `more` bytes of video when the staged videos would pass their share.
    fn check_video_room(&self, more: u64) -> Result<()> {
        if self.used_bytes_where(is_video_name) + more > MAX_VIDEO_FOLDER_BYTES {
            return Err(Error::validation(format!(
                "Hayon keeps at most {} MB of attached videos, and that space is in use. Remove \
                 videos you no longer need from your drafts, or restart Hayon to clear the ones no \
                 draft uses.",
                MAX_VIDEO_FOLDER_BYTES / 1_000_000
            )));
        }
        Ok(())
    }
}

/// Whether a staged file is a video (kept or being staged): `<id>.video.<ext>`.
pub(super) fn is_video_name(name: &OsStr) -> bool {
    name.to_str().is_some_and(|name| name.contains(".video."))
}

fn gone() -> Error {
    Error::validation("This video is not available any more. Remove it and attach it again.")
}

/// A probe's error about the staged part file, told with the name the person picked.
fn named(err: Error, part: &Path, name: &str) -> Error {
    let staged = part
        .file_name()
        .map(|staged| staged.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut err = err;
    err.message = err.message.replace(&staged, name);
    err
}
