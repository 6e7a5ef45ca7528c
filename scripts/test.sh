#!/usr/bin/env bash
# Runs the whole test suite, as CI does: installs what is missing (system packages, Node 22 and the
# reference PDS, tauri-driver; all cached under ~/.cache/hayon-dev), checks formatting and lints, builds
# the CLI and the release app, then runs every test inside a private D-Bus session with an unlocked
# gnome-keyring (the real Secret Service) and an Xvfb display (the real window). Last, it builds the
# .deb and .rpm from that same release build (scripts/package.sh) and checks them
# (scripts/test-package.sh: validators, lintian, rpmlint, the install test in a throwaway root).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

apt_ensure "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" "${PACKAGE_TEST_PACKAGES[@]}"
heif_ensure "${HEIF_BUILD_PACKAGES[@]}" "${HEIF_TEST_PACKAGES[@]}"
bash scripts/setup-test-peers.sh
# shellcheck disable=SC1091
source "$HAYON_CACHE/test-peers.env"
export HAYON_NODE HAYON_PDS_MODULES HAYON_TAURI_DRIVER HAYON_AXE HAYON_TSC

echo "==> format and lints" >&2
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "==> building the CLI and the release app" >&2
cargo build --locked -p hayon-cli
release_build
export HAYON_APP_BINARY="$PWD/target/release/hayon"

echo "==> tests (real PDS, Secret Service, SQLite, window under Xvfb)" >&2
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" bash scripts/with-keyring.sh \
  cargo test --workspace --exclude blank-window --locked "$@"

# A run narrowed by arguments (`./scripts/test.sh --test accounts_cli`) is about those tests only.
if [ "$#" -gt 0 ]; then
  echo "==> the Linux packages were not built or checked: arguments narrowed this run" >&2
  exit 0
fi
echo "==> the Linux packages" >&2
./scripts/package.sh
./scripts/test-package.sh
