//! The history of posts sent, through `hayon-cli schedule history`, against the reference PDS and the
//! real keychain: a scheduled post that `schedule send-due` sends is listed with a link whose record
//! key is the post's on the PDS; a post that failed on one of its accounts is not listed (it is in
//! the outbox) until `outbox retry` gets it to that account too, and then it is listed once, with a
//! link per account. Posts are queued a few seconds ahead (the CLI takes any later time) and
//! `send-due` is run until it sends them.

use harness::cli::CliEnv;
use harness::fault_proxy::{exclusive, rig, OneRefusing};
use harness::keychain;
use harness::pds::pds;
use harness::wait::poll_until;
use jiff::Timestamp;
use serde_json::Value;

/// Runs `schedule send-due` until it sends something, and returns what it printed (`json`, even
/// when an account failed and the exit status is 1).
async fn sent_when_due(env: &CliEnv) -> Value {
    poll_until(
        || async { env.run(&["schedule", "send-due"], "").json },
        |sent| sent.as_array().is_some_and(|rows| !rows.is_empty()),
    )
    .await
}

/// `schedule history --json`.
fn history(env: &CliEnv) -> Vec<Value> {
    env.run(&["schedule", "history"], "")
        .expect_ok()
        .as_array()
        .cloned()
        .expect("a list")
}

/// The record key at the end of a URI or a bsky.app link.
fn rkey(address: &str) -> &str {
    address.rsplit('/').next().expect("a key")
}

#[tokio::test]
async fn a_post_send_due_sent_is_in_the_history_with_the_link_to_its_record() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("his").await;
    assert_eq!(history(&env), Vec::<Value>::new(), "nothing sent yet");
    let text = format!("Sent and remembered {}", harness::unique("h"));
    let id = env.schedule_in(3, &[&alice.did], &text, &[]);

    let sent = sent_when_due(&env).await;
    assert_eq!(sent[0]["id"], id.as_str(), "{sent}");
    let records = pds().posts_with_text(&alice.did, &text).await;
    assert_eq!(records.len(), 1, "{records:?}");
    let record_key = rkey(records[0]["uri"].as_str().expect("a URI"));

    let listed = history(&env);
    assert_eq!(listed.len(), 1, "{listed:?}");
    let row = &listed[0];
    assert_eq!(row["id"], id.as_str(), "{row}");
    assert_eq!(row["text"], text.as_str());
    assert_eq!(row["posts"], 1);
    let posted_at: Timestamp = row["postedAt"]
        .as_str()
        .expect("postedAt")
        .parse()
        .expect("RFC 3339");
    assert!(
        posted_at.as_second().abs_diff(Timestamp::now().as_second()) < 120,
        "{posted_at}"
    );
    let account = &row["accounts"][0];
    assert_eq!(account["account"], alice.did.as_str(), "{row}");
    assert_eq!(account["handle"], alice.handle.as_str());
    assert_eq!(account["uri"], records[0]["uri"], "{row}");
    let url = account["url"].as_str().expect("a link");
    assert_eq!(
        url,
        format!(
            "https://bsky.app/profile/{}/post/{record_key}",
            alice.handle
        )
    );
    // Sending again sends nothing, and the history still has it once.
    assert_eq!(
        env.run(&["schedule", "send-due"], "").expect_ok(),
        serde_json::json!([])
    );
    assert_eq!(history(&env).len(), 1);
}

#[tokio::test]
async fn a_post_an_account_lacks_is_not_history_until_outbox_retry_gets_it_there() {
    keychain::require_secret_service();
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    // The write to Cy's PDS (through the proxy) is refused once; Bea's goes straight to hers.
    let OneRefusing {
        reached: bea,
        refused: cy,
    } = rig().connect_one_refusing(&env, "hi").await;
    let text = format!("Refused on one account {}", harness::unique("f"));
    let id = env.schedule_in(3, &[&bea.did, &cy.did], &text, &[]);

    let sent = sent_when_due(&env).await;
    assert_eq!(sent[0]["id"], id.as_str(), "{sent}");
    assert!(
        sent[0]["results"][0]["uri"].is_string(),
        "Bea has it: {sent}"
    );
    assert!(
        sent[0]["results"][1]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("refused")),
        "Cy's server refused it: {sent}"
    );
    assert_eq!(pds().posts_with_text(&bea.did, &text).await.len(), 1);
    assert_eq!(
        history(&env),
        Vec::<Value>::new(),
        "not on every account: not history"
    );
    let outbox = env.run(&["outbox", "list"], "").expect_ok();
    assert_eq!(
        outbox[0]["id"],
        id.as_str(),
        "in the outbox instead: {outbox}"
    );

    let retried = env.run(&["outbox", "retry", &id], "").expect_ok();
    assert!(retried[1]["uri"].is_string(), "{retried}");
    let listed = history(&env);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], id.as_str());
    let accounts = listed[0]["accounts"].as_array().expect("accounts");
    assert_eq!(accounts.len(), 2, "{listed:?}");
    let on_bea = pds().posts_with_text(&bea.did, &text).await;
    let on_cy = rig().pds.posts_with_text(&cy.did, &text).await;
    assert_eq!((on_bea.len(), on_cy.len()), (1, 1), "each once");
    for (account, record) in accounts.iter().zip([&on_bea[0], &on_cy[0]]) {
        let uri = record["uri"].as_str().expect("a URI");
        assert_eq!(account["uri"], uri, "{account}");
        assert_eq!(
            rkey(account["url"].as_str().expect("a link")),
            rkey(uri),
            "{account}"
        );
    }
}
