#!/usr/bin/env bash
# Benchmarks image preparation on hostile files and large photos: for each file of the corpus of
# tests/media_budget.rs (decompression bombs, huge GIF screens, 100-megapixel PNGs, huge progressive
# JPEGs, scan bombs, WebP bombs; 12, 48 and 100 MP photos), one `hayon-cli media prepare` process:
# its outcome, peak memory (maxrss) and CPU (user + system), from wait4, for this checkout's release
# CLI and, as the reference in the same run, the release CLI of the commit just before the memory
# budget was added (BASE_REF to choose another). Photos are run ROUNDS times (default 5),
# alternating which binary goes first; medians. Hostile files once each (the reference takes up to
# seconds and a gigabyte on some). Results go in BENCHMARKS.md › Hostile images, by hand, with this
# command.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
# nasm gives libjpeg-turbo (mozjpeg-sys) its SIMD code; without it the build works, slower.
apt_ensure nasm python3 git
heif_ensure "${HEIF_BUILD_PACKAGES[@]}" "${HEIF_TEST_PACKAGES[@]}"  # heif-enc makes the corpus's HEIC
ROUNDS="${ROUNDS:-5}"

# The reference: the parent of the commit that added the memory budget (or BASE_REF), built once
# with the release profile in a temporary worktree and kept in the cache by commit.
if [ -z "${BASE_REF:-}" ]; then
  BASE_REF="$(git log --diff-filter=A --format=%H -- src-tauri/core/src/media/budget.rs | tail -1)~1"
fi
BASE_SHA="$(git rev-parse --verify "$BASE_REF^{commit}")"
BASE_CLI="$HAYON_CACHE/hayon-cli-$BASE_SHA"
WORK="$(mktemp -d)"
cleanup() {
  git worktree remove --force "$WORK/base" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
if [ ! -x "$BASE_CLI" ]; then
  echo "==> building the reference CLI at ${BASE_SHA:0:10} (once, kept in $HAYON_CACHE)" >&2
  git worktree add --detach "$WORK/base" "$BASE_SHA" >/dev/null
  # The same target folder: dependencies built once serve both binaries.
  cargo build --locked --release -p hayon-cli --manifest-path "$WORK/base/Cargo.toml" \
    --target-dir "$PWD/target"
  mkdir -p "$HAYON_CACHE"
  cp target/release/hayon-cli "$BASE_CLI"
fi
echo "==> building this checkout's CLI" >&2
cargo build --locked --release -p hayon-cli
NEW_CLI="$PWD/target/release/hayon-cli"

CORPUS="$HAYON_CACHE/hostile-images-v1"
echo "==> the corpus (once, kept in $CORPUS)" >&2
cargo run --locked --quiet -p hayon-tests --bin hostile-corpus -- "$CORPUS" >"$WORK/expected"

python3 - "$BASE_CLI" "$NEW_CLI" "$CORPUS" "$WORK" "$ROUNDS" "$BASE_SHA" <<'PY'
import json, os, statistics, subprocess, sys, time

base_cli, new_cli, corpus, work, rounds, base_sha = sys.argv[1:]
rounds = int(rounds)
expected = dict(line.rstrip("\n").split("\t") for line in open(os.path.join(work, "expected")))
names = list(expected)

def run(cli, files, label):
    """One process: (outcomes, peak MiB, CPU s, wall s), from wait4 on the child."""
    out = os.path.join(work, "out-" + label)
    args = [cli, "--json", "media", "prepare", *[os.path.join(corpus, f) for f in files], "--out", out]
    with open(os.path.join(work, "stdout"), "w+") as stdout:
        start = time.monotonic()
        child = subprocess.Popen(args, stdout=stdout, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - start
        stdout.seek(0)
        text = stdout.read()
    try:
        entries = json.loads(text)
        entries = entries if isinstance(entries, list) else [entries]
        outcomes = [
            f"{e['width']}×{e['height']} {e['mimeType'].split('/')[1].upper()}" if "output" in e
            else "refused: " + e["error"]["message"].split(";")[0].split(",")[0][:70]
            for e in entries
        ]
    except (ValueError, KeyError, TypeError):
        code = os.waitstatus_to_exitcode(status)
        outcomes = [f"crashed (exit {code})"] * len(files)
    return outcomes, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, wall

photos = [n for n in names if n.startswith("photo-")]
print(f"reference: hayon-cli at {base_sha[:10]} (before the budget); new: this checkout. "
      f"{os.cpu_count()} cores. Photos: median of {rounds} rounds; hostile files: one run.")
print()
print("| file | bytes | outcome before → after | peak MiB before → after | CPU s before → after |")
print("|---|---|---|---|---|")
ratios = []
for name in names:
    size = os.path.getsize(os.path.join(corpus, name))
    if name in photos:
        runs = {"base": [], "new": []}
        run(base_cli, [name], "base")  # warm-up: the page cache
        run(new_cli, [name], "new")
        for r in range(rounds):
            order = ["base", "new"] if r % 2 == 0 else ["new", "base"]
            for label in order:
                runs[label].append(run(base_cli if label == "base" else new_cli, [name], label))
        med = lambda label, i: statistics.median(x[i] for x in runs[label])
        before = (runs["base"][0][0][0], med("base", 1), med("base", 2), med("base", 3))
        after = (runs["new"][0][0][0], med("new", 1), med("new", 2), med("new", 3))
        ratios.append((name, after[2] / before[2], after[3] / before[3], after[1] / before[1]))
    else:
        before = run(base_cli, [name], "base")
        after = run(new_cli, [name], "new")
        before = (before[0][0], *before[1:])
        after = (after[0][0], *after[1:])
    print(f"| {name} | {size:,} | {before[0]} → **{after[0]}** | {before[1]:.0f} → **{after[1]:.0f}** "
          f"| {before[2]:.2f} → **{after[2]:.2f}** |")

four = ["clear-100mp.png", "photo-100mp.jpg", "progressive-24mp.jpg", "screen-10000.gif"]
b = run(base_cli, four, "base")
n = run(new_cli, four, "new")
print(f"| four at once ({', '.join(four)}) | | {' / '.join(b[0])} → **{' / '.join(n[0])}** "
      f"| {b[1]:.0f} → **{n[1]:.0f}** | {b[2]:.2f} → **{n[2]:.2f}** |")
print()
print("| photo | CPU after/before | wall after/before | peak memory after/before |")
print("|---|---|---|---|")
for name, cpu, wall, rss in ratios:
    print(f"| {name} | {cpu:.2f}× | {wall:.2f}× | {rss:.2f}× |")
PY
