//! The core context: one value that owns what every feature shares — the SQLite [`Store`], the
//! attachments folder, the [`TokenStore`] (the OS keychain in the app, injected so it can be
//! replaced), the XRPC client, the live sessions, the link-card fetcher and the account pictures
//! made for the window. The window keeps one in its state; the CLI opens one per run; both build it
//! from the same [`Config`].
//!
//! Features are reached through per-domain service views — [`Core::accounts`], [`Core::posting`],
//! [`Core::mentions`], [`Core::drafts`], [`Core::settings`] — each a borrowed `&Core` with that
//! domain's methods, defined in the domain's own module. A view costs nothing to make, keeps each
//! domain's methods in its own small files (instead of one type with every method of the app), and
//! makes a call site say which domain it uses: `core.accounts().connect(…)`, `core.posting().post(…)`.

use crate::accounts::{errors, Accounts, Sessions};
use crate::attachments::Attachments;
use crate::config::Config;
use crate::draft::Drafts;
use crate::error::Result;
use crate::keychain::{OsKeychain, TokenStore};
use crate::link_card::CardFetcher;
use crate::mentions::Mentions;
use crate::publish::Posting;
use crate::settings::Settings;
use crate::store::Store;
use crate::xrpc::XrpcClient;
use std::sync::Arc;
use url::Url;

#[derive(Debug)]
pub struct Core {
    pub(crate) store: Store,
    /// The images attached in the window, staged in the data folder.
    pub(crate) attachments: Attachments,
    pub(crate) tokens: Arc<dyn TokenStore>,
    pub(crate) xrpc: XrpcClient,
    pub(crate) sessions: Sessions,
    pub(crate) cards: CardFetcher,
    /// Where `did:plc` documents are read from.
    pub(crate) plc_directory: Url,
    /// Where videos go to be processed.
    pub(crate) video_service: crate::config::VideoService,
    /// How Sign in with Bluesky goes.
    pub(crate) sign_in: crate::config::SignInSettings,
}

impl Core {
    /// Opens the store in `config.data_dir`, with the tokens in the OS keychain under
    /// `config.keychain_service`.
    pub fn open(config: &Config) -> Result<Self> {
        let tokens = Arc::new(OsKeychain::new(config.keychain_service.clone()));
        Self::with_token_store(config, tokens)
    }

    /// Opens the store in `config.data_dir`, with the tokens kept by `tokens`.
    pub fn with_token_store(config: &Config, tokens: Arc<dyn TokenStore>) -> Result<Self> {
        Ok(Self {
            store: Store::open_in(&config.data_dir)?,
            attachments: Attachments::open(&config.data_dir)?,
            tokens,
            xrpc: XrpcClient::new(config.http_timeout).map_err(|err| errors::describe(&err))?,
            sessions: Sessions::default(),
            cards: CardFetcher::new(config.card_policy.clone())?,
            plc_directory: config.plc_directory.clone(),
            video_service: config.video_service.clone(),
            sign_in: config.sign_in.clone(),
        })
    }

    /// Connected accounts and their sessions; the authenticated-request path.
    pub fn accounts(&self) -> Accounts<'_> {
        Accounts { core: self }
    }

    /// Publishing to connected accounts.
    pub fn posting(&self) -> Posting<'_> {
        Posting { core: self }
    }

    /// Mention suggestions and checks while composing.
    pub fn mentions(&self) -> Mentions<'_> {
        Mentions { core: self }
    }

    /// Changes whenever another process (the CLI, another window) has committed a change to the
    /// database since the last call ([`Store::data_version`]).
    pub fn data_version(&self) -> Result<i64> {
        self.store.data_version()
    }

    /// The composer's saved drafts, and which staged images they and the outbox still use.
    pub fn drafts(&self) -> Drafts<'_> {
        Drafts {
            store: &self.store,
            attachments: &self.attachments,
        }
    }

    /// The folder of images attached in the window (staging, previews).
    pub fn attachments(&self) -> &Attachments {
        &self.attachments
    }

    /// The user's preferences.
    pub fn settings(&self) -> Settings<'_> {
        Settings { store: &self.store }
    }

    /// The fetcher for link-card previews, under the configured [`crate::link_card::CardPolicy`].
    pub fn card_fetcher(&self) -> &CardFetcher {
        &self.cards
    }
}
