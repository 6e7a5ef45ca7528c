//! The window's shared state: the core context ([`Core`]), opened once at start-up from [`Config::from_env`], the same configuration the CLI reads (so `HAYON_DATA_DIR` and
//! `HAYON_KEYCHAIN_SERVICE` work the same for both; tests use them). If the database cannot be opened
//! (disk full, a newer Hayon's database), the window still opens and every command answers with that
//! error, so the user sees why. With it, the sends under way that the page may cancel
//! ([`InFlight`]).

use crate::in_flight::InFlight;
use hayon_core::{Config, Core, Error};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

#[derive(Debug)]
pub struct AppState {
    core: Result<Arc<Core>, Error>,
    in_flight: InFlight,
    /// The Sign in with Bluesky under way in the window, if any: one at a time.
    pub sign_in: Mutex<Option<WaitingSignIn>>,
}

/// A sign-in under way: its page once known (to open again) and how to stop it.
#[derive(Debug, Clone)]
pub struct WaitingSignIn {
    pub authorize_url: Option<String>,
    pub cancel: Arc<Notify>,
}

impl AppState {
    /// Opens the core with `config` (read once at start-up by `main`).
    pub fn open(config: Result<Config, Error>) -> Self {
        let core = config.and_then(|config| {
            hayon_core::logging::init(&config.data_dir)?;
            Core::open(&config).map(Arc::new)
        });
        if let Err(err) = &core {
            eprintln!("Hayon could not open its data: {err}");
        }
        Self {
            core,
            in_flight: InFlight::default(),
            sign_in: Mutex::new(None),
        }
    }

    /// The sign-in under way (a poisoned lock still holds a whole value: each write is one store).
    pub fn waiting_sign_in(&self) -> std::sync::MutexGuard<'_, Option<WaitingSignIn>> {
        self.sign_in
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    pub fn core(&self) -> Result<Arc<Core>, Error> {
        self.core.clone()
    }

    pub fn in_flight(&self) -> &InFlight {
        &self.in_flight
    }
}
