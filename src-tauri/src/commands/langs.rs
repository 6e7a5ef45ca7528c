//! Post languages: the ones a new post starts with (the last chosen by hand, else the system's),
//! suggestions from the text as it is typed, and the ones the picker offers. The hand choice is
//! saved with the other settings (`set_settings`), which checks the tags.

use crate::state::AppState;
use hayon_core::compose::langs;
use hayon_core::Error;
use tauri::State;

#[tauri::command]
pub async fn default_langs(state: State<'_, AppState>) -> Result<Vec<String>, Error> {
    Ok(state.core()?.settings().load()?.langs_for_new_post())
}

/// BCP-47 tags of the languages the text is confidently in (at most 3; none for short text).
#[tauri::command]
pub async fn suggest_langs(text: String) -> Vec<String> {
    langs::suggest(&text)
}

#[tauri::command]
pub async fn detectable_langs() -> Vec<&'static str> {
    langs::detectable()
}
