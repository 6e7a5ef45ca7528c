//! What the window's engine writes in the data folder is the person's alone. WebKit keeps its storage
//! and caches there (`hsts-storage.sqlite`, `WebKitCache/`, `storage/`, …) and creates them with its
//! process's umask: 0644 files and 0755 folders under a usual one. Its processes are started with the
//! window and inherit the umask then in force, so Hayon starts with umask 077 ([`start_private`]) and
//! gives the person's own back once the page has loaded ([`PrivateStart::end`]): the network process,
//! which writes those files, creates them 0600 / 0700, while what Hayon starts later (the person's
//! browser, through the opener) is not affected. A WebKit process started after that (one restarted
//! after a crash) has the person's umask; the default data folder itself is 0700 whatever is in it
//! (`hayon_core::paths`), and Hayon's own files are made private explicitly.

use std::sync::Mutex;

/// The person's umask while Hayon's own (077) is in force; given back once.
#[derive(Debug)]
pub struct PrivateStart(Mutex<Option<rustix::fs::Mode>>);

/// Sets umask 077 for the processes the window starts.
pub fn start_private() -> PrivateStart {
    let persons = rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    PrivateStart(Mutex::new(Some(persons)))
}

impl PrivateStart {
    /// Gives the person's umask back (the first call; later ones do nothing).
    pub fn end(&self) {
        let persons = self.0.lock().ok().and_then(|mut mask| mask.take());
        if let Some(mask) = persons {
            rustix::process::umask(mask);
        }
    }
}
