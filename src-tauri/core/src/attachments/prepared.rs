//! Which staged copies are prepared images, to be posted as they are.

use std::ffi::OsStr;

/// `<tid>.jpg` or `<tid>.png`: the names only [`Attachments::stage`] gives (older versions named
/// copies `<tid>-<original name>`).
pub(super) fn is_prepared_name(name: &OsStr) -> bool {
    let Some((stem, extension)) = name.to_str().and_then(|name| name.split_once('.')) else {
        return false;
    };
    matches!(extension, "jpg" | "png") && crate::tid::is_tid(stem)
}
