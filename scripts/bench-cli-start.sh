#!/usr/bin/env bash
# Benchmarks how fast `hayon-cli` starts (scripts/bench-cli-start.py): `--version` and a
# `compose analyze` of a short text, whole process, against /bin/true in the same run. Results go in
# BENCHMARKS.md › CLI start by hand, with this command. ROUNDS=N changes the number of rounds (200).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
apt_ensure time python3
cargo build --locked --release -p hayon-cli >&2
exec python3 scripts/bench-cli-start.py "$PWD/target/release/hayon-cli" "${ROUNDS:-200}"
