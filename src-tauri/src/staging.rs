//! Images the user attached, copied into `<data dir>/attachments/` so the draft can point at them
//! after a restart, and checked right away (prepared once) so a bad file is reported the moment it is
//! added, with a preview of exactly what will be posted.

use base64::Engine;
use hayon_core::Error;
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StagedImage {
    pub path: String,
    /// A `data:` URL of the prepared image.
    pub preview_url: String,
    pub width: u32,
    pub height: u32,
    pub mime_type: &'static str,
    pub bytes: usize,
}

pub async fn stage(dir: &Path, name: &str, bytes: Vec<u8>) -> Result<StagedImage, Error> {
    hayon_core::paths::create_private_dir(dir)?;
    let safe_name: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    let path = dir.join(format!("{}-{safe_name}", hayon_core::tid::next_tid()));
    tokio::fs::write(&path, &bytes)
        .await
        .map_err(|err| Error::storage(format!("could not keep a copy of {name}: {err}")))?;
    let result = preview(path.clone()).await;
    if result.is_err() {
        let _ = tokio::fs::remove_file(&path).await;
    }
    result.map_err(|mut err| {
        // Name the file as the user knows it, not by its staged copy.
        err.message = staged_names(&path)
            .iter()
            .fold(err.message, |message, staged| {
                message.replace(staged.as_str(), name)
            });
        err
    })
}

/// Deletes the staged copies among `paths` once their post is published (files elsewhere, which the
/// user owns, are never touched).
pub async fn discard(dir: &Path, paths: &[PathBuf]) {
    for path in paths.iter().filter(|path| path.parent() == Some(dir)) {
        if let Err(err) = tokio::fs::remove_file(path).await {
            tracing::warn!(error = %err, "could not delete a posted image's staged copy");
        }
    }
}

pub async fn preview(path: PathBuf) -> Result<StagedImage, Error> {
    let shown = path.display().to_string();
    let prepared = tokio::task::spawn_blocking(move || hayon_core::media::prepare_image(&path))
        .await
        .map_err(|err| Error::internal("preparing the image", &err))??;
    let encoded = base64::engine::general_purpose::STANDARD.encode(&prepared.bytes);
    Ok(StagedImage {
        path: shown,
        preview_url: format!("data:{};base64,{encoded}", prepared.mime_type),
        width: prepared.width,
        height: prepared.height,
        mime_type: prepared.mime_type,
        bytes: prepared.bytes.len(),
    })
}

/// The ways an error may name the staged copy: its full path or its file name.
fn staged_names(path: &Path) -> Vec<String> {
    let mut names = vec![path.display().to_string()];
    if let Some(file_name) = path.file_name() {
        names.push(file_name.to_string_lossy().into_owned());
    }
    names
}
