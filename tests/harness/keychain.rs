//! What the real Secret Service holds, read with `secret-tool` (libsecret-tools), independently of the
//! code under test. keyring stores each entry with the attributes `service` and `username` (= DID).

use std::process::Command;

fn secret_tool(args: &[&str]) -> std::process::Output {
    Command::new("secret-tool")
        .args(args)
        .output()
        .unwrap_or_else(|err| {
            panic!("secret-tool is needed (apt-get install libsecret-tools; scripts/test.sh installs it): {err}")
        })
}

/// Fails loudly unless a Secret Service is reachable and unlocked in this D-Bus session.
pub fn require_secret_service() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "no D-Bus session: run the suite through scripts/test.sh (dbus-run-session + gnome-keyring)"
    );
    let probe = crate::unique("hayon-probe-");
    let mut store = Command::new("secret-tool")
        .args([
            "store",
            "--label",
            "hayon probe",
            "service",
            &probe,
            "username",
            "probe",
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("secret-tool (libsecret-tools) is needed");
    {
        use std::io::Write;
        let mut stdin = store.stdin.take().expect("stdin");
        stdin.write_all(b"probe").expect("write probe");
    }
    assert!(
        store.wait().expect("secret-tool store").success(),
        "the Secret Service refused a write: is gnome-keyring running and unlocked?"
    );
    secret_tool(&["clear", "service", &probe, "username", "probe"]);
}

/// The stored secret of `did` under `service`, if any.
pub fn lookup(service: &str, did: &str) -> Option<String> {
    let output = secret_tool(&["lookup", "service", service, "username", did]);
    (output.status.success() && !output.stdout.is_empty())
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The (access, refresh) tokens stored for `did`.
pub fn tokens(service: &str, did: &str) -> Option<(String, String)> {
    let json: serde_json::Value = serde_json::from_str(&lookup(service, did)?).ok()?;
    Some((
        json["accessJwt"].as_str()?.to_owned(),
        json["refreshJwt"].as_str()?.to_owned(),
    ))
}

/// How many entries exist under `service`.
pub fn entry_count(service: &str) -> usize {
    let output = secret_tool(&["search", "--all", "service", service]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    text.lines().filter(|line| line.starts_with('[')).count()
}
