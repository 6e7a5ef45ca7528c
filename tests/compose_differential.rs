//! Differential test: Hayon's composer analysis (`hayon_core::compose::analyze`, in process) against
//! the official client library (`@atproto/api` on Node, `tests/pds/rich-text-oracle.mjs`) on a few
//! thousand generated texts (`tests/pds/rich-text-texts.mjs`, seeded) plus one text per TLD.
//!
//! Compared for every text: the facets as typed, the grapheme count as typed, and what the
//! official app would post (text, facets, graphemes, bytes). Two differences are tolerated, each
//! only where it is proven to be the cause, and counted:
//! - TLD list drift: we use the current IANA list (crate `tld`), the library its bundled npm `tlds`;
//! - URL parsing for link shortening: where Node's WHATWG `URL` (Ada) and the `url` crate disagree
//!   on a link's visible text (mostly IDNA: Unicode versions, e.g. U+180E in a host), one shortens
//!   the link text and the other leaves it as typed. The facets as typed must still agree.
//!
//! Two bugs of the library's text editing, which Hayon does not copy, are fixed inside the oracle
//! (see `fixes` there); the test reports how many texts they would have changed.
//!
//! Needs `HAYON_NODE` and `HAYON_PDS_MODULES` (scripts/setup-test-peers.sh); fails without them.

use hayon_core::compose::{analyze, grapheme_len};
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

const TEXTS: &str = "4000";
const SEED: &str = "20261101";
/// TLDs on which the two lists disagree: in the npm `tlds` list @atproto/api 0.21.0 bundles but no
/// longer in the IANA root zone (first four), or newly delegated (last two). Keep in step with the
/// `tld` crate: the test fails if one of these stops differing.
const KNOWN_TLD_DRIFT: &[&str] = &[
    "goo",
    "helsinki",
    "juniper",
    "wolterskluwer",
    "merck",
    "web",
];
/// How many differing texts to print.
const SHOWN: usize = 8;

fn required_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: this test runs the official client library on Node. Run \
             scripts/setup-test-peers.sh and `source ~/.cache/hayon-dev/test-peers.env` \
             (exporting HAYON_NODE and HAYON_PDS_MODULES), or use scripts/test.sh"
        )
    })
}

/// Runs a Node script of tests/pds with `input` on stdin; returns its stdout.
fn node(script: &str, args: &[&str], input: &[u8]) -> String {
    let path = format!("{}/pds/{script}", env!("CARGO_MANIFEST_DIR"));
    let mut child = Command::new(required_env("HAYON_NODE"))
        .arg(&path)
        .args(args)
        .env("HAYON_PDS_MODULES", required_env("HAYON_PDS_MODULES"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|err| panic!("could not start Node for {script}: {err}"));
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().expect("wait for Node");
    writer
        .join()
        .expect("stdin writer")
        .unwrap_or_else(|err| panic!("could not feed {script}: {err}"));
    assert!(
        output.status.success(),
        "{script} failed ({}); see its stderr above",
        output.status
    );
    String::from_utf8(output.stdout).expect("UTF-8 from Node")
}

/// The library's facets in our form: no facet-level `$type` (upstream sets it on mentions only),
/// and a mention's handle under `handle` (upstream parks it in `did` until resolution).
fn normalize(facets: &Value) -> Value {
    let mut facets = facets.clone();
    for facet in facets.as_array_mut().into_iter().flatten() {
        if let Some(facet) = facet.as_object_mut() {
            facet.remove("$type");
        }
        for feature in facet["features"].as_array_mut().into_iter().flatten() {
            if feature["$type"] == "app.bsky.richtext.facet#mention" {
                if let Some(feature) = feature.as_object_mut() {
                    let handle = feature.remove("did").unwrap_or_default();
                    feature.insert("handle".to_owned(), handle);
                }
            }
        }
    }
    facets
}

/// A link text of this result that Node's `URL` and the `url` crate parse differently (host, or
/// success), described for the report.
fn url_parser_disagreement(official: &Value) -> Option<String> {
    let links = official["linkHosts"].as_array()?;
    links.iter().find_map(|link| {
        let typed = link["typed"].as_str()?;
        let ours = url::Url::parse(typed).ok().map(|url| {
            let host = url.host_str().unwrap_or_default();
            match url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            }
        });
        let node = link["host"].as_str().map(str::to_owned);
        (ours != node).then(|| format!("{typed:?}: node {node:?}, url crate {ours:?}"))
    })
}

