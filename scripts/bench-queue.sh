#!/usr/bin/env bash
# The queue benchmark (issue 19 › Measure; tests/bin/bench_queue.rs): the release window with 1,000
# scheduled posts against the same window with an empty queue, in one run — PSS after launch, CPU
# over 60 s idle, the delay from a post's due time to its record's createdAt, and the Queue view's
# open time (in a WebDriver session, through tauri-driver). Against the reference PDS and
# gnome-keyring, under Xvfb in a private D-Bus session. Results go in BENCHMARKS.md by hand, with
# this command. BENCH_ROUNDS=N repeats the pair (default 1; ~3.5 min each).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
apt_ensure "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
heif_ensure "${HEIF_BUILD_PACKAGES[@]}"
./scripts/setup-test-peers.sh
release_build
# The driver itself is not measured: a debug build (its dependencies are the test suite's).
cargo build --locked -p hayon-tests --bin bench-queue
set -a
# shellcheck source=/dev/null
. "$HOME/.cache/hayon-dev/test-peers.env"
set +a
# The app the WebDriver session of the open-time measure starts (tests/harness/window.rs).
export HAYON_APP_BINARY="$PWD/target/release/hayon"
exec dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" bash scripts/with-keyring.sh \
  target/debug/bench-queue "$HAYON_APP_BINARY" target/release/hayon-cli
