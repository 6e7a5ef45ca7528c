//! The commands over IPC, without a window: Tauri's mock runtime serves [`super::handler`] (the same
//! one the window gets) under the app's own context (so the capability in tauri.conf.json decides
//! what the page may call, as in the window), with the window's state opened on a real SQLite file in
//! a temporary folder.
//! What the page sends arrives as JSON or as a raw body, exactly as from the web view, so these check
//! what a stranger's input meets: argument names, shapes, and the core's `{code, message}` answers.
//! Commands that need the keychain or a PDS are left to the window and CLI tests, which have them.

use super::handler;
use crate::sender::Sender;
use crate::state::AppState;
use hayon_core::publish::LIMITS;
use hayon_core::Config;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

/// The app with its commands over the state `AppState::open` made from `data_dir`, and its one
/// window (commands are called from a window's page).
struct Shell {
    _app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
}

impl Shell {
    fn over(data_dir: &std::path::Path) -> Self {
        let state = AppState::open(Config::in_dir(data_dir.to_owned()));
        let app = mock_builder()
            .manage(state)
            .manage(Sender::default())
            .invoke_handler(handler())
            .build(tauri::generate_context!())
            .expect("the mock app builds");
        let window = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("the mock window opens");
        Self { _app: app, window }
    }

    fn call_with(
        &self,
        cmd: &str,
        body: InvokeBody,
        headers: &[(&str, &str)],
    ) -> Result<Value, Value> {
        // The page's origin on Linux and macOS (the capability grants local pages only).
        self.call_from("tauri://localhost", cmd, body, headers)
    }

    fn call_from(
        &self,
        origin: &str,
        cmd: &str,
        body: InvokeBody,
        headers: &[(&str, &str)],
    ) -> Result<Value, Value> {
        let mut header_map = tauri::http::HeaderMap::new();
        for (name, value) in headers {
            header_map.insert(
                tauri::http::HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
                tauri::http::HeaderValue::from_str(value).expect("a header value"),
            );
        }
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: origin.parse().expect("a URL"),
            body,
            headers: header_map,
            invoke_key: INVOKE_KEY.to_owned(),
        };
        tauri::test::get_ipc_response(&self.window, request)
            .map(|body| body.deserialize::<Value>().expect("a JSON answer"))
    }

    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        self.call_with(cmd, InvokeBody::Json(args), &[])
    }
}

fn data_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary data folder")
}

#[test]
fn limits_are_the_cores() {
    let dir = data_dir();
    let shell = Shell::over(dir.path());
    let answer = shell.call("limits", json!({})).expect("limits answers");
    assert_eq!(answer, serde_json::to_value(LIMITS).expect("serializable"));
    assert!(
        answer["maxImages"].as_u64().is_some_and(|max| max > 0),
        "{answer}"
    );
}

#[test]
fn a_page_from_the_web_may_call_nothing() {
    let dir = data_dir();
    let shell = Shell::over(dir.path());
    for cmd in ["limits", "list_drafts", "list_accounts"] {
        let refused = shell
            .call_from("https://bsky.app/", cmd, InvokeBody::Json(json!({})), &[])
            .expect_err("a remote page is refused");
        assert!(
            refused
                .as_str()
                .is_some_and(|text| text.contains("not allowed")),
            "{cmd}: {refused}"
        );
    }
}

