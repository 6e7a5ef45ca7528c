//! A write whose answer is lost, cut off, stalled or mangled after the server committed it: found
//! by looking it up and never posted twice; uploads whose answers are lost are sent again.

use super::*;

#[tokio::test]
async fn a_lost_answer_after_commit_is_found_not_posted_twice() {
    let creates = posted_exactly_once_despite(Fault::LoseAnswer, &[]).await;
    assert_eq!(creates, 1, "found by lookup; never sent twice");
}

#[tokio::test]
async fn a_502_after_commit_is_found_not_posted_twice() {
    let fault = Fault::ReplaceAnswer(Canned::Gateway(502));
    assert_eq!(posted_exactly_once_despite(fault, &[]).await, 1);
}

#[tokio::test]
async fn a_504_after_commit_is_found_not_posted_twice() {
    let fault = Fault::ReplaceAnswer(Canned::Gateway(504));
    assert_eq!(posted_exactly_once_despite(fault, &[]).await, 1);
}

#[tokio::test]
async fn an_html_200_after_commit_is_found_not_posted_twice() {
    let fault = Fault::ReplaceAnswer(Canned::Html200);
    assert_eq!(posted_exactly_once_despite(fault, &[]).await, 1);
}

#[tokio::test]
async fn a_reset_in_the_middle_of_the_answer_is_found_not_posted_twice() {
    assert_eq!(
        posted_exactly_once_despite(Fault::ResetMidBody, &[]).await,
        1
    );
}

#[tokio::test]
async fn an_answer_stalled_past_the_timeout_is_found_not_posted_twice() {
    // The timeout knob (README › hayon-cli) keeps the stall short: 2 s timeout, 5 s stall.
    let started = Instant::now();
    let fault = Fault::Stall(Duration::from_secs(5));
    let creates = posted_exactly_once_despite(fault, &[("HAYON_HTTP_TIMEOUT_SECS", "2")]).await;
    assert_eq!(creates, 1);
    assert!(started.elapsed() < Duration::from_secs(30), "no hang");
}

#[tokio::test]
async fn an_endless_answer_after_commit_is_cut_off_and_found() {
    let fault = Fault::ReplaceAnswer(Canned::Endless);
    assert_eq!(posted_exactly_once_despite(fault, &[]).await, 1);
}

#[tokio::test]
async fn a_2_gb_answer_after_commit_is_refused_and_found() {
    let fault = Fault::ReplaceAnswer(Canned::TwoGigabytes);
    assert_eq!(posted_exactly_once_despite(fault, &[]).await, 1);
}

#[tokio::test]
async fn a_request_dropped_before_the_server_is_sent_once_more_under_the_same_key() {
    let creates = posted_exactly_once_despite(Fault::DropRequest, &[]).await;
    assert_eq!(creates, 2, "not on the server, so sent once more");
}

#[tokio::test]
async fn a_write_that_twice_never_arrives_is_reported_as_not_posted() {
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let user = connected(&env, "twice").await;
    rig().proxy.arm(WRITE, Fault::DropRequest);
    rig().proxy.arm(WRITE, Fault::DropRequest);

    let output = post(&env, &user, "Never arrives", &[]);
    assert_eq!(output.code, 1, "{}", output.json);
    assert_eq!(
        output.json[0]["error"]["code"], "network",
        "{}",
        output.json
    );
    assert_eq!(
        rig().proxy.count(WRITE),
        2,
        "one retry under the same key, no more"
    );
    assert!(posts_on_server(&user).await.is_empty());
    assert_still_connected(&env, &user);
}

