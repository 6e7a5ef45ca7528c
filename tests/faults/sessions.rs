//! A refused token on one call is that call's failure, never a logout.

use super::*;

#[tokio::test]
async fn a_401_on_get_profile_is_not_a_logout() {
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let user = connected(&env, "prof").await;
    rig()
        .pds
        .put_profile(&user, "Fault Tester", "Profile from the record")
        .await;
    // As when the PDS relays a 401 from the app view: the session itself is fine.
    rig().proxy.arm_always(
        GET_PROFILE,
        Fault::Answer(Canned::xrpc_error(
            401,
            "AuthenticationRequired",
            "upstream refused the token",
            &[],
        )),
    );

    let output = env.run(&["account", "refresh", &user.handle], "");
    assert_eq!(output.code, 0, "{} / {}", output.json, output.stderr);
    assert_eq!(
        output.json["displayName"], "Fault Tester",
        "{}",
        output.json
    );
    assert_eq!(
        output.json["health"]["needsReconnection"], false,
        "{}",
        output.json
    );
    assert_eq!(output.json["health"]["status"], "active", "{}", output.json);
    assert!(rig().proxy.count(GET_PROFILE) >= 1);
    assert_still_connected(&env, &user);
}

#[tokio::test]
async fn a_401_on_upload_blob_fails_that_post_only() {
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let user = connected(&env, "up401").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let photo = images::photo_jpeg(dir.path(), "photo.jpg", 64, 48);
    rig().proxy.arm_always(
        UPLOAD,
        Fault::Answer(Canned::xrpc_error(
            401,
            "AuthenticationRequired",
            "blob upload refused",
            &[],
        )),
    );

    let output = post_photo(&env, &user, &photo, "With a photo");
    assert_eq!(output.code, 1, "{}", output.json);
    let error = &output.json[0]["error"];
    assert_eq!(error["code"], "server_error", "{}", output.json);
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("AuthenticationRequired"),
        "{}",
        output.json
    );
    assert_eq!(rig().proxy.count(WRITE), 0, "no record without its image");
    assert!(posts_on_server(&user).await.is_empty());
    assert_still_connected(&env, &user);

    // The session is alive: once uploads work again, posting works.
    rig().proxy.reset();
    let again = post(&env, &user, "Still connected", &[]);
    assert_eq!(again.code, 0, "{}", again.json);
}
