//! The composer's aids, in the real window (the app under Xvfb through WebDriver, against the
//! reference PDS and the real Secret Service):
//! - the alt text editor: a dialog with the image shown large, a counter of the 2000-grapheme limit
//!   (counted as the core counts), Save refused over it, Enter saves, Shift+Enter a new line, Escape
//!   cancels; a tile shows the whole image (its box keeps the image's shape) and Tab goes image →
//!   edit alt text → remove;
//! - mentions: a handle that does not resolve is marked before posting, a real one is not, and the
//!   post carries the real one only; suggestions come from the app view's typeahead when it answers
//!   (a clearly named STAND-IN app view, harness/app_view.rs, behind a real PDS that proxies to it),
//!   and from connected accounts when it does not.
//!
//! Screenshots: target/e2e-screenshots/aids-*.png. The alt text editor's checks are in
//! `alt_text.rs`, the mentions' in `mentions.rs`.

mod alt_text;
mod mentions;

use fantoccini::key::Key;
use fantoccini::Client;
use harness::app_view::StandInAppView;
use harness::cli::CliEnv;
use harness::keychain;
use harness::pds::{pds, TestPds};
use harness::window::{
    assert_becomes, attach_image, attr_of, click, in_post, js, poll_until, press, screenshot,
    start_session, stored_text, text_of, type_into_post, wait_alt_dialog_closed, wait_for,
    wait_for_composer, with_element, POST_ON,
};
use serde_json::json;

/// The element that has keyboard focus, described by its class.
async fn focused_class(client: &Client) -> String {
    client
        .execute("return document.activeElement?.className ?? '';", vec![])
        .await
        .expect("active element")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}
