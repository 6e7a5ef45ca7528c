#!/usr/bin/env bash
# Makes (once, cached) the four 12-megapixel phone-like photos the benchmarks use and prints their
# folder. Used by bench-images.sh and bench-post.sh; needs ImageMagick and python3 (the callers
# install them).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

# Four 12-megapixel photos as phones save them (4000×3000 Samsung, 4032×3024 iPhone, 4080×3072
# Pixel): JPEG Q92, 4:2:0, EXIF first (make, model, date, GPS), one stored landscape with
# Orientation 6 (a portrait shot). Content from smooth (sky) to dense (foliage): plasma fractals,
# film grain and blurred-noise texture, so JPEG sizes are real.
PHOTOS="$HAYON_CACHE/bench-images-v2"
if [ ! -f "$PHOTOS/done" ]; then
  echo "==> generating the photos (once, cached in $PHOTOS)" >&2
  mkdir -p "$PHOTOS"
  photo() { # name size seed texture-blur texture-levels grain
    local texture=()
    if [ "$4" != none ]; then
      texture=(\( -size "$2" xc: -seed "$(($3 + 100))" +noise Random -blur "0x$4" -colorspace gray
        -auto-level -level "$5" \) -compose softlight -composite)
    fi
    convert -size "$2" -seed "$3" plasma:fractal -blur 0x1 "${texture[@]}" \
      -attenuate "$6" +noise Gaussian -sampling-factor 2x2 -quality 92 "$PHOTOS/raw-$1.jpg"
  }
  photo 1-sky 4032x3024 1 none - 0.25 &
  photo 2-portrait 4000x3000 14 4 30%,70% 0.1 &
  wait
  photo 3-street 4080x3072 11 2.5 35%,65% 0.15 &
  photo 4-foliage 4000x3000 12 1.2 30%,70% 0.2 &
  wait
  python3 - "$PHOTOS" <<'PY'
import pathlib, struct, sys

def ifd(entries, start):
    """A little-endian TIFF IFD at offset `start`, values over 4 bytes in a data area after it."""
    data_at = start + 2 + 12 * len(entries) + 4
    head, data = struct.pack("<H", len(entries)), b""
    for tag, kind, count, value in sorted(entries):
        if len(value) <= 4:
            head += struct.pack("<HHI", tag, kind, count) + value.ljust(4, b"\0")
        else:
            head += struct.pack("<HHII", tag, kind, count, data_at + len(data))
            data += value + b"\0" * (len(value) % 2)
    return head + struct.pack("<I", 0) + data

def exif(orientation):
    ascii = lambda text: (2, len(text) + 1, text.encode() + b"\0")
    rational = lambda *pairs: (5, len(pairs), b"".join(struct.pack("<II", *p) for p in pairs))
    ifd0 = lambda gps_at: [
        (0x010F, *ascii("Google")), (0x0110, *ascii("Pixel 8")),
        (0x0112, 3, 1, struct.pack("<H", orientation)),
        (0x0132, *ascii("2026:05:01 12:34:56")), (0x8825, 4, 1, struct.pack("<I", gps_at)),
    ]
    gps_at = 8 + len(ifd(ifd0(0), 8))
    gps = [
        (0x0001, *ascii("N")), (0x0002, *rational((48, 1), (51, 1), (2400, 100))),
        (0x0003, *ascii("E")), (0x0004, *rational((2, 1), (21, 1), (300, 100))),
    ]
    tiff = b"II*\0" + struct.pack("<I", 8) + ifd(ifd0(gps_at), 8) + ifd(gps, gps_at)
    return b"Exif\0\0" + tiff

folder = pathlib.Path(sys.argv[1])
for raw in sorted(folder.glob("raw-*.jpg")):
    name = raw.name[len("raw-"):]
    app1 = exif(6 if "portrait" in name else 1)
    jpeg = raw.read_bytes()
    segment = b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1
    (folder / name).write_bytes(jpeg[:2] + segment + jpeg[2:])
    raw.unlink()
PY
  touch "$PHOTOS/done"
fi
echo "$PHOTOS"
