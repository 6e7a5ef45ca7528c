//! The person's preferences ([`Preferences`]: what the window's Settings page changes), kept in
//! SQLite with everything else and read and written through [`Settings`], the core's service
//! (`core.settings()`) beside `accounts()`, `drafts()` and `posting()`.

use crate::error::{Result, StorageError};
use crate::store::Store;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

/// The person's choices that change what the app allows and does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct Preferences {
    /// When on, the composer will not post an image without alt text.
    pub require_alt_text: bool,
    /// The post languages last chosen by hand in the composer (BCP-47, at most 3): new posts start
    /// with them. Empty until the person first chooses: then the system language.
    pub preferred_langs: Vec<String>,
    /// Whether the window asks the update manifest for a newer version (at start-up, then daily).
    /// On unless turned off: a signed update is how security fixes reach people.
    pub check_for_updates: bool,
    /// A scheduled post found this many minutes or more past its time (Hayon was not running, the
    /// computer slept) is held for the person to send, reschedule or cancel, rather than going out
    /// unexpectedly late.
    pub hold_late_after_minutes: u32,
    /// The times of the week "Add to queue" puts posts at.
    pub queue_slots: Vec<crate::publish::slots::Slot>,
    /// While on, nothing goes out by itself: scheduled posts and posts waiting for a connection stay
    /// queued ("Pause sending" in the tray). Send now still sends.
    pub sending_paused: bool,
    /// Whether closing the window leaves Hayon in the system tray while posts are scheduled, so they
    /// go out on time. On unless turned off.
    pub keep_running_in_tray: bool,
    /// Whether the person was told, at the first such close, that Hayon stayed in the tray.
    pub told_about_tray: bool,
}

/// The longest a late post may go by itself: a week.
const MAX_HOLD_MINUTES: u32 = 7 * 24 * 60;

impl Default for Preferences {
    fn default() -> Self {
        Self {
            require_alt_text: false,
            preferred_langs: Vec::new(),
            check_for_updates: true,
            hold_late_after_minutes: 60,
            queue_slots: crate::publish::slots::default_slots(),
            sending_paused: false,
            keep_running_in_tray: true,
            told_about_tray: false,
        }
    }
}

impl Preferences {
    /// The languages a new post starts with.
    pub fn langs_for_new_post(&self) -> Vec<String> {
        if self.preferred_langs.is_empty() {
            default_langs()
        } else {
            self.preferred_langs.clone()
        }
    }
}

const KEY: &str = "preferences";

/// Reads and saves the stored [`Preferences`] ([`crate::Core::settings`]).
#[derive(Debug, Clone, Copy)]
pub struct Settings<'a> {
    pub(crate) store: &'a Store,
}

impl Settings<'_> {
    pub fn load(&self) -> Result<Preferences> {
        let value: Option<String> = self
            .store
            .conn()
            .query_row("SELECT value FROM settings WHERE key = ?1", [KEY], |row| {
                row.get(0)
            })
            .optional()?;
        Ok(value
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default())
    }

    /// Pauses sending by itself, or resumes it (the tray's menu, `hayon-cli schedule pause`).
    pub fn set_sending_paused(&self, paused: bool) -> Result<()> {
        let mut preferences = self.load()?;
        preferences.sending_paused = paused;
        self.save(&preferences)
    }

    /// Saves the settings; languages that are not language tags, or more than three, a slot that is
    /// not a time of day, and a hold outside 1 minute to a week, are refused.
    pub fn save(&self, settings: &Preferences) -> Result<()> {
        crate::compose::langs::check_tags(&settings.preferred_langs)?;
        crate::publish::slots::check(&settings.queue_slots)?;
        if !(1..=MAX_HOLD_MINUTES).contains(&settings.hold_late_after_minutes) {
            return Err(crate::Error::validation(format!(
                "Hold late posts after 1 minute to {} days.",
                MAX_HOLD_MINUTES / (24 * 60)
            )));
        }
        let value = serde_json::to_string(settings).map_err(StorageError::encoding("setting"))?;
        self.store.conn().execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [KEY, value.as_str()],
        )?;
        Ok(())
    }
}

/// The post languages to start with: the system locale's language (`de_AT.UTF-8` → `de`).
pub fn default_langs() -> Vec<String> {
    let language = sys_locale::get_locale()
        .and_then(|locale| {
            let primary = locale
                .split(['-', '_', '.', '@'])
                .next()?
                .to_ascii_lowercase();
            let valid =
                (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase());
            valid.then_some(primary)
        })
        .filter(|language| language != "c" && language != "posix");
    vec![language.unwrap_or_else(|| "en".to_owned())]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_default_off() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in(dir.path()).expect("open");
        let settings = Settings { store: &store };
        let loaded = settings.load().expect("load");
        assert!(!loaded.require_alt_text);
        assert!(loaded.check_for_updates, "update checks are on by default");
        settings
            .save(&Preferences {
                require_alt_text: true,
                ..Preferences::default()
            })
            .expect("save");
        assert!(settings.load().expect("load").require_alt_text);
    }

    #[test]
    fn hand_chosen_languages_are_remembered_for_new_posts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in(dir.path()).expect("open");
        let settings = Settings { store: &store };
        assert_eq!(
            settings.load().expect("load").langs_for_new_post(),
            default_langs()
        );
        let chosen = Preferences {
            preferred_langs: vec!["pt-BR".into(), "en".into()],
            ..Preferences::default()
        };
        settings.save(&chosen).expect("save");
        assert_eq!(settings.load().expect("load"), chosen);
        assert_eq!(chosen.langs_for_new_post(), ["pt-BR", "en"]);
        // Settings saved before the field existed still load.
        store
            .conn()
            .execute(
                "UPDATE settings SET value = '{\"requireAltText\":true}' WHERE key = ?1",
                [KEY],
            )
            .expect("old row");
        let old = settings.load().expect("load");
        assert_eq!(old.preferred_langs, Vec::<String>::new());
        assert!(old.check_for_updates);
        // Turning update checks off is remembered.
        let off = Preferences {
            check_for_updates: false,
            ..old
        };
        settings.save(&off).expect("save");
        assert_eq!(settings.load().expect("load"), off);
        // The web view cannot store anything else as languages.
        let bad = Preferences {
            preferred_langs: vec!["<script>".into()],
            ..Preferences::default()
        };
        assert_eq!(
            settings.save(&bad).expect_err("refused").code.as_str(),
            "validation"
        );
    }

    #[test]
    fn default_langs_is_one_language_code() {
        let langs = default_langs();
        assert_eq!(langs.len(), 1);
        assert!((2..=3).contains(&langs[0].len()), "{langs:?}");
    }
}