/// The TLD a sweep text is about.
fn swept_tld(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("see example.")?;
    rest.split_once(' ').map(|(tld, _)| tld)
}

#[test]
fn analysis_agrees_with_the_official_library() {
    let mut jsonl = node(
        "rich-text-texts.mjs",
        &["--count", TEXTS, "--seed", SEED, "--tld-sweep"],
        b"",
    );
    for tld in KNOWN_TLD_DRIFT {
        let line = serde_json::json!({ "text": format!("see example.{tld} and @me.{tld}") });
        jsonl.push_str(&format!("{line}\n"));
    }
    let texts: Vec<String> = jsonl
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line).expect("generator JSON");
            value["text"].as_str().expect("text").to_owned()
        })
        .collect();
    assert!(texts.len() >= 4000, "only {} texts generated", texts.len());

    let oracle = node("rich-text-oracle.mjs", &["--details"], jsonl.as_bytes());
    let expected: Vec<Value> = oracle
        .lines()
        .map(|line| serde_json::from_str(line).expect("oracle JSON"))
        .collect();
    assert_eq!(
        expected.len(),
        texts.len(),
        "the oracle answered a different number of lines"
    );

    let mut failures = Vec::new();
    let mut drifted = Vec::new();
    let mut upstream_bugs = 0;
    let mut url_disagreements = Vec::new();
    for (text, official) in texts.iter().zip(&expected) {
        if official["upstreamBug"] == true {
            upstream_bugs += 1;
        }
        let ours = analyze(text);
        let ours_facets = serde_json::to_value(&ours.facets).expect("serializable");
        let ours_published = serde_json::to_value(&ours.published_facets).expect("serializable");
        let typed_agree = ours_facets == normalize(&official["facets"])
            && official["graphemes"] == grapheme_len(text);
        let text_agrees = official["publishedText"] == ours.published_text.as_str()
            && official["publishedGraphemes"] == ours.graphemes
            && official["publishedBytes"] == ours.bytes;
        let facets_agree = ours_published == normalize(&official["publishedFacets"]);
        if typed_agree && text_agrees && facets_agree {
            continue;
        }
        if let Some(tld) = swept_tld(text).filter(|tld| KNOWN_TLD_DRIFT.contains(tld)) {
            drifted.push(tld.to_owned());
            continue;
        }
        if let Some(link) = typed_agree
            .then(|| url_parser_disagreement(official))
            .flatten()
        {
            url_disagreements.push(link);
            continue;
        }
        failures.push(format!(
            "text {text:?}\n  official: {official}\n  hayon:    {}",
            serde_json::json!({
                "facets": ours_facets,
                "graphemes": grapheme_len(text),
                "publishedText": ours.published_text,
                "publishedFacets": ours_published,
                "publishedGraphemes": ours.graphemes,
                "publishedBytes": ours.bytes,
            })
        ));
    }
    eprintln!(
        "compose differential: {} texts; {} unexplained differences, {} from TLD list drift, {} \
         from URL parsing {:?}; the unfixed library would have posted different text or facets \
         for {}",
        texts.len(),
        failures.len(),
        drifted.len(),
        url_disagreements.len(),
        &url_disagreements[..url_disagreements.len().min(3)],
        upstream_bugs
    );
    assert!(
        failures.is_empty(),
        "{} of {} texts differ from @atproto/api; the first {}:\n{}",
        failures.len(),
        texts.len(),
        failures.len().min(SHOWN),
        failures[..failures.len().min(SHOWN)].join("\n")
    );
    let mut missing: Vec<&str> = KNOWN_TLD_DRIFT
        .iter()
        .copied()
        .filter(|tld| !drifted.iter().any(|seen| seen == tld))
        .collect();
    missing.sort_unstable();
    assert!(
        missing.is_empty(),
        "these TLDs no longer differ between the `tld` crate and the npm `tlds` list: {missing:?}; \
         remove them from KNOWN_TLD_DRIFT"
    );
}
