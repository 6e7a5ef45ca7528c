//! Declares the app's own commands so tauri-build generates a permission for each; the capability in
//! tauri.conf.json then grants the window exactly these and nothing else.

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(&[
        "list_accounts",
        "account_avatar",
        "connect_account",
        "refresh_account",
        "disconnect_account",
        "limits",
        "analyze_text",
        "fetch_link_card",
        "stage_image",
        "preview_image",
        "begin_video",
        "append_video",
        "finish_video",
        "discard_video",
        "video_info",
        "stage_caption",
        "list_drafts",
        "load_draft",
        "save_draft",
        "discard_draft",
        "restore_draft",
        "delete_draft",
        "get_settings",
        "set_settings",
        "default_langs",
        "suggest_langs",
        "detectable_langs",
        "post",
        "retry_post",
        "cancel_posting",
        "pending_posts",
        "discard_post",
        "outbox_entries",
        "preview_quote",
        "schedule_post",
        "queue_post",
        "scheduled_posts",
        "posted_history",
        "schedule_zone",
        "send_scheduled_now",
        "reschedule_post",
        "edit_queued_post",
        "cancel_scheduled",
        "suggest_mentions",
        "check_mentions",
        "about",
        "update_status",
        "install_update",
        "quit",
        "close_window",
        "start_at_login",
        "set_start_at_login",
    ]);
    if let Err(err) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
    {
        eprintln!("tauri-build failed: {err:#}");
        std::process::exit(1);
    }
}
