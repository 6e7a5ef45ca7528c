//! The window's shared state: the core's [`Accounts`] and the attachments folder, opened once at
//! start-up. If the database cannot be opened (disk full, a newer Hayon's database), the window still
//! opens and every command answers with that error, so the user sees why.
//!
//! `HAYON_DATA_DIR` and `HAYON_KEYCHAIN_SERVICE` override the defaults, as for the CLI (tests use them).

use hayon_core::attachments::Attachments;
use hayon_core::link_card::{CardFetcher, CardPolicy};
use hayon_core::{Accounts, Config, Error};
use std::sync::Arc;
use tauri::Manager;

#[derive(Debug)]
pub struct AppState {
    accounts: Result<Arc<Accounts>, Error>,
    attachments: Result<Attachments, Error>,
    card_fetcher: Result<CardFetcher, Error>,
}

impl AppState {
    pub fn open(app: &tauri::AppHandle) -> Self {
        let config = config(app);
        let accounts = config.clone().and_then(|config| {
            hayon_core::logging::init(&config.data_dir)?;
            Accounts::open(&config).map(Arc::new)
        });
        if let Err(err) = &accounts {
            eprintln!("Hayon could not open its data: {err}");
        }
        Self {
            accounts,
            attachments: config.and_then(|config| Attachments::open(&config.data_dir)),
            card_fetcher: CardFetcher::new(CardPolicy::from_env()),
        }
    }

    pub fn accounts(&self) -> Result<Arc<Accounts>, Error> {
        self.accounts.clone()
    }

    /// Where attached images are kept while they are part of a draft.
    pub fn attachments(&self) -> Result<&Attachments, Error> {
        self.attachments.as_ref().map_err(Clone::clone)
    }

    pub fn card_fetcher(&self) -> Result<&CardFetcher, Error> {
        self.card_fetcher.as_ref().map_err(Clone::clone)
    }
}

fn config(app: &tauri::AppHandle) -> Result<Config, Error> {
    let data_dir = match std::env::var_os("HAYON_DATA_DIR") {
        Some(dir) => dir.into(),
        None => app
            .path()
            .app_data_dir()
            .map_err(|err| Error::storage(format!("no data folder: {err}")))?,
    };
    let keychain_service =
        std::env::var("HAYON_KEYCHAIN_SERVICE").unwrap_or_else(|_| app.config().identifier.clone());
    Ok(Config {
        data_dir,
        keychain_service,
    })
}
