//! A Post that is off is aria-disabled, reachable by Tab and visibly off in both themes; the window
//! works 480 px wide with an icon-only sidebar.

use super::*;

#[tokio::test]
async fn a_post_that_is_off_is_reachable_by_tab_says_why_and_looks_off_in_both_themes() {
    keychain::require_secret_service();
    for (theme, theme_env) in THEMES {
        // A data folder per theme: each starts with an empty draft.
        let env = CliEnv::new();
        env.connect_new_user("layoff").await;
        let (_driver, client) = start_session_with(&env, theme_env).await;
        assert_theme(&client, theme).await;
        resize(&client, 1100, 740).await;
        wait_for_composer(&client).await;

        // Empty: Post is off, but not `disabled`, and described by the reason beside it.
        wait_for(&client, "#post-submit[aria-disabled=true]:not([disabled])").await;
        let described = js(
            &client,
            "const post = document.getElementById('post-submit');
             const reason = document.getElementById(post.getAttribute('aria-describedby'));
             return reason ? reason.textContent : null",
        )
        .await;
        assert_eq!(
            described,
            json!("Write something or add an image."),
            "({theme})"
        );
        let off_colour = js(
            &client,
            "return getComputedStyle(document.getElementById('post-submit')).backgroundColor",
        )
        .await;

        // Tab from the control before them reaches Schedule…, then Post (both off, both reachable).
        let tab = char::from(Key::Tab).to_string();
        press(&client, "#reply-settings > summary", &tab).await;
        assert_focus_on(
            &client,
            "schedule-open",
            &format!("after Tab from the reply settings ({theme})"),
        )
        .await;
        press(&client, "#schedule-open", &tab).await;
        assert_focus_on(
            &client,
            "post-submit",
            &format!("after Tab from Schedule… ({theme})"),
        )
        .await;
        screenshot(&client, &format!("layout-post-off-focused-{theme}")).await;
        // Pressing it shows and says the reason, and sends nothing.
        press(&client, "#post-submit", &char::from(Key::Enter).to_string()).await;
        wait_for(&client, "#post-blocker[data-alert]").await;
        assert_becomes(
            &format!("the announcement ({theme})"),
            "Write something or add an image.".to_owned(),
            || content_of(&client, "#composer-announce"),
        )
        .await;
        assert!(
            client
                .find(Locator::Css("#post-progress:not([hidden])"))
                .await
                .is_err(),
            "posting started with nothing to post ({theme})"
        );

        // With text, Post is on: its colour differs from the off state's.
        type_into_post(&client, 1, "Hello").await;
        wait_for(&client, POST_ON).await;
        let on_colour = js(
            &client,
            "return getComputedStyle(document.getElementById('post-submit')).backgroundColor",
        )
        .await;
        let accent = js(
            &client,
            "const probe = document.createElement('span');
             probe.style.color = 'var(--accent)';
             document.body.append(probe);
             const colour = getComputedStyle(probe).color;
             probe.remove();
             return colour",
        )
        .await;
        assert_eq!(on_colour, accent, "Post on is the accent colour ({theme})");
        assert_ne!(off_colour, accent, "Post off looks like Post on ({theme})");
        client.close().await.expect("close session");
    }
}

#[tokio::test]
async fn the_window_works_480_px_wide_with_an_icon_only_sidebar() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    env.connect_new_user("laynarrow").await;
    let images_dir = tempfile::tempdir().expect("tempdir");
    let photo = harness::images::photo_jpeg(images_dir.path(), "narrow.jpg", 1200, 900);
    for (theme, theme_env) in THEMES {
        let (_driver, client) = start_session_with(&env, theme_env).await;
        assert_theme(&client, theme).await;
        resize(&client, 480, 740).await;
        wait_for_composer(&client).await;
        if theme == "light" {
            type_lines(&client, 1, &over_limit_text()).await;
            attach_image(&client, 1, &photo).await;
        }
        wait_for(&client, "#composer-counter[data-state=over]").await;

        // Icon-only: a narrow sidebar whose labels are out of sight but still name the links.
        let nav = js(
            &client,
            "const link = document.getElementById('nav-accounts');
             const label = link.querySelector('.nav-label');
             const style = getComputedStyle(label);
             return { sidebar: document.querySelector('.sidebar').getBoundingClientRect().width,
                      labelWidth: label.getBoundingClientRect().width,
                      shown: style.display !== 'none' && style.visibility !== 'hidden',
                      name: link.textContent.trim() }",
        )
        .await;
        assert!(
            num(&nav, "sidebar") <= 72.0,
            "sidebar at 480 px ({theme}): {nav}"
        );
        assert!(
            num(&nav, "labelWidth") <= 1.0,
            "label still shown ({theme}): {nav}"
        );
        assert_eq!(
            nav["shown"],
            json!(true),
            "label hidden from screen readers ({theme}): {nav}"
        );
        assert_eq!(nav["name"], json!("Connected accounts"), "({theme})");

        assert_only_main_scrolls(&client, &format!("on Compose at 480 px ({theme})")).await;
        for css in ["#post-submit", "#composer-counter", "#post-blocker"] {
            assert_in_view(&client, css, &format!("at 480 px ({theme})")).await;
        }
        screenshot(&client, &format!("layout-480-compose-{theme}")).await;

        click(&client, "#nav-accounts").await;
        wait_for(&client, "#view-accounts:not([hidden]) .account").await;
        assert_only_main_scrolls(
            &client,
            &format!("on Connected accounts at 480 px ({theme})"),
        )
        .await;
        screenshot(&client, &format!("layout-480-accounts-{theme}")).await;
        client.close().await.expect("close session");
    }
}
