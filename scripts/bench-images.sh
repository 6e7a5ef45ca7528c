#!/usr/bin/env bash
# Benchmarks image preparation: `hayon-cli media prepare` (the whole process: decode, orient, fit
# within 4000 px, search the JPEG quality under 2,000,000 bytes, write — a post's image limits since
# issue 20) against libvips' `vipsthumbnail` (fit 4000×4000, Q85, strip: vips has no byte target, so
# an output over 2,000,000 bytes is marked), on the same four 12-megapixel phone-like photos, in
# the same run, alternating which goes first. Results go in BENCHMARKS.md › Image preparation, by
# hand, with this command. ROUNDS (default 7) sets the number of measured rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
# nasm gives libjpeg-turbo (mozjpeg-sys) its SIMD code; without it the build works, slower.
apt_ensure libvips-tools imagemagick time nasm python3
heif_ensure "${HEIF_BUILD_PACKAGES[@]}"
cargo build --locked --release -p hayon-cli
HAYON_CLI="$PWD/target/release/hayon-cli"
ROUNDS="${ROUNDS:-7}"

PHOTOS="$(scripts/bench-photos.sh)"
mapfile -t FILES < <(ls "$PHOTOS"/*.jpg)

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/hayon" "$WORK/vips"

# One measured run: wall time in ms (date) and peak resident memory in KB (GNU time).
measure() { # label command…
  local label="$1" start end
  shift
  start=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$WORK/rss" "$@" >/dev/null
  end=$(date +%s%N)
  echo "$label $(((end - start) / 1000000)) $(cat "$WORK/rss")" >>"$WORK/runs"
}
run_hayon() { measure "$1" "$HAYON_CLI" --json media prepare "${FILES[@]}" --out "$WORK/hayon"; }
run_vips() { measure "$1" vipsthumbnail --size 4000x4000 -o "$WORK/vips/%s.jpg[Q=85,strip]" "${FILES[@]}"; }

echo "==> warm-up (page cache), then $ROUNDS alternating rounds" >&2
run_hayon warmup
run_vips warmup
for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then
    run_hayon hayon
    run_vips vips
  else
    run_vips vips
    run_hayon hayon
  fi
done

python3 - "$WORK" "${FILES[@]}" <<'PY'
import os, statistics, subprocess, sys
work, files = sys.argv[1], sys.argv[2:]
runs = {"hayon": [], "vips": []}
for line in open(os.path.join(work, "runs")):
    label, ms, kb = line.split()
    if label in runs:
        runs[label].append((int(ms), int(kb)))
wall = {k: statistics.median(ms for ms, _ in v) for k, v in runs.items()}
rss = {k: statistics.median(kb for _, kb in v) for k, v in runs.items()}
size = lambda folder, name: os.path.getsize(os.path.join(work, folder, name))
vips = subprocess.run(["vips", "--version"], capture_output=True, text=True).stdout.strip()
print(f"{len(files)} photos, {len(runs['hayon'])} rounds each, {os.cpu_count()} cores; {vips}")
print()
print("| input | input bytes | hayon-cli output | vipsthumbnail output |")
print("|---|---|---|---|")
totals = [0, 0, 0]
for path in files:
    stem = os.path.splitext(os.path.basename(path))[0]
    sizes = [os.path.getsize(path), size("hayon", stem + ".jpg"), size("vips", stem + ".jpg")]
    totals = [t + s for t, s in zip(totals, sizes)]
    mark = " ⚠ over 2,000,000" if sizes[2] > 2_000_000 else ""
    print(f"| {os.path.basename(path)} | {sizes[0]:,} | {sizes[1]:,} | {sizes[2]:,}{mark} |")
print(f"| total | {totals[0]:,} | {totals[1]:,} | {totals[2]:,} |")
print()
print("| | wall time (median) | peak memory (median) |")
print("|---|---|---|")
for label, name in [("hayon", "hayon-cli media prepare"), ("vips", "vipsthumbnail")]:
    print(f"| {name} | {wall[label] / 1000:.3f} s | {rss[label] / 1024:.1f} MiB |")
print(f"| ratio (target ≤ 0.8 / ≤ 1.5) | {wall['hayon'] / wall['vips']:.2f}× "
      f"| {rss['hayon'] / rss['vips']:.2f}× |")
print()
print("all runs (label ms KB):", {k: v for k, v in runs.items()})
PY
