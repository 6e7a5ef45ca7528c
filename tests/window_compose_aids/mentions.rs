//! Mentions: unresolved handles marked before posting, and suggestions from the app view or from
//! connected accounts.

use super::*;

#[tokio::test]
async fn a_handle_that_does_not_resolve_is_marked_before_posting_and_a_real_one_is_not() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let user = env.connect_new_user("wmu").await;
    let friend = pds().create_user("wmf").await;
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    let text = format!("Hello @{} and @nobody.test", friend.handle);
    type_into_post(&client, 1, &text).await;
    let warning = wait_for(
        &client,
        &in_post(
            1,
            ".mention-warnings .mention-warning[data-handle='nobody.test']",
        ),
    )
    .await
    .text()
    .await
    .expect("warning text");
    assert!(
        warning.starts_with("@nobody.test will be posted as plain text"),
        "{warning:?}"
    );
    // The real account's handle is checked too and gets no warning. No wait for that: it comes before
    // @nobody.test in the text, so the check that warned about @nobody.test checked it too (or an
    // earlier one did).
    let warned: Vec<String> = client
        .execute(
            "return [...document.querySelectorAll('.mention-warning')].map((p) => p.dataset.handle);",
            vec![],
        )
        .await
        .expect("warnings")
        .as_array()
        .expect("array")
        .iter()
        .map(|h| h.as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(warned, ["nobody.test"]);
    // In the text too: that mention is drawn as plain text to be, the real one as a mention.
    let marked = text_of(&client, &in_post(1, ".editor-mirror mark.hl-unresolved")).await;
    assert_eq!(marked, "@nobody.test");
    let marks: u64 = client
        .execute(
            "return document.querySelectorAll('.editor-mirror mark.hl-mention:not(.hl-unresolved)').length;",
            vec![],
        )
        .await
        .expect("marks")
        .as_u64()
        .unwrap_or_default();
    assert_eq!(marks, 1, "the friend's mention is marked as a mention");
    screenshot(&client, "aids-mention-unresolved").await;

    // A warning, not a blocker: the post goes out, mentioning the friend only.
    wait_for(&client, POST_ON).await;
    click(&client, "#post-submit").await;
    let link = wait_for(&client, "a.post-link[href]").await;
    let href = link.attr("href").await.expect("href").expect("a link");
    let rkey = href.rsplit('/').next().expect("rkey").to_owned();
    let record = pds()
        .find_record(&user.did, "app.bsky.feed.post", &rkey)
        .await
        .expect("the post");
    let facets = record["value"]["facets"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(facets.len(), 1, "{record}");
    assert_eq!(facets[0]["features"][0]["did"], friend.did.as_str());

    // The friend's handle is remembered: with no app view, it is suggested next time.
    let prefix = &friend.handle[..4];
    type_into_post(&client, 1, &format!("Again @{prefix}")).await;
    wait_for(
        &client,
        &in_post(
            1,
            &format!(
                ".mention-list:not([hidden]) .mention-option[data-handle='{}']",
                friend.handle
            ),
        ),
    )
    .await;
    screenshot(&client, "aids-mention-remembered").await;
    client.close().await.expect("close session");
}

/// Multi-threaded: the stand-in app view answers on this runtime while the window asks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mentions_are_suggested_from_the_app_view_and_the_keyboard_picks_one() {
    keychain::require_secret_service();
    let app_view = StandInAppView::start().await;
    let own_pds = TestPds::start_with_app_view(&app_view);
    let user = own_pds.create_user("wms").await;
    let app_password = own_pds.create_app_password(&user, "hayon").await;
    let env = CliEnv::new();
    env.connect(&user.handle, &app_password, &own_pds.url)
        .expect_ok();
    // People only the (stand-in) app view knows: they are not on this PDS, nor connected here.
    let hannah = harness::unique("hannah");
    let hannibal = harness::unique("hannib");
    app_view.set_profile(
        "did:plc:standinhannah0000000000a",
        json!({"handle": format!("{hannah}.test"), "displayName": "Hannah From The App View"}),
    );
    app_view.set_profile(
        "did:plc:standinhannibal00000000a",
        json!({"handle": format!("{hannibal}.test")}),
    );
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    type_into_post(&client, 1, "Lunch with @hann").await;
    let list = in_post(1, ".mention-list:not([hidden])");
    wait_for(&client, &format!("{list} .mention-option:nth-child(2)")).await;
    let first = text_of(&client, &format!("{list} .mention-option:nth-child(1)")).await;
    assert!(first.contains("Hannah From The App View"), "{first:?}");
    assert!(first.contains(&format!("@{hannah}.test")), "{first:?}");
    // The text box keeps focus and points at the highlighted option.
    let input = in_post(1, ".editor-input");
    let list_id = attr_of(&client, &in_post(1, ".mention-list"), "id")
        .await
        .expect("id");
    assert_eq!(
        attr_of(&client, &input, "aria-controls").await,
        Some(list_id.clone())
    );
    assert_eq!(
        attr_of(&client, &input, "aria-activedescendant").await,
        Some(format!("{list_id}-0"))
    );
    assert_eq!(
        attr_of(&client, &in_post(1, ".mention-list"), "role")
            .await
            .as_deref(),
        Some("listbox")
    );
    screenshot(&client, "aids-mention-suggestions").await;
    // A re-read of the accounts (Ctrl+R here; also a focus, or a session refreshed in the background)
    // that leaves the account asked through as it was keeps the list open. It used to close it, which
    // lost the suggestions whenever the launch's refresh landed while someone was typing.
    js(
        &client,
        "document.querySelector('input.post-account').dataset.beforeReread = '1'",
    )
    .await;
    press(
        &client,
        &format!("{}r{}", char::from(Key::Control), char::from(Key::Null)),
    )
    .await;
    let rerendered = poll_until(
        || {
            js(
                &client,
                "return document.querySelector('input.post-account[data-before-reread]') === null",
            )
        },
        |replaced| replaced == &json!(true),
    )
    .await;
    assert_eq!(rerendered, json!(true), "Ctrl+R re-read the accounts");
    let options = js(
        &client,
        &format!("return document.querySelectorAll('{list} .mention-option').length"),
    )
    .await;
    assert_eq!(
        options,
        json!(2),
        "the suggestions survive a re-read of the accounts"
    );
    press(&client, &Key::Down.to_string()).await;
    assert_becomes(
        "the highlighted option after Down",
        Some(format!("{list_id}-1")),
        || attr_of(&client, &input, "aria-activedescendant"),
    )
    .await;
    assert_eq!(
        attr_of(
            &client,
            &format!("{list} .mention-option:nth-child(2)"),
            "aria-selected"
        )
        .await
        .as_deref(),
        Some("true")
    );
    press(&client, &Key::Enter.to_string()).await;
    let typed = poll_until(
        || {
            with_element(
                &client,
                &input,
                |field| async move { field.prop("value").await },
            )
        },
        |value| value.as_deref() == Some(&format!("Lunch with @{hannibal}.test ")),
    )
    .await;
    assert_eq!(typed, Some(format!("Lunch with @{hannibal}.test ")));
    wait_for(&client, &in_post(1, ".mention-list[hidden]")).await;

    // Escape closes the list and leaves the text as it is.
    press(&client, "and @hann").await;
    wait_for(&client, &format!("{list} .mention-option")).await;
    press(&client, &Key::Escape.to_string()).await;
    wait_for(&client, &in_post(1, ".mention-list[hidden]")).await;
    let typed = with_element(
        &client,
        &input,
        |field| async move { field.prop("value").await },
    )
    .await;
    assert_eq!(
        typed,
        Some(format!("Lunch with @{hannibal}.test and @hann"))
    );
    client.close().await.expect("close session");
}

