//! The person's browser during Sign in with Bluesky, played over HTTP against the reference PDS's own
//! authorization pages, the way its page script calls them (protocol.md › OAuth): open the
//! authorization page as a navigation (it sets the device, session and CSRF cookies), sign in and
//! consent (or reject) through its private `~api`, follow the redirect it answers with, and finally
//! arrive at Hayon's loopback listener. That API is private to the reference server, so the suite
//! pins the PDS version (scripts/setup-test-peers.sh).

use reqwest::header::{self, HeaderMap, HeaderValue};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use url::Url;

const API: &str = "/@atproto/oauth-provider/~api";

/// One browser tab on one authorization page.
#[derive(Debug)]
pub struct TestBrowser {
    http: reqwest::Client,
    /// The authorization page, the referrer of every API call.
    page: Url,
    cookies: BTreeMap<String, String>,
}

impl TestBrowser {
    /// Opens the authorization page at `authorize_url`, as a person's browser navigates to it.
    pub async fn open(authorize_url: &str) -> Self {
        crate::http_client();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let page = Url::parse(authorize_url).expect("the sign-in address is a URL");
        let mut browser = Self {
            http,
            page: page.clone(),
            cookies: BTreeMap::new(),
        };
        let response = browser
            .http
            .get(page)
            .header("Sec-Fetch-Mode", "navigate")
            .header("Sec-Fetch-Dest", "document")
            .header("Sec-Fetch-Site", "none")
            .header(header::ACCEPT, "text/html")
            .send()
            .await
            .expect("the authorization page answers");
        browser.keep_cookies(response.headers());
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert!(
            status.is_success(),
            "the authorization page answered {status}: {body:.300}"
        );
        assert!(
            browser.cookies.contains_key("csrf-token"),
            "the page set no CSRF cookie: {:?}",
            browser.cookies.keys()
        );
        browser
    }

    fn keep_cookies(&mut self, headers: &HeaderMap) {
        for value in headers.get_all(header::SET_COOKIE) {
            let Ok(text) = value.to_str() else { continue };
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                self.cookies
                    .insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
    }

    /// A call to the page's API, with the headers the page's own script sends.
    async fn api(&mut self, endpoint: &str, body: Value) -> (u16, Value) {
        let origin = self.page.origin().ascii_serialization();
        let url = format!("{origin}{API}{endpoint}");
        let cookie = self
            .cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        let response = self
            .http
            .post(url)
            .header(header::ORIGIN, &origin)
            .header(header::REFERER, self.page.as_str())
            .header("Sec-Fetch-Mode", "same-origin")
            .header("Sec-Fetch-Site", "same-origin")
            .header("Sec-Fetch-Dest", "empty")
            .header(
                "x-csrf-token",
                HeaderValue::from_str(&self.cookies["csrf-token"]).expect("header"),
            )
            .header(header::COOKIE, cookie)
            .json(&body)
            .send()
            .await
            .expect("the page's API answers");
        self.keep_cookies(response.headers());
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Signs in as `username` with the account's password; the signed-in account's DID.
    pub async fn sign_in(&mut self, username: &str, password: &str) -> String {
        let (status, answer) = self
            .api(
                "/sign-in",
                json!({"locale": "en", "username": username, "password": password, "remember": true}),
            )
            .await;
        assert_eq!(status, 200, "sign-in: {answer}");
        answer["account"]["did"]
            .as_str()
            .unwrap_or_else(|| panic!("sign-in answered no account: {answer}"))
            .to_owned()
    }

    /// Approves the client for `did`; where the server sends the browser next.
    pub async fn consent(&mut self, did: &str) -> String {
        let (status, answer) = self.api("/consent", json!({"did": did})).await;
        assert_eq!(status, 200, "consent: {answer}");
        self.redirect_of(&answer).await
    }

    /// Refuses the client; where the server sends the browser next.
    pub async fn reject(&mut self) -> String {
        let (status, answer) = self.api("/reject", json!({})).await;
        assert_eq!(status, 200, "reject: {answer}");
        self.redirect_of(&answer).await
    }

    /// The address the answer's `url` redirects to: the client's callback with the outcome.
    async fn redirect_of(&mut self, answer: &Value) -> String {
        let url = answer["url"]
            .as_str()
            .unwrap_or_else(|| panic!("no redirect in {answer}"));
        let response = self
            .http
            .get(url)
            .header("Sec-Fetch-Mode", "navigate")
            .header("Sec-Fetch-Site", "same-origin")
            .header("Sec-Fetch-Dest", "document")
            .header(header::ORIGIN, self.page.origin().ascii_serialization())
            .header(header::REFERER, self.page.as_str())
            .send()
            .await
            .expect("the redirect answers");
        let status = response.status().as_u16();
        if let Some(location) = response.headers().get(header::LOCATION) {
            return location.to_str().expect("a location").to_owned();
        }
        // The server may answer with a page that posts or links onwards: its first callback URL.
        let body = response.text().await.unwrap_or_default();
        body.split('"')
            .find(|part| part.starts_with("http://127.0.0.1:") && part.contains("/callback"))
            .map(|found| found.replace("&amp;", "&"))
            .unwrap_or_else(|| panic!("no way to the callback in a {status} answer: {body:.400}"))
    }

    /// Approves as `username` in one go (sign in, then consent); the callback address.
    pub async fn approve(authorize_url: &str, username: &str, password: &str) -> String {
        let mut browser = Self::open(authorize_url).await;
        let did = browser.sign_in(username, password).await;
        browser.consent(&did).await
    }
}

/// Arrives at Hayon's listener with `callback`: its status and page, or `None` when nothing
/// listens there any more.
pub async fn arrive(callback: &str) -> Option<(u16, String)> {
    let response = crate::http_client().get(callback).send().await.ok()?;
    let status = response.status().as_u16();
    Some((status, response.text().await.unwrap_or_default()))
}