#[test]
fn a_draft_saved_over_ipc_is_listed_loaded_and_deleted_in_the_database() {
    let dir = data_dir();
    let shell = Shell::over(dir.path());
    let draft = json!({"posts": [{"text": "first words"}], "langs": ["en"]});
    let id = shell
        .call("save_draft", json!({"id": null, "draft": draft}))
        .expect("the draft is saved");
    let listed = shell.call("list_drafts", json!({})).expect("drafts listed");
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["id"], id);
    let loaded = shell
        .call("load_draft", json!({"id": id}))
        .expect("the draft loads");
    assert_eq!(loaded["composition"]["posts"][0]["text"], "first words");
    assert_eq!(loaded["composition"]["langs"], json!(["en"]));

    // A second shell over the same folder reads it from the SQLite file, not from memory.
    let reopened = Shell::over(dir.path());
    let listed = reopened
        .call("list_drafts", json!({}))
        .expect("drafts listed");
    assert_eq!(listed[0]["composition"]["posts"][0]["text"], "first words");

    shell
        .call("delete_draft", json!({"id": id}))
        .expect("the draft is deleted");
    let listed = reopened
        .call("list_drafts", json!({}))
        .expect("drafts listed");
    assert_eq!(listed, json!([]));
}

#[test]
fn a_draft_of_the_wrong_shape_is_refused_before_anything_is_saved() {
    let dir = data_dir();
    let shell = Shell::over(dir.path());
    let refused = shell
        .call(
            "save_draft",
            json!({"id": null, "draft": {"posts": "not a list"}}),
        )
        .expect_err("a malformed draft is refused");
    assert!(
        refused.as_str().is_some_and(|text| text.contains("draft")),
        "{refused}"
    );
    let listed = shell.call("list_drafts", json!({})).expect("drafts listed");
    assert_eq!(listed, json!([]));
}

#[test]
fn an_image_path_outside_the_attachments_folder_is_refused() {
    let dir = data_dir();
    let outside = dir.path().join("elsewhere.png");
    std::fs::write(&outside, b"not read").expect("a file outside attachments/");
    let shell = Shell::over(dir.path());
    for path in [
        outside.to_string_lossy().into_owned(),
        "/etc/passwd".to_owned(),
    ] {
        let refused = shell
            .call("preview_image", json!({"path": path}))
            .expect_err("only staged copies are read");
        assert_eq!(refused["code"], "validation", "{path}: {refused}");
    }
}

#[test]
fn a_raw_body_that_is_no_image_is_refused_and_nothing_is_staged() {
    let dir = data_dir();
    let shell = Shell::over(dir.path());
    let refused = shell
        .call_with(
            "stage_image",
            InvokeBody::Raw(b"%PDF-1.7 not an image".to_vec()),
            &[("x-file-name", "notes%20for%20later.pdf")],
        )
        .expect_err("a PDF is not staged");
    assert_eq!(refused["code"], "validation", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|text| text.contains("notes for later.pdf")),
        "the message names the file as the person knows it: {refused}"
    );
    let staged = std::fs::read_dir(dir.path().join("attachments"))
        .map(|entries| entries.count())
        .unwrap_or(0);
    assert_eq!(staged, 0);

    let refused = shell
        .call("stage_image", json!({"bytes": [1, 2, 3]}))
        .expect_err("image bytes come only as a raw body");
    assert_eq!(refused["code"], "validation", "{refused}");
}

#[test]
fn when_the_data_folder_cannot_be_opened_every_command_says_why() {
    let dir = data_dir();
    let not_a_folder = dir.path().join("my-hayon-data");
    std::fs::write(&not_a_folder, b"a file where the data folder should be").expect("a file");
    let shell = Shell::over(&not_a_folder);
    for (cmd, args) in [
        ("list_drafts", json!({})),
        ("list_accounts", json!({})),
        ("get_settings", json!({})),
        ("outbox_entries", json!({})),
        ("posted_history", json!({})),
    ] {
        let refused = shell.call(cmd, args).expect_err("no data, no answer");
        assert_eq!(refused["code"], "storage", "{cmd}: {refused}");
        assert!(
            refused["message"]
                .as_str()
                .is_some_and(|text| text.contains("hayon")),
            "{cmd}: the message names what could not be opened: {refused}"
        );
    }
    // What needs no data still answers.
    shell.call("limits", json!({})).expect("limits answers");
}

/// A composition as the composer sends it, to one (unconnected) account.
fn composition() -> Value {
    json!({"posts": [{"text": "later"}], "accounts": ["did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"], "langs": ["en"]})
}

