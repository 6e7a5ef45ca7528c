//! `hayon-cli media prepare FILE… --out DIR`: the images of a post prepared as the app uploads them,
//! written to DIR. Needs no account, database or keychain.
//!
//! Prints one entry per input, in order: `{"input","output","mimeType","bytes","width","height"}`
//! or `{"input","error":{"code","message"}}`; the exit status is 1 when any input failed.

use crate::Output;
use clap::Subcommand;
use hayon_core::media::{self, PreparedImage};
use hayon_core::{Error, ErrorCode};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum MediaCommand {
    /// Prepare images for upload (orientation applied, metadata stripped, ≤ 1,000,000 bytes).
    Prepare {
        /// Image files (JPEG, PNG, GIF or WebP).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Folder for the prepared files (created if missing), named after their inputs.
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
    let mut taken = HashSet::new();
    let mut success = true;
    let entries = media::prepare_images(&files)
        .into_iter()
        .zip(&files)
        .map(|(prepared, input)| {
            let written = prepared.and_then(|image| {
                let output = output_path(&out, input, image.mime_type, &mut taken);
                write(&image, &output).map(|()| entry(&image, input, &output))
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

fn write(image: &PreparedImage, output: &Path) -> Result<(), Error> {
    std::fs::write(output, &image.bytes).map_err(|err| {
        Error::new(
            ErrorCode::Validation,
            format!(
                "Could not write {} ({err}). Check that the output folder is writable and the \
                 disk is not full.",
                output.display()
            ),
        )
    })
}

/// `DIR/<input stem>.jpg|.png`, with `-2`, `-3`… when two inputs share a stem (`a.png`, `a.jpg`).
fn output_path(out: &Path, input: &Path, mime_type: &str, taken: &mut HashSet<PathBuf>) -> PathBuf {
    let extension = if mime_type == "image/png" {
        "png"
    } else {
        "jpg"
    };
    let stem = input.file_stem().map_or_else(
        || "image".to_owned(),
        |stem| stem.to_string_lossy().into_owned(),
    );
    let mut candidate = out.join(format!("{stem}.{extension}"));
    let mut counter = 2;
    while !taken.insert(candidate.clone()) {
        candidate = out.join(format!("{stem}-{counter}.{extension}"));
        counter += 1;
    }
    candidate
}
