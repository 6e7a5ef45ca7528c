//! TLS for the core's HTTP clients (XRPC and link cards). reqwest is built without a crypto provider
//! (`rustls-no-provider`), like Tauri's updater plugin in the same process, so that both use ring
//! and the executable carries one implementation; rustls then needs one installed as the process's
//! default before a client is built. Certificates are checked against the system's store
//! (rustls-platform-verifier), as the rest of the desktop does.

/// Installs ring as rustls's process-wide provider, unless one is already installed (by an earlier
/// client, or by the updater plugin, which installs the same). Cheap; call before building a client
/// (any reqwest client in the process: the test harness's too).
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race to another thread installing a provider is fine: one is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