#[test]
fn a_scheduled_time_that_cannot_be_used_is_refused_with_the_reason_before_anything_is_queued() {
    let dir = data_dir();
    let shell = Shell::over(dir.path());
    for (at, reason) in [
        ("2001-01-01T09:00", "has passed"),
        ("tomorrow", "YYYY-MM-DD HH:MM"),
        ("", "YYYY-MM-DD HH:MM"),
    ] {
        for (cmd, args) in [
            (
                "schedule_post",
                json!({"composition": composition(), "draft": null, "at": at}),
            ),
            ("reschedule_post", json!({"id": "3laaaaaaaaaaa", "at": at})),
        ] {
            let refused = shell.call(cmd, args).expect_err("refused");
            assert_eq!(refused["code"], "validation", "{cmd} {at:?}: {refused}");
            assert!(
                refused["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(reason)),
                "{cmd} {at:?}: {refused}"
            );
        }
    }
    // Half a minute ahead, in the system's zone: not yet a minute.
    let soon = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_secs(30))
        .expect("a time")
        .to_zoned_datetime(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%dT%H:%M:%S")
        .to_string();
    let refused = shell
        .call(
            "schedule_post",
            json!({"composition": composition(), "draft": null, "at": soon}),
        )
        .expect_err("too soon");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("less than a minute")),
        "{refused}"
    );
    let queue = shell.call("scheduled_posts", json!({})).expect("the queue");
    assert_eq!(queue, json!([]));
}

#[test]
fn a_scheduled_post_needs_a_composition_and_an_account_that_is_connected() {
    let dir = data_dir();
    let shell = Shell::over(dir.path());
    let later = "2099-12-24T09:00";
    let refused = shell
        .call(
            "schedule_post",
            json!({"composition": {"posts": "nope"}, "draft": null, "at": later}),
        )
        .expect_err("not a composition");
    assert!(
        refused.as_str().is_some_and(|m| m.contains("composition")),
        "{refused}"
    );
    for cmd in ["schedule_post", "queue_post"] {
        let refused = shell
            .call(
                cmd,
                json!({"composition": composition(), "draft": null, "at": later}),
            )
            .expect_err("no such account");
        assert_eq!(refused["code"], "not_found", "{cmd}: {refused}");
        assert!(
            refused["message"]
                .as_str()
                .is_some_and(|m| m.contains("No connected account")),
            "{cmd}: {refused}"
        );
    }
    let queue = shell.call("scheduled_posts", json!({})).expect("the queue");
    assert_eq!(queue, json!([]));
}

#[test]
fn the_queue_commands_refuse_an_id_that_names_no_post() {
    let dir = data_dir();
    let shell = Shell::over(dir.path());
    for id in ["3laaaaaaaaaaa", "'; DROP TABLE outbox; --", ""] {
        for (cmd, args) in [
            ("cancel_scheduled", json!({"id": id})),
            (
                "edit_queued_post",
                json!({"id": id, "composition": composition()}),
            ),
            (
                "reschedule_post",
                json!({"id": id, "at": "2099-12-24T09:00"}),
            ),
        ] {
            let refused = shell.call(cmd, args).expect_err("no such post");
            assert_eq!(refused["code"], "not_found", "{cmd} {id:?}: {refused}");
        }
    }
    // Send now streams its progress through a channel, which the page names as Tauri does.
    let refused = shell
        .call(
            "send_scheduled_now",
            json!({"id": "3laaaaaaaaaaa", "onProgress": "__CHANNEL__:7"}),
        )
        .expect_err("no such post");
    assert_eq!(refused["code"], "not_found", "{refused}");
    let refused = shell
        .call("cancel_scheduled", json!({"id": 42}))
        .expect_err("an id is text");
    assert!(
        refused.as_str().is_some_and(|m| m.contains("id")),
        "{refused}"
    );
    let zone = shell.call("schedule_zone", json!({})).expect("the zone");
    assert!(zone.as_str().is_some_and(|name| !name.is_empty()), "{zone}");
}

