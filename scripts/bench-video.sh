#!/usr/bin/env bash
# The video benchmark (issue 20 › Measure; tests/bin/bench_video.rs): a 100 MB video posted with the
# release `hayon-cli` through the stand-in video service to the reference PDS, against a text-only
# post by the same CLI and account in the same run — wall time from spawn to the record written, the
# stand-in's own processing time, Hayon's overhead (the difference), the upload rate and peak memory.
# In a private D-Bus session with gnome-keyring; loopback only. Results go in BENCHMARKS.md by hand,
# with this command and the load printed around the run. ROUNDS=N rounds (default 5; ~10 s
# each, plus making the video once, cached in $TMPDIR/hayon-test-videos).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
apt_ensure "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
heif_ensure "${HEIF_BUILD_PACKAGES[@]}"
./scripts/setup-test-peers.sh
# Only the CLI is measured.
cargo build --locked --release -p hayon-cli
# The driver itself is not measured: a debug build (its dependencies are the test suite's).
cargo build --locked -p hayon-tests --bin bench-video
set -a
# shellcheck source=/dev/null
. "$HOME/.cache/hayon-dev/test-peers.env"
set +a
echo "machine: $(nproc) cores; before: $(uptime)"
dbus-run-session -- bash scripts/with-keyring.sh target/debug/bench-video target/release/hayon-cli
echo "after: $(uptime)"
