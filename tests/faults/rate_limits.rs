//! Rate limits: a short wait is waited out, a long one fails at once saying how long.

use super::*;

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

/// A 429 on the first applyWrites, then the post goes through, no earlier than `not_before`.
async fn rate_limited_then_posted(headers: &[(&str, &str)], not_before: SystemTime) {
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let user = connected(&env, "rl").await;
    rig().proxy.arm(
        WRITE,
        Fault::Answer(Canned::xrpc_error(
            429,
            "RateLimitExceeded",
            "Rate Limit Exceeded",
            headers,
        )),
    );
    let output = post(&env, &user, "After the pause", &[]);
    assert_eq!(output.code, 0, "{} / {}", output.json, output.stderr);
    let arrivals = rig().proxy.arrivals(WRITE);
    assert_eq!(arrivals.len(), 2, "sent again after the pause");
    // The headers have whole seconds; allow for clock rounding only.
    assert!(
        arrivals[1] + Duration::from_millis(50) >= not_before,
        "sent again before the time the server named"
    );
    assert_eq!(posts_on_server(&user).await.len(), 1);
    assert_still_connected(&env, &user);
}

#[tokio::test]
async fn a_short_rate_limit_reset_is_waited_out() {
    let reset = unix_now() + 3;
    rate_limited_then_posted(
        &[
            ("RateLimit-Limit", "30"),
            ("RateLimit-Remaining", "0"),
            ("RateLimit-Reset", &reset.to_string()),
        ],
        SystemTime::UNIX_EPOCH + Duration::from_secs(reset),
    )
    .await;
}

#[tokio::test]
async fn a_short_retry_after_date_is_waited_out() {
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3));
    let not_before = httpdate::parse_http_date(&date).expect("an HTTP date");
    rate_limited_then_posted(&[("Retry-After", &date)], not_before).await;
}

#[tokio::test]
async fn a_long_retry_after_date_fails_at_once_saying_how_long() {
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let user = connected(&env, "rllong").await;
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(600));
    rig().proxy.arm(
        WRITE,
        Fault::Answer(Canned::xrpc_error(
            429,
            "RateLimitExceeded",
            "Rate Limit Exceeded",
            &[("Retry-After", &date)],
        )),
    );
    let started = Instant::now();
    let output = post(&env, &user, "Not now", &[]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "not left hanging"
    );
    assert_eq!(output.code, 1, "{}", output.json);
    let error = &output.json[0]["error"];
    assert_eq!(error["code"], "rate_limited", "{}", output.json);
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("10 minutes"),
        "{}",
        output.json
    );
    assert_eq!(rig().proxy.count(WRITE), 1);
    assert!(posts_on_server(&user).await.is_empty());
    assert_still_connected(&env, &user);
}