#[tokio::test]
async fn without_an_app_view_connected_accounts_are_suggested() {
    keychain::require_secret_service();
    // The shared reference PDS has no app view (its app view address does not resolve).
    let env = CliEnv::new();
    env.connect_new_user("wfa").await;
    let other = env.connect_new_user("wfz").await;
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    type_into_post(&client, 1, "Cross-posting with @wfz").await;
    let list = in_post(1, ".mention-list:not([hidden])");
    wait_for(
        &client,
        &format!("{list} .mention-option[data-handle='{}']", other.handle),
    )
    .await;
    let shown = text_of(&client, &list).await;
    assert!(!shown.contains("@wfa"), "only the account typed: {shown:?}");
    screenshot(&client, "aids-mention-fallback").await;
    press(&client, &Key::Tab.to_string()).await;
    let input = in_post(1, ".editor-input");
    let typed = poll_until(
        || {
            with_element(
                &client,
                &input,
                |field| async move { field.prop("value").await },
            )
        },
        |value| value.as_deref() == Some(&format!("Cross-posting with @{} ", other.handle)),
    )
    .await;
    assert_eq!(
        typed,
        Some(format!("Cross-posting with @{} ", other.handle))
    );
    // Tab accepted the suggestion; focus stayed in the text box.
    assert!(focused_class(&client).await.contains("editor-input"));
    client.close().await.expect("close session");
}
