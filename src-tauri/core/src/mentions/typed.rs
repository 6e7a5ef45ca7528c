//! A handle as the web view sends it (what follows an `@` in the post), checked before it goes
//! anywhere: the characters a mention can hold (`[a-zA-Z0-9.-]`, as the official client detects
//! mentions) and at most the length of a handle.

use crate::error::{Error, Result};

/// The longest handle (a domain name).
pub const MAX_HANDLE_LEN: usize = 253;

/// `typed` without its leading `@`, in lower case (handles are case-insensitive); refused when it
/// is empty, too long, or holds a character no handle has.
pub fn typed_handle(typed: &str) -> Result<String> {
    let handle = typed.strip_prefix('@').unwrap_or(typed);
    if handle.is_empty() || handle.len() > MAX_HANDLE_LEN {
        return Err(Error::validation(format!(
            "A handle has 1 to {MAX_HANDLE_LEN} characters."
        )));
    }
    if !handle
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    {
        return Err(Error::validation(
            "A handle has only letters, digits, dots and hyphens.",
        ));
    }
    Ok(handle.to_ascii_lowercase())
}
