//! `hayon-cli post`: publish a post or a thread to one or several connected accounts.
//!
//! Each `--text-file` is the next post of the thread (stdin is the only post when there is none);
//! `--image`/`--alt`, `--video` (with its `--alt` and `--caption`s right after it) and `--label`
//! belong to the post of the last `--text-file` before them, so the order of the flags on the
//! command line matters and is read from clap's argument indices.
//! `--composition FILE` gives the whole thing as the JSON the window sends instead.
//!
//! Ctrl-C while it posts cancels it as the window's Cancel does (`hayon_core::publish::Cancel`):
//! stopped before the write, nothing is posted and nothing is left in the outbox; once the write has
//! gone, its outcome is waited for and reported. A second Ctrl-C quits at once, as a crash would
//! (the outbox settles the row at the next start or retry).

use clap::{ArgMatches, Args};
use hayon_core::composition::{
    CardChoice, ComposedCaption, ComposedImage, ComposedPost, ComposedVideo, Composition,
    ContentLabel, WhoCanReply,
};
use hayon_core::publish::{Cancel, ImageFiles, PostOptions, Sent, UnsetLangs};
use hayon_core::{Core, Error};
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The flags a post is made of: with `--composition`, none of these may be given.
const THREAD_FLAGS: [&str; 10] = [
    "text_files",
    "images",
    "videos",
    "captions",
    "alts",
    "labels",
    "quote",
    "reply",
    "no_quotes",
    "no_link_card",
];

#[derive(Debug, Args)]
pub struct PostArgs {
    /// Account to post as (handle or DID); repeat to post to several. With --composition, replaces
    /// the accounts it names.
    #[arg(long = "account")]
    accounts: Vec<String>,
    /// A file holding the text of the next post of the thread; repeat for a thread (stdin when none).
    #[arg(long = "text-file")]
    text_files: Vec<PathBuf>,
    /// An image for the post of the last --text-file before it (up to 10 a post; more than 4 are
    /// posted as a gallery); each needs an `--alt` after it (may be empty).
    #[arg(long = "image")]
    images: Vec<PathBuf>,
    /// A video (MP4, MOV, WebM or animated GIF; up to 300 MB and 10 minutes) for the post of the
    /// last --text-file before it, instead of images; one per post. Uploaded through Bluesky's
    /// video service.
    #[arg(long = "video")]
    videos: Vec<PathBuf>,
    /// Captions for the --video before it: a WebVTT file and its language, as LANG=FILE (e.g.
    /// en=captions.vtt; up to 20, one per language).
    #[arg(long = "caption", value_parser = parse_caption, value_name = "LANG=FILE")]
    captions: Vec<ComposedCaption>,
    /// Alt text for the image given before it; right after a --video, the video's (optional).
    #[arg(long = "alt")]
    alts: Vec<String>,
    /// Post language (BCP-47, up to 3; default: the languages last chosen by hand in the window,
    /// else the system language).
    #[arg(long = "lang")]
    langs: Vec<String>,
    /// Post without a preview card for the first link.
    #[arg(long)]
    no_link_card: bool,
    /// Refuse to post an image whose --alt is empty (as the "Require alt text" setting does, which
    /// applies too).
    #[arg(long)]
    require_alt: bool,
    /// Quote this post in the first post: a bsky.app post link or an at:// URI.
    #[arg(long, value_name = "URI_OR_URL")]
    quote: Option<String>,
    /// Who may reply: everyone, nobody, or any of mentioned,following,followers.
    #[arg(long, value_parser = parse_reply, value_name = "WHO")]
    reply: Option<WhoCanReply>,
    /// Others may not quote the posts.
    #[arg(long)]
    no_quotes: bool,
    /// A content warning for the images of the post of the last --text-file before it: sexual,
    /// nudity, porn or graphic-media (repeatable).
    #[arg(long = "label", value_parser = parse_label, value_name = "VAL")]
    labels: Vec<ContentLabel>,
    /// The whole post or thread as a JSON composition (the form the window's drafts use).
    #[arg(long, value_name = "FILE", conflicts_with_all = THREAD_FLAGS)]
    composition: Option<PathBuf>,
}

