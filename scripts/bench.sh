#!/usr/bin/env bash
# Benchmarks the release app against a blank Tauri 2 window (see scripts/bench-window.py); results go in
# BENCHMARKS.md by hand, with this command.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
apt_ensure "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" python3
heif_ensure "${HEIF_BUILD_PACKAGES[@]}"
cargo build --locked --release -p hayon -p blank-window \
  --features hayon/custom-protocol,blank-window/custom-protocol
exec dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" bash scripts/with-keyring.sh \
  python3 scripts/bench-window.py target/release/hayon target/release/blank-window