#[test]
fn the_posted_history_lists_what_another_process_finished_newest_first() {
    use hayon_core::publish::{
        AccountDelivery, Delivery, ImageFiles, OutboxEntry, Posted, PostedAccount,
    };
    let dir = data_dir();
    let shell = Shell::over(dir.path());
    let empty = shell
        .call("posted_history", json!({}))
        .expect("the history");
    assert_eq!(empty, json!([]));

    // The CLI (another connection to the same file) finishes two rows.
    let store = hayon_core::store::Store::open_in(dir.path()).expect("the database");
    for (n, id) in ["3kaaaaaaaaaa2", "3kaaaaaaaaab2"].into_iter().enumerate() {
        let did = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa";
        let entry = OutboxEntry {
            id: id.into(),
            created_at: "2026-12-01T12:00:00Z".into(),
            due: None,
            draft: None,
            images: ImageFiles::Named,
            composition: serde_json::from_value(composition()).expect("a composition"),
            accounts: vec![AccountDelivery {
                did: did.into(),
                handle: "alice.test".into(),
                rkeys: vec![id.into()],
                attempts: 1,
                state: Delivery::Pending,
                retry_at: None,
            }],
        };
        store.insert_outbox(&entry, None).expect("a row");
        let posted = Posted {
            id: id.into(),
            posted_at: format!("2026-12-01T12:0{n}:00Z"),
            text: "later".into(),
            posts: 1,
            accounts: vec![PostedAccount {
                did: did.into(),
                handle: "alice.test".into(),
                uri: format!("at://{did}/app.bsky.feed.post/{id}"),
                url: format!("https://bsky.app/profile/alice.test/post/{id}"),
            }],
        };
        let at = 1_900_000_000 + i64::try_from(n).expect("small");
        assert!(store.finish_outbox(id, &posted, at).expect("finished"));
    }
    let history = shell
        .call("posted_history", json!({}))
        .expect("the history");
    assert_eq!(history.as_array().map(Vec::len), Some(2), "{history}");
    assert_eq!(history[0]["id"], "3kaaaaaaaaab2", "newest first: {history}");
    assert_eq!(history[0]["postedAt"], "2026-12-01T12:01:00Z");
    assert_eq!(
        history[1]["accounts"][0],
        json!({"account": "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", "handle": "alice.test",
            "uri": "at://did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/app.bsky.feed.post/3kaaaaaaaaaa2",
            "url": "https://bsky.app/profile/alice.test/post/3kaaaaaaaaaa2"})
    );
}

#[test]
fn cancel_posting_takes_a_ticket_only_and_a_ticket_of_no_send_cancels_nothing() {
    let dir = data_dir();
    let shell = Shell::over(dir.path());
    let nothing = shell
        .call(
            "cancel_posting",
            json!({"ticket": "0f8e2c1a5b7d4e6f9a0b1c2d3e4f5a6b"}),
        )
        .expect("an answer");
    assert_eq!(nothing, json!(false), "no send under that ticket");
    for odd in ["", "../../hayon.sqlite3", "a b", &"7".repeat(65)] {
        let refused = shell
            .call("cancel_posting", json!({"ticket": odd}))
            .expect_err("not a ticket");
        assert_eq!(refused["code"], "validation", "{odd:?}: {refused}");
    }
    let refused = shell
        .call("cancel_posting", json!({"ticket": 7}))
        .expect_err("a ticket is text");
    assert!(
        refused.as_str().is_some_and(|m| m.contains("ticket")),
        "{refused}"
    );
    // Post refuses an odd ticket before anything is checked, saved or sent.
    let refused = shell
        .call(
            "post",
            json!({"composition": composition(), "draft": null, "ticket": "a b",
                "onProgress": "__CHANNEL__:7"}),
        )
        .expect_err("not a ticket");
    assert_eq!(refused["code"], "validation", "{refused}");
}