/// Posts, and returns one entry per account plus whether all of them succeeded.
pub async fn run(
    core: &Core,
    args: PostArgs,
    matches: &ArgMatches,
) -> Result<(Value, bool), Error> {
    let (composition, options) = composition(args, matches)?;
    let cancel = cancelled_by_ctrl_c();
    results(
        core.posting()
            .post(composition, options, &|_| {}, &cancel)
            .await?,
    )
}

/// A cancel that Ctrl-C fires; a second Ctrl-C ends the process (exit status 130, as a shell
/// reports an interrupted command).
pub fn cancelled_by_ctrl_c() -> Cancel {
    let cancel = Cancel::new();
    let firing = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        super::warn(format_args!(
            "Cancelling: nothing is posted unless it is being written already. Ctrl-C again quits \
             at once."
        ));
        firing.cancel();
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(130);
        }
    });
    cancel
}

/// The composition the flags (or `--composition`) describe, and how the core is to take it: image
/// paths are files the person named, and no `--lang` means the usual languages.
pub fn composition(
    args: PostArgs,
    matches: &ArgMatches,
) -> Result<(Composition, PostOptions), Error> {
    let options = options(args.require_alt);
    let composition = match &args.composition {
        Some(file) => from_file(file, args.accounts, args.langs)?,
        None => from_flags(args, matches)?,
    };
    Ok((composition, options))
}

/// How the core takes a composition from the command line: its image paths are files the person
/// named, and no language means the usual ones.
pub fn options(require_alt_text: bool) -> PostOptions {
    PostOptions {
        images: ImageFiles::Named,
        require_alt_text,
        draft: None,
        unset_langs: UnsetLangs::Defaults,
    }
}

/// The per-account results of a send, and whether every account has the thread. A failure says on
/// stderr how to finish the post later.
pub fn results(sent: Sent) -> Result<(Value, bool), Error> {
    let all_posted = sent.posted_everywhere();
    if !all_posted {
        super::warn(format_args!(
            "Not every account has the post. It is kept in the outbox: `hayon-cli outbox retry {}` \
             sends it to the others (never twice to one).",
            sent.id
        ));
    }
    let value = serde_json::to_value(super::outcome::outcomes(&sent.accounts))
        .map_err(|err| Error::internal("writing the result", &err))?;
    Ok((value, all_posted))
}

/// `--composition FILE`: the JSON composition; `--account` and `--lang` given on the command line
/// replace its own.
pub fn from_file(
    file: &Path,
    accounts: Vec<String>,
    langs: Vec<String>,
) -> Result<Composition, Error> {
    let text = std::fs::read_to_string(file).map_err(|err| {
        Error::validation(format!(
            "Could not read the composition from {}: {err}",
            file.display()
        ))
    })?;
    let mut composition: Composition = serde_json::from_str(&text).map_err(|err| {
        Error::validation(format!(
            "{} is not a composition: {err}. See `hayon-cli post --help` and the README.",
            file.display()
        ))
    })?;
    if !accounts.is_empty() {
        composition.accounts = accounts;
    }
    if !langs.is_empty() {
        composition.langs = langs;
    }
    Ok(composition)
}

