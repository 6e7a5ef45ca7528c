//! `hayon-cli media prepare FILE… --out DIR`: the images of a post prepared as the app uploads them,
//! written to DIR. Needs no account, database or keychain.
//!
//! Prints one entry per input, in order: `{"input","output","mimeType","bytes","width","height"}`
//! or `{"input","error":{"code","message"}}`; the exit status is 1 when any input failed.
//!
//! Outputs are always new files: an existing name (a file from an earlier run, or a symlink an
//! attacker left in a shared folder) is never written over or through; the next free `-2`, `-3`…
//! name is taken instead, created with `O_CREAT | O_EXCL`, which refuses any existing entry.

use crate::Output;
use clap::Subcommand;
use hayon_core::media::{self, PreparedImage};
use hayon_core::{Error, ErrorCode};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum MediaCommand {
    /// Prepare images for upload (orientation applied, metadata stripped, ≤ 4000 px, ≤ 2,000,000 bytes).
    Prepare {
        /// Image files (JPEG, PNG, GIF, WebP, HEIC/HEIF or AVIF).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Folder for the prepared files (created if missing), named after their inputs; an
        /// existing name is never written over, `-2`, `-3`… is added instead.
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn run(command: MediaCommand) -> Result<Output, Error> {
    let MediaCommand::Prepare { files, out } = command;
    std::fs::create_dir_all(&out).map_err(|err| {
        Error::new(
            ErrorCode::Validation,
            format!(
                "Could not create the output folder {} ({err}). Choose a folder you can write to.",
                out.display()
            ),
        )
    })?;
    let mut success = true;
    let entries = media::prepare_images(&files, media::ImageLimits::POST)
        .into_iter()
        .zip(&files)
        .map(|(prepared, input)| {
            let written = prepared.and_then(|image| {
                write_new(&image, &out, input).map(|output| entry(&image, input, &output))
            });
            written.unwrap_or_else(|err| {
                success = false;
                json!({ "input": input.display().to_string(), "error": err })
            })
        })
        .collect();
    Ok(Output {
        value: Value::Array(entries),
        success,
    })
}

fn entry(image: &PreparedImage, input: &Path, output: &Path) -> Value {
    json!({
        "input": input.display().to_string(),
        "output": output.display().to_string(),
        "mimeType": image.mime_type,
        "bytes": image.bytes.len(),
        "width": image.width,
        "height": image.height,
    })
}

/// Writes `image` to a new file `DIR/<input stem>.jpg|.png`, or `-2`, `-3`… when that name exists
/// (in any form: file, folder, symlink); returns the path written.
fn write_new(image: &PreparedImage, out: &Path, input: &Path) -> Result<PathBuf, Error> {
    let extension = if image.mime_type == "image/png" {
        "png"
    } else {
        "jpg"
    };
    let stem = input.file_stem().map_or_else(
        || "image".to_owned(),
        |stem| stem.to_string_lossy().into_owned(),
    );
    let mut output = out.join(format!("{stem}.{extension}"));
    let mut counter = 2u32;
    loop {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&output)
        {
            Ok(mut file) => {
                return match file.write_all(&image.bytes) {
                    Ok(()) => Ok(output),
                    Err(err) => {
                        // A cut-off image must not stay under the name (disk full): the file is
                        // new, made just above, so it is this run's own to remove.
                        let _ = std::fs::remove_file(&output);
                        Err(not_written(&output, &err))
                    }
                };
            }
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                output = out.join(format!("{stem}-{counter}.{extension}"));
                counter = counter.saturating_add(1);
            }
            Err(err) => return Err(not_written(&output, &err)),
        }
    }
}

fn not_written(output: &Path, err: &std::io::Error) -> Error {
    Error::new(
        ErrorCode::Validation,
        format!(
            "Could not write {} ({err}). Check that the output folder is writable and the disk is \
             not full.",
            output.display()
        ),
    )
}