#[tokio::test]
async fn a_lost_upload_answer_and_a_502_do_not_fail_the_post() {
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let user = connected(&env, "upload").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let photo = images::photo_jpeg(dir.path(), "photo.jpg", 64, 48);
    rig().proxy.arm(UPLOAD, Fault::LoseAnswer);
    rig()
        .proxy
        .arm(UPLOAD, Fault::ReplaceAnswer(Canned::Gateway(502)));

    let output = post_photo(&env, &user, &photo, "With a photo");
    assert_eq!(output.code, 0, "{} / {}", output.json, output.stderr);
    assert_eq!(
        rig().proxy.count(UPLOAD),
        3,
        "uploaded again after each failure"
    );
    assert_eq!(rig().proxy.count(WRITE), 1);
    let posts = posts_on_server(&user).await;
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0]["value"]["embed"]["images"][0]["alt"], "A photo",
        "{posts:?}"
    );
}

#[tokio::test]
async fn a_write_whose_fate_cannot_be_checked_says_so() {
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let user = connected(&env, "unsure").await;
    let lookups_before = rig().proxy.count(GET_RECORD); // connecting reads the profile record
    rig()
        .proxy
        .arm(WRITE, Fault::ReplaceAnswer(Canned::Gateway(502)));
    rig()
        .proxy
        .arm_always(GET_RECORD, Fault::Answer(Canned::Gateway(503)));

    let output = post(&env, &user, "Maybe posted", &[]);
    assert_eq!(output.code, 1, "{}", output.json);
    let error = &output.json[0]["error"];
    assert_eq!(error["code"], "server_error", "{}", output.json);
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("could not check whether the post was published"),
        "{}",
        output.json
    );
    assert_eq!(rig().proxy.count(WRITE), 1, "not sent again blindly");
    assert_eq!(
        rig().proxy.count(GET_RECORD) - lookups_before,
        3,
        "the lookup was tried three times\nhayon.log:\n{}",
        app_log(&env)
    );
    // It was in fact posted (the 502 came after the commit): the message was right to warn.
    assert_eq!(posts_on_server(&user).await.len(), 1);
    assert_still_connected(&env, &user);

    // Once the server answers again, a retry finds the post instead of writing it again.
    rig().proxy.reset();
    let entries = env.run(&["outbox", "list"], "").expect_ok();
    let id = entries[0]["id"]
        .as_str()
        .expect("the post waits in the outbox");
    let retried = env.run(&["outbox", "retry", id], "").expect_ok();
    let posts = posts_on_server(&user).await;
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(retried[0]["uri"], posts[0]["uri"]);
    assert_eq!(rig().proxy.count(WRITE), 0, "found, not written again");
}

/// A server in trouble on both tries (5xx, nothing committed) leaves the post waiting rather than
/// failed for good: `schedule send-due` sends it by itself once the server is well again, once. A
/// refusal is different: it waits for the person, and send-due leaves it alone.
#[tokio::test]
async fn a_post_a_troubled_server_did_not_take_is_sent_again_by_itself_once() {
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let user = connected(&env, "trouble").await;
    for _ in 0..2 {
        rig().proxy.arm(WRITE, Fault::Answer(Canned::Gateway(503)));
    }
    let output = post(&env, &user, "Through the trouble", &[]);
    assert_eq!(output.code, 1, "{}", output.json);
    assert_eq!(
        output.json[0]["error"]["code"], "server_unavailable",
        "{}",
        output.json
    );
    assert!(posts_on_server(&user).await.is_empty());
    let sent = env.run(&["schedule", "send-due"], "").expect_ok();
    assert!(sent[0]["results"][0]["uri"].is_string(), "{sent}");
    assert_eq!(posts_on_server(&user).await.len(), 1, "posted once");
    assert_eq!(rig().proxy.count(WRITE), 3);

    rig().proxy.arm(WRITE, Fault::refusal());
    let refused = post(&env, &user, "Refused for good", &[]);
    assert_eq!(
        refused.json[0]["error"]["code"], "server_error",
        "{}",
        refused.json
    );
    assert_eq!(
        env.run(&["schedule", "send-due"], "").expect_ok(),
        serde_json::json!([]),
        "a refusal is not tried again by itself"
    );
    assert_eq!(rig().proxy.count(WRITE), 4);
    assert_eq!(posts_on_server(&user).await.len(), 1);
}