/// The thread the flags describe, in command-line order.
fn from_flags(args: PostArgs, matches: &ArgMatches) -> Result<Composition, Error> {
    let (video_alts, image_alts) = split_alts(args.alts, matches)?;
    if image_alts.len() != args.images.len() {
        return Err(Error::validation(format!(
            "Give one --alt for each --image ({} images, {} alt texts); use --alt \"\" for none.",
            args.images.len(),
            image_alts.len()
        )));
    }
    let card = if args.no_link_card {
        CardChoice::None
    } else {
        CardChoice::FirstLink
    };
    let mut posts: Vec<ComposedPost> = if args.text_files.is_empty() {
        vec![ComposedPost {
            text: read_stdin()?,
            ..ComposedPost::default()
        }]
    } else {
        args.text_files
            .iter()
            .map(|file| {
                read_file(file).map(|text| ComposedPost {
                    text,
                    ..ComposedPost::default()
                })
            })
            .collect::<Result<_, _>>()?
    };
    for post in &mut posts {
        post.card = card.clone();
    }
    let text_at = indices(matches, "text_files");
    let owner = |index: usize| {
        text_at
            .iter()
            .filter(|&&at| at < index)
            .count()
            .saturating_sub(1)
    };
    let video_at = indices(matches, "videos");
    let mut videos = Vec::with_capacity(args.videos.len());
    for (index, (path, at)) in args.videos.into_iter().zip(&video_at).enumerate() {
        let post = &mut posts[owner(*at)];
        if post.video.is_some() {
            return Err(Error::validation(
                "A post can have one video; give each video its own --text-file.",
            ));
        }
        post.video = Some(ComposedVideo {
            path: path.to_string_lossy().into_owned(),
            alt: video_alts.get(&index).cloned().unwrap_or_default(),
            captions: Vec::new(),
        });
        videos.push(owner(*at));
    }
    for (caption, at) in args.captions.into_iter().zip(indices(matches, "captions")) {
        let video = last_before(&video_at, at).ok_or_else(|| {
            Error::validation("Give each --caption after the --video it belongs to.")
        })?;
        if let Some(video) = posts[videos[video]].video.as_mut() {
            video.captions.push(caption);
        }
    }
    for ((path, alt), at) in args
        .images
        .into_iter()
        .zip(image_alts)
        .zip(indices(matches, "images"))
    {
        posts[owner(at)].images.push(ComposedImage {
            path: path.to_string_lossy().into_owned(),
            alt,
        });
    }
    for (label, at) in args.labels.into_iter().zip(indices(matches, "labels")) {
        let labels = &mut posts[owner(at)].labels;
        if !labels.contains(&label) {
            labels.push(label);
        }
    }
    posts[0].quote = args.quote;
    Ok(Composition {
        posts,
        accounts: args.accounts,
        langs: args.langs,
        who_can_reply: args.reply.unwrap_or_default(),
        quotes_allowed: !args.no_quotes,
    })
}

/// The `--alt`s of videos (by the video's place among the `--video`s) and those of images, in
/// order: an `--alt` is a video's when the last `--image` or `--video` before it is that video.
fn split_alts(
    alts: Vec<String>,
    matches: &ArgMatches,
) -> Result<(std::collections::HashMap<usize, String>, Vec<String>), Error> {
    let (video_at, image_at) = (indices(matches, "videos"), indices(matches, "images"));
    let mut of_videos = std::collections::HashMap::new();
    let mut of_images = Vec::new();
    for (alt, at) in alts.into_iter().zip(indices(matches, "alts")) {
        let video = last_before(&video_at, at);
        let image = last_before(&image_at, at);
        match video {
            Some(video) if image.is_none_or(|image| image_at[image] < video_at[video]) => {
                if of_videos.insert(video, alt).is_some() {
                    return Err(Error::validation("Give a --video at most one --alt."));
                }
            }
            _ => of_images.push(alt),
        }
    }
    Ok((of_videos, of_images))
}

/// The place in `positions` (command-line indices, ascending) of the last one before `at`.
fn last_before(positions: &[usize], at: usize) -> Option<usize> {
    positions.iter().rposition(|&position| position < at)
}

/// `LANG=FILE`, for `--caption`.
fn parse_caption(text: &str) -> Result<ComposedCaption, String> {
    match text.split_once('=') {
        Some((lang, path)) if !lang.trim().is_empty() && !path.is_empty() => Ok(ComposedCaption {
            lang: lang.trim().to_owned(),
            path: path.to_owned(),
        }),
        _ => Err(format!(
            "\"{text}\" is not LANG=FILE; give the captions' language and file, e.g. en=captions.vtt"
        )),
    }
}

/// Where each value of a repeated flag stood on the command line.
fn indices(matches: &ArgMatches, id: &str) -> Vec<usize> {
    matches
        .indices_of(id)
        .map(Iterator::collect)
        .unwrap_or_default()
}

