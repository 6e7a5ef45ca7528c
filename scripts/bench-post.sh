#!/usr/bin/env bash
# Benchmarks publishing end to end on the local reference PDS: `hayon-cli post` (whole process,
# preparing the 12 MP originals itself) against a script using Bluesky's official SDK (@atproto/api,
# whole process, images already prepared), for (a) one post with four photos and (b) a four-post
# thread with a photo each. Results go in BENCHMARKS.md › Posting, by hand, with this command.
# ROUNDS (default 7) sets the number of measured rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
apt_ensure "${TEST_PACKAGES[@]}" imagemagick python3 nasm
heif_ensure "${HEIF_BUILD_PACKAGES[@]}"
bash scripts/setup-test-peers.sh
# shellcheck disable=SC1091
source "$HAYON_CACHE/test-peers.env"
export HAYON_PDS_MODULES
cargo build --locked --release -p hayon-cli
PHOTOS="$(scripts/bench-photos.sh)"
mapfile -t FILES < <(ls "$PHOTOS"/*.jpg)
exec dbus-run-session -- bash scripts/with-keyring.sh \
  "$HAYON_NODE" scripts/bench-post.mjs "$PWD/target/release/hayon-cli" "${ROUNDS:-7}" "${FILES[@]}"
