//! Secrets in a type that cannot leak by accident: `Debug` prints `<redacted>`, there is no `Display`
//! and no `Serialize`, and the bytes are wiped from memory when the value is dropped.
//!
//! Tokens and the app password live in [`Secret`] from the moment they are read until they are sent.

use std::fmt;
use zeroize::Zeroizing;

/// A string that must never be shown, logged, serialized or written anywhere but the OS keychain.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(Zeroizing::new(value))
    }

    /// The secret itself, for the one place that must send or store it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

/// Tokens arrive in JSON answers; they can be read into a `Secret` but never written back out as JSON.
impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_is_redacted() {
        let secret = Secret::new("abcd-efgh-ijkl-mnop".to_owned());
        assert_eq!(format!("{secret:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&secret)), "Some(<redacted>)");
        assert_eq!(secret.expose(), "abcd-efgh-ijkl-mnop");
    }
}