/// `everyone`, `nobody`, or a comma-separated set of `mentioned`, `following`, `followers`.
fn parse_reply(text: &str) -> Result<WhoCanReply, String> {
    match text.trim() {
        "everyone" => return Ok(WhoCanReply::Everyone),
        "nobody" => return Ok(WhoCanReply::Nobody),
        _ => {}
    }
    let (mut mentioned, mut following, mut followers) = (false, false, false);
    for group in text.split(',').map(str::trim) {
        match group {
            "mentioned" => mentioned = true,
            "following" => following = true,
            "followers" => followers = true,
            other => {
                return Err(format!(
                    "'{other}' is not one of everyone, nobody, or a list of mentioned, following, \
                     followers"
                ))
            }
        }
    }
    Ok(WhoCanReply::Some {
        mentioned,
        following,
        followers,
    })
}

fn parse_label(text: &str) -> Result<ContentLabel, String> {
    serde_json::from_value(Value::String(text.to_owned()))
        .map_err(|_| format!("'{text}' is not one of sexual, nudity, porn, graphic-media"))
}

fn read_file(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|err| {
        Error::validation(format!(
            "Could not read the text from {}: {err}",
            path.display()
        ))
    })
}

fn read_stdin() -> Result<String, Error> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|err| Error::validation(format!("Could not read the text from stdin: {err}")))?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, FromArgMatches, Parser};

    #[derive(Debug, Parser)]
    struct Test {
        #[command(flatten)]
        post: PostArgs,
    }

    fn parse(args: &[&str]) -> Composition {
        let matches = Test::command()
            .try_get_matches_from(std::iter::once("post").chain(args.iter().copied()))
            .expect("valid flags");
        let test = Test::from_arg_matches(&matches).expect("args");
        from_flags(test.post, &matches).expect("a composition")
    }

    #[test]
    fn images_and_labels_belong_to_the_post_of_the_last_text_file_before_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("write");
            path.to_string_lossy().into_owned()
        };
        let (one, two, three) = (file("1", "One"), file("2", "Two"), file("3", "Three"));
        let composition = parse(&[
            "--account",
            "a.test",
            "--text-file",
            &one,
            "--image",
            "a.jpg",
            "--alt",
            "A",
            "--label",
            "nudity",
            "--text-file",
            &two,
            "--text-file",
            &three,
            "--image",
            "b.jpg",
            "--alt",
            "",
            "--image",
            "c.jpg",
            "--alt",
            "C",
            "--label",
            "graphic-media",
            "--quote",
            "at://did:plc:x/app.bsky.feed.post/3k",
            "--reply",
            "mentioned,followers",
            "--no-quotes",
            "--no-link-card",
        ]);
        let texts: Vec<&str> = composition
            .posts
            .iter()
            .map(|post| post.text.as_str())
            .collect();
        assert_eq!(texts, ["One", "Two", "Three"]);
        let paths = |index: usize| -> Vec<&str> {
            composition.posts[index]
                .images
                .iter()
                .map(|image| image.path.as_str())
                .collect()
        };
        assert_eq!(paths(0), ["a.jpg"]);
        assert!(paths(1).is_empty());
        assert_eq!(paths(2), ["b.jpg", "c.jpg"]);
        assert_eq!(composition.posts[2].images[1].alt, "C");
        assert_eq!(composition.posts[0].labels, [ContentLabel::Nudity]);
        assert_eq!(composition.posts[2].labels, [ContentLabel::GraphicMedia]);
        assert_eq!(
            composition.posts[0].quote.as_deref(),
            Some("at://did:plc:x/app.bsky.feed.post/3k")
        );
        assert!(composition.posts[1].quote.is_none());
        assert_eq!(
            composition.who_can_reply,
            WhoCanReply::Some {
                mentioned: true,
                following: false,
                followers: true
            }
        );
        assert!(!composition.quotes_allowed);
        assert!(composition
            .posts
            .iter()
            .all(|post| post.card == CardChoice::None));
    }

    #[test]
    fn reply_and_label_values_are_checked() {
        assert_eq!(parse_reply("nobody"), Ok(WhoCanReply::Nobody));
        assert_eq!(parse_reply("everyone"), Ok(WhoCanReply::Everyone));
        assert!(parse_reply("mentioned,friends").is_err());
        assert_eq!(parse_label("porn"), Ok(ContentLabel::Porn));
        assert!(parse_label("spoiler").is_err());
        let err = Test::command()
            .try_get_matches_from(["post", "--composition", "c.json", "--text-file", "t"])
            .expect_err("exclusive");
        assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
    }
}
