#!/usr/bin/env bash
# Builds Hayon (release, assets embedded) and launches it. Installs the system packages Tauri needs on
# Debian/Ubuntu first, if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

apt_ensure "${BUILD_PACKAGES[@]}"
heif_ensure "${HEIF_BUILD_PACKAGES[@]}"
cargo build --locked --release --features custom-protocol -p hayon
exec target/release/hayon "$@"
