//! `hayon-cli post`: publish one post to one or several connected accounts.

use clap::Args;
use hayon_core::posting::{ImageAttachment, ImageSource, LinkCardChoice, PostRequest, PostResult};
use hayon_core::{Core, Error};
use serde_json::Value;
use std::io::Read;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct PostArgs {
    /// Account to post as (handle or DID); repeat to post to several.
    #[arg(long = "account", required = true)]
    accounts: Vec<String>,
    /// Read the text from this file instead of stdin.
    #[arg(long)]
    text_file: Option<PathBuf>,
    /// An image to attach (up to 4); each needs an `--alt` after it (may be empty).
    #[arg(long = "image")]
    images: Vec<PathBuf>,
    /// Alt text for the image given before it.
    #[arg(long = "alt")]
    alts: Vec<String>,
    /// Post language (BCP-47, up to 3; default: the system language).
    #[arg(long = "lang")]
    langs: Vec<String>,
    /// Post without a preview card for the first link.
    #[arg(long)]
    no_link_card: bool,
    /// Refuse to post an image whose --alt is empty (as the "Require alt text" setting does, which
    /// applies too).
    #[arg(long)]
    require_alt: bool,
}

/// Posts, and returns one entry per account plus whether all of them succeeded.
pub async fn run(core: &Core, args: PostArgs) -> Result<(Value, bool), Error> {
    if args.alts.len() != args.images.len() {
        return Err(Error::validation(format!(
            "Give one --alt for each --image ({} images, {} alt texts); use --alt \"\" for none.",
            args.images.len(),
            args.alts.len()
        )));
    }
    let text = read_text(args.text_file.as_deref())?;
    let request = PostRequest {
        text,
        images: args
            .images
            .into_iter()
            .zip(args.alts)
            .map(|(path, alt)| ImageAttachment {
                source: ImageSource::File(path),
                alt,
            })
            .collect(),
        accounts: args.accounts,
        langs: if args.langs.is_empty() {
            hayon_core::settings::default_langs()
        } else {
            args.langs
        },
        link_card: if args.no_link_card {
            LinkCardChoice::Without
        } else {
            LinkCardChoice::FetchFirstLink
        },
        require_alt_text: args.require_alt,
    };
    let outcomes = core.posting().post(request, &|_| {}).await?;
    let all_posted = outcomes
        .iter()
        .all(|outcome| matches!(outcome.result, PostResult::Posted { .. }));
    let value = serde_json::to_value(&outcomes)
        .map_err(|err| Error::internal("writing the result", &err))?;
    Ok((value, all_posted))
}

fn read_text(file: Option<&std::path::Path>) -> Result<String, Error> {
    match file {
        Some(path) => std::fs::read_to_string(path).map_err(|err| {
            Error::validation(format!(
                "Could not read the text from {}: {err}",
                path.display()
            ))
        }),
        None => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).map_err(|err| {
                Error::validation(format!("Could not read the text from stdin: {err}"))
            })?;
            Ok(text)
        }
    }
}
