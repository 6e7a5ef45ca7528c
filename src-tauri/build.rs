//! Declares the app's own commands so tauri-build generates a permission for each; the capability in
//! tauri.conf.json then grants the window exactly these and nothing else.

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(&[
        "list_accounts",
        "connect_account",
        "refresh_account",
        "disconnect_account",
    ]);
    if let Err(err) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
    {
        eprintln!("tauri-build failed: {err:#}");
        std::process::exit(1);
    }
}
