//! The window opens where it was left, and moving it while its place is saved never freezes it.

use super::*;

#[tokio::test]
async fn the_window_opens_at_the_size_and_place_it_was_left() {
    let env = CliEnv::new();
    {
        let (_driver, client) = start_session(&env).await;
        wait_for(&client, ".view:not([hidden])").await;
        client
            .set_window_rect(60, 40, 900, 640)
            .await
            .expect("move and resize the window");
        // Written shortly after the window stops changing, not only at a clean exit.
        let file = env.path().join("window-state.json");
        let saved = poll_until(
            || async { std::fs::read_to_string(&file).unwrap_or_default() },
            |saved| saved.contains("\"width\": 900") && saved.contains("\"height\": 640"),
        )
        .await;
        assert!(
            saved.contains("\"width\": 900") && saved.contains("\"height\": 640"),
            "window state never saved: {saved}"
        );
        client.close().await.expect("end the session");
    }
    let (_driver, client) = start_session(&env).await;
    wait_for(&client, ".view:not([hidden])").await;
    // The display applies a window's geometry on its own time: read it until it is the saved one.
    assert_becomes(
        "the window's place and size",
        (60, 40, 900, 640),
        || async { client.get_window_rect().await.expect("window rect") },
    )
    .await;
}

/// Moving the window while Hayon writes down its place does not freeze it. Hayon saves the window's
/// state half a second after it stops changing; the moves below come at about that pace, a little
/// sooner or later each time, so some of them reach the window while a save is under way. (The save
/// once ran off the main thread holding the window-state plugin's lock while it asked the window for
/// its geometry, and a move waited for that lock on the main thread: the window hung for good.)
#[tokio::test]
async fn moving_the_window_while_its_place_is_saved_never_freezes_it() {
    let env = CliEnv::new();
    let (_driver, client) = start_session(&env).await;
    wait_for(&client, ".view:not([hidden])").await;
    let moves = 90u32;
    for step in 0..moves {
        let width = 700 + step * 4;
        tokio::time::timeout(
            Duration::from_secs(20),
            client.set_window_rect(20 + step, 20, width, 560),
        )
        .await
        .unwrap_or_else(|_| panic!("the window froze at move {step}"))
        .expect("move the window");
        // The pace of the moves, not a wait for anything: 470–530 ms apart, around the save's delay.
        let pause = 470 + u64::from(step * 7 % 61);
        tokio::time::sleep(Duration::from_millis(pause)).await;
    }
    let last = format!("\"width\": {}", 700 + (moves - 1) * 4);
    let file = env.path().join("window-state.json");
    assert_becomes("the last size saved", true, || async {
        std::fs::read_to_string(&file).is_ok_and(|saved| saved.contains(&last))
    })
    .await;
}
