#!/usr/bin/env bash
# Fuzzes one of the core's parsers of untrusted input for SECONDS (default 600) with cargo-fuzz
# (libFuzzer); not part of CI or scripts/test.sh. Targets are in fuzz/ (its own workspace):
#   scripts/fuzz.sh text  [SECONDS]   composer text analysis (hayon_core::compose::analyze)
#   scripts/fuzz.sh image [SECONDS]   image preparation (hayon_core::media)
# Further arguments go to libFuzzer (e.g. -seed=N, -dict=FILE).
# Installs what is missing (a nightly toolchain, cargo-fuzz, ImageMagick for the image seeds),
# generates the seeds once (fuzz/seeds/), keeps the corpus between runs (fuzz/corpus/), and runs at
# the lowest CPU priority. A panic, a failed check, an input taking over 10 s, or over 2 GiB of
# memory is a finding: saved under fuzz/artifacts/TARGET/, reproduced with
# `cargo +nightly fuzz run -s address -a TARGET FILE` in fuzz/. Exit 0 when the run found nothing.
# The summary at the end is what BENCHMARKS.md › Fuzzing records.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

target="${1:-}"
seconds="${2:-600}"
shift $(($# < 2 ? $# : 2))
# Inputs of any length up to max_len from the start (-len_control=0): by default libFuzzer grows
# the length slowly, and 600 s runs stayed under 105 bytes (text) and the largest seed (image).
case "$target" in
  # Drafts up to a few times the 3000-byte limit.
  text) max_len=8192 ;;
  # Enough for every header trick, and a deflate stream that expands to ~64 MB.
  image) max_len=65536 ;;
  *)
    echo "usage: $0 text|image [SECONDS]" >&2
    exit 2
    ;;
esac

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2

# The app's dependency versions: cargo then only adds libfuzzer-sys and drops what fuzz/ does not use.
cp Cargo.lock fuzz/Cargo.lock

seeds="fuzz/seeds/$target"
corpus="fuzz/corpus/$target"
artifacts="fuzz/artifacts/$target"
mkdir -p "$corpus" "$artifacts"
if [ ! -f "$seeds.done" ]; then
  echo "==> generating the $target seeds in $seeds" >&2
  rm -rf "$seeds"
  mkdir -p "$seeds"
  if [ "$target" = text ]; then
    n=0
    while IFS= read -r line; do
      n=$((n + 1))
      printf '%b' "$line" >"$seeds/draft-$n.txt"
    done <<'TEXTS'
Hello @alice.bsky.social, see https://example.com/a/very/long/path?query=1#fragment #tag $AAPL!
(bsky.app) and example.com/page. @bob.test #日本語 ＃全角 $tsla, #123 #1a
\n\n  indented\n\n\n\n#tag at end   \r\n\r\n\r\n
👨\u200d👩\u200d👧 e\u0301 🇫🇷 שלום @alice.com مرحبا #tag\u200dZWJ https://xn--p1ai.рф/путь
HTTPS://EXAMPLE.COM http://x.co/(a) https://a.com/b). www.example.com? #\ufe0f\u20e3 #a\u200bb
TEXTS
  else
    apt_ensure imagemagick
    # Small images in each accepted format and the variants the decoders branch on; a few longer
    # than 2000 px so resizing runs too.
    im() { convert -size "$1" -seed 7 plasma:fractal "${@:2}"; }
    im 48x32 -quality 85 "$seeds/baseline.jpg"
    im 48x32 -quality 90 -interlace Plane "$seeds/progressive.jpg"
    im 40x30 -colorspace Gray "$seeds/gray.jpg"
    im 32x32 -colorspace CMYK "$seeds/cmyk.jpg"
    im 33x17 -sampling-factor 1x1 -quality 95 "$seeds/444-odd-size.jpg"
    im 2100x40 -quality 50 "$seeds/wide.jpg"
    # The same baseline JPEG with EXIF Orientation 6 (rotate 90°), as phones write it.
    {
      head -c 2 "$seeds/baseline.jpg"
      printf '\xff\xe1\x00\x22Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0'
      tail -c +3 "$seeds/baseline.jpg"
    } >"$seeds/exif-rotated.jpg"
    im 48x32 "$seeds/rgb.png"
    im 48x32 -alpha set -channel A -fx 'i/w' "PNG32:$seeds/alpha.png"
    im 48x32 -colors 16 "PNG8:$seeds/palette.png"
    im 32x32 -colorspace Gray -depth 16 "$seeds/gray16.png"
    im 48x32 -interlace PNG "$seeds/interlaced.png"
    convert -size 2400x30 xc:'#336699' "$seeds/wide.png"
    im 48x32 -colors 32 "$seeds/still.gif"
    convert -size 24x16 -delay 10 xc:red xc:blue -loop 0 "$seeds/animated.gif"
    im 32x24 -fuzz 30% -transparent '#808080' "$seeds/transparent.gif"
    im 48x32 -quality 75 "$seeds/lossy.webp"
    im 48x32 -define webp:lossless=true "$seeds/lossless.webp"
    im 48x32 -alpha set -channel A -fx 'j/h' -quality 75 "$seeds/lossy-alpha.webp"
    convert -size 24x16 -delay 10 xc:red xc:blue -loop 0 "$seeds/animated.webp"
  fi
  touch "$seeds.done"
fi

log="$artifacts/last-run.log"
before="$(find "$artifacts" -type f ! -name last-run.log | wc -l)"
echo "==> fuzzing $target for $seconds s (log: $log)" >&2
set +e
(
  cd fuzz
  # AddressSanitizer for the C (libjpeg-turbo) and unsafe code in the codecs (it also checks the
  # memcpy and friends that C code calls), debug assertions for overflow checks. Both targets use
  # the same flags, so they share one build of the core.
  nice -n 19 cargo +nightly fuzz run --sanitizer address --debug-assertions "$target" \
    "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" -max_len="$max_len" -len_control=0 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "$@"
) 2>&1 | tee "$log"
status="${PIPESTATUS[0]}"
set -e

stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -n 1; }
after="$(find "$artifacts" -type f ! -name last-run.log | wc -l)"
last() { grep -o "$1 [^ ]*" "$log" | tail -n 1 | cut -d' ' -f2; }
echo "==> $target: $seconds s, $(stat number_of_executed_units) executions" \
  "($(stat average_exec_per_sec)/s), corpus $(last corp:) (inputs/bytes), coverage $(last cov:)," \
  "peak RSS $(stat peak_rss_mb) MB, $((after - before)) new findings in $artifacts, exit $status" >&2
exit "$status"
