#!/usr/bin/env bash
# Composer analysis time per post: `hayon-cli compose analyze --jsonl` against the official library
# (@atproto/api on Node, tests/pds/rich-text-oracle.mjs) on the same generated texts. Each side is a
# whole process run over the file (start-up included), timed by wall clock, RUNS times after one
# warm-up; the best and the median run are reported. Results go in BENCHMARKS.md by hand.
#
# Two sets of texts: the differential test's (8 % of them over a limit once published), and the
# same generator with OVER (default 0.18) of its texts grown past a limit, so that about a quarter
# are over in all (the count is printed). Over a limit Hayon also finds where the text stops fitting
# (overflowFrom); the library has no such mark, so that work is Hayon's alone.
#
#   scripts/bench-analysis.sh            (COUNT=3000 texts, RUNS=5, OVER=0.18 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

COUNT="${COUNT:-3000}"
RUNS="${RUNS:-5}"
OVER="${OVER:-0.18}"
SEED=20261101

bash scripts/setup-test-peers.sh
# shellcheck disable=SC1091
source "$HAYON_CACHE/test-peers.env"
export HAYON_NODE HAYON_PDS_MODULES
cargo build --locked --release -p hayon-cli >&2

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
texts="$work/texts.jsonl"

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

# Generates the texts (extra generator arguments in "$@"), times both sides, prints a table.
bench() {
  local title="$1"
  shift
  "$HAYON_NODE" tests/pds/rich-text-texts.mjs --count "$COUNT" --seed "$SEED" "$@" >"$texts"
  local over_limit bytes
  over_limit="$(target/release/hayon-cli compose analyze --jsonl <"$texts" | grep -c '"overLimit":true' || true)"
  bytes="$(wc -c <"$texts")"
  read -r hayon_best hayon_median < <(measure target/release/hayon-cli compose analyze --jsonl)
  read -r node_best node_median < <(measure "$HAYON_NODE" tests/pds/rich-text-oracle.mjs)
  awk -v title="$title" -v n="$COUNT" -v runs="$RUNS" -v over="$over_limit" -v bytes="$bytes" \
    -v hb="$hayon_best" -v hm="$hayon_median" -v nb="$node_best" -v nm="$node_median" 'BEGIN {
    printf "\n%s: %d texts (%d over a limit once published, %.0f bytes of JSONL each on average),\n", title, n, over, bytes / n
    printf "%d runs each, wall time per run including process start\n", runs
    printf "%-34s %12s %12s %14s\n", "", "best (ms)", "median (ms)", "per text (us)"
    printf "%-34s %12.1f %12.1f %14.2f\n", "hayon-cli compose analyze --jsonl", hb / 1e6, hm / 1e6, hm / n / 1e3
    printf "%-34s %12.1f %12.1f %14.2f\n", "@atproto/api (Node)", nb / 1e6, nm / 1e6, nm / n / 1e3
    printf "ratio (Node / hayon-cli, medians): %.1fx  (target: at least 15x)\n", nm / hm
  }'
}

bench "The differential test's texts"
bench "With $OVER of them grown past a limit" --over "$OVER"
