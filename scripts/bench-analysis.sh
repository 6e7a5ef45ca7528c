#!/usr/bin/env bash
# Composer analysis time per post: `hayon-cli compose analyze --jsonl` against the official library
# (@atproto/api on Node, tests/pds/rich-text-oracle.mjs) on the same generated texts. Each side is a
# whole process run over the file (start-up included), timed by wall clock, RUNS times after one
# warm-up; the best and the median run are reported. Results go in BENCHMARKS.md by hand.
#
#   scripts/bench-analysis.sh            (COUNT=3000 texts, RUNS=5 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

COUNT="${COUNT:-3000}"
RUNS="${RUNS:-5}"
SEED=20261101

bash scripts/setup-test-peers.sh
# shellcheck disable=SC1091
source "$HAYON_CACHE/test-peers.env"
export HAYON_NODE HAYON_PDS_MODULES
cargo build --locked --release -p hayon-cli >&2

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
texts="$work/texts.jsonl"
"$HAYON_NODE" tests/pds/rich-text-texts.mjs --count "$COUNT" --seed "$SEED" >"$texts"

now_ns() { date +%s%N; }

# Runs "$@" < texts RUNS times (after a warm-up); prints "best median" in nanoseconds.
measure() {
  local lines
  lines="$("$@" <"$texts" | wc -l)"
  [ "$lines" -eq "$COUNT" ] || { echo "error: $1 answered $lines lines for $COUNT texts" >&2; exit 1; }
  local times=() start
  for _ in $(seq "$RUNS"); do
    start="$(now_ns)"
    "$@" <"$texts" >/dev/null
    times+=("$(( $(now_ns) - start ))")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ t[NR] = $1 } END { print t[1], t[int((NR + 1) / 2)] }'
}

read -r hayon_best hayon_median < <(measure target/release/hayon-cli compose analyze --jsonl)
read -r node_best node_median < <(measure "$HAYON_NODE" tests/pds/rich-text-oracle.mjs)

awk -v n="$COUNT" -v runs="$RUNS" -v hb="$hayon_best" -v hm="$hayon_median" \
  -v nb="$node_best" -v nm="$node_median" 'BEGIN {
  printf "%d texts, %d runs each, wall time per run including process start\n", n, runs
  printf "%-34s %12s %12s %14s\n", "", "best (ms)", "median (ms)", "per text (us)"
  printf "%-34s %12.1f %12.1f %14.2f\n", "hayon-cli compose analyze --jsonl", hb / 1e6, hm / 1e6, hm / n / 1e3
  printf "%-34s %12.1f %12.1f %14.2f\n", "@atproto/api (Node)", nb / 1e6, nm / 1e6, nm / n / 1e3
  printf "ratio (Node / hayon-cli, medians): %.1fx  (target: at least 15x)\n", nm / hm
}'
