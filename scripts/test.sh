#!/usr/bin/env bash
# Runs the whole test suite, as CI does: installs what is missing (system packages, Node 22 and the
# reference PDS, tauri-driver; all cached under ~/.cache/hayon-dev), checks formatting and lints, builds
# the CLI and the release app, then runs every test inside a private D-Bus session with an unlocked
# gnome-keyring (the real Secret Service) and an Xvfb display (the real window).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

apt_ensure "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
bash scripts/setup-test-peers.sh
# shellcheck disable=SC1091
source "$HAYON_CACHE/test-peers.env"
export HAYON_NODE HAYON_PDS_MODULES HAYON_TAURI_DRIVER HAYON_AXE

echo "==> format and lints" >&2
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "==> building the CLI and the release app" >&2
cargo build --locked -p hayon-cli
cargo build --locked --release --features custom-protocol -p hayon
export HAYON_APP_BINARY="$PWD/target/release/hayon"

echo "==> tests (real PDS, Secret Service, SQLite, window under Xvfb)" >&2
exec dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" bash scripts/with-keyring.sh \
  cargo test --workspace --exclude blank-window --locked "$@"
