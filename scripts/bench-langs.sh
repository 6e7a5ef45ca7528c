#!/usr/bin/env bash
# Language detection, whatlang against lingua (BENCHMARKS.md › Language detection): accuracy on the
# labelled short posts of the core's unit test (src-tauri/core/src/compose/langs/samples.tsv), time
# per post and peak memory per detector, then what each crate adds to a binary built with the app's
# release profile and how long it takes to compile (the crate and, for lingua, its 18 model crates,
# built again from clean; shared small dependencies are not counted). Not part of CI or the app.
#
#   scripts/bench-langs.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bench=tests/lang-bench
target="${CARGO_TARGET_DIR:-$PWD/target}"
export CARGO_TARGET_DIR="$target"
cargo build --locked --release --manifest-path "$bench/Cargo.toml" >&2

for detector in whatlang whatlang-app whatlang-18 lingua lingua-low; do
  "$target/release/hayon-lang-bench" "$detector"
done

echo
echo "binary size (app's release profile):"
for probe in none whatlang lingua; do
  printf '  %-8s %10d bytes\n' "$probe" "$(stat -c %s "$target/release/size_$probe")"
done

echo
echo "compile time from clean (release):"
lingua_models=$(cargo tree --locked --manifest-path "$bench/Cargo.toml" --prefix none -e normal \
  | awk '/^lingua-.*-language-model/ {print "-p", $1}' | sort -u)
cargo clean --release --manifest-path "$bench/Cargo.toml" -p whatlang -p hayon-lang-bench >&2
start=$(date +%s)
cargo build --locked --release --manifest-path "$bench/Cargo.toml" --bin size_whatlang >&2
echo "  whatlang $(($(date +%s) - start)) s"
# shellcheck disable=SC2086
cargo clean --release --manifest-path "$bench/Cargo.toml" -p lingua $lingua_models -p hayon-lang-bench >&2
start=$(date +%s)
cargo build --locked --release --manifest-path "$bench/Cargo.toml" --bin size_lingua >&2
echo "  lingua   $(($(date +%s) - start)) s"
