#!/usr/bin/env bash
# Shared helpers for the project's set-up scripts: apt installs that run with sudo when not root,
# and a cache folder outside the checkout so a second run reuses what the first installed.
set -euo pipefail

HAYON_CACHE="${HAYON_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hayon-dev}"
mkdir -p "$HAYON_CACHE"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the Debian/Ubuntu packages named, skipping the apt round trip when all are present.
apt_ensure() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
    echo "error: missing system packages: ${missing[*]}. Installing them needs root and sudo is not" \
      "installed: run 'apt-get install ${missing[*]}' as root, then this script again." >&2
    return 1
  fi
  echo "==> installing system packages: ${missing[*]}" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# HEIC/HEIF and AVIF photos are decoded by libheif, through the libheif-rs crate, which needs libheif
# 1.17 or later: its headers to build, the library and its decoder plugins (HEVC: libde265; AV1:
# dav1d) to run; the tests make their photos with heif-enc and the encoder plugins (x265, aom).
# Debian 12 ships libheif 1.15, so there the packages come from bookworm-backports (1.19), which a
# sources file of our own enables; Ubuntu 24.04 (1.17.6) and Debian 13 have it in main. The
# plugins are named because apt_ensure leaves Recommends out. Nothing is fetched when all are in.
HEIF_BUILD_PACKAGES=(libheif-dev libheif1 libheif-plugin-libde265 libheif-plugin-dav1d)
HEIF_TEST_PACKAGES=(libheif-examples libheif-plugin-x265 libheif-plugin-aomenc)
HEIF_MIN_VERSION=1.17
BACKPORTS_SOURCES=/etc/apt/sources.list.d/hayon-bookworm-backports.sources
heif_ensure() {
  local pkg status ok=1
  for pkg in "$@"; do
    status="$(dpkg-query -W -f='${Status} ${Version}' "$pkg" 2>/dev/null || true)"
    if [[ "$status" != "install ok installed "* ]] ||
      ! dpkg --compare-versions "${status##* }" ge "$HEIF_MIN_VERSION"; then
      ok=0
    fi
  done
  [ "$ok" -eq 1 ] && return 0
  # shellcheck disable=SC1091
  if [ "$(. /etc/os-release && echo "${ID:-}:${VERSION_CODENAME:-}")" != "debian:bookworm" ]; then
    apt_ensure "$@"
    status="$(dpkg-query -W -f='${Version}' libheif1 2>/dev/null || true)"
    if ! dpkg --compare-versions "${status:-0}" ge "$HEIF_MIN_VERSION"; then
      echo "error: Hayon needs libheif $HEIF_MIN_VERSION or later; this system's is ${status:-none}." \
        "Use Debian 12 (with bookworm-backports), Debian 13 or Ubuntu 24.04 or later." >&2
      return 1
    fi
    return 0
  fi
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
    echo "error: libheif $HEIF_MIN_VERSION+ is missing. Installing it from bookworm-backports needs" \
      "root and sudo is not installed: as root, enable bookworm-backports and run" \
      "'apt-get install -t bookworm-backports $*', then this script again." >&2
    return 1
  fi
  if ! grep -rqs --include='*.list' --include='*.sources' '^[^#]*bookworm-backports' \
    /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "==> enabling bookworm-backports ($BACKPORTS_SOURCES) for libheif $HEIF_MIN_VERSION+" >&2
    printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm-backports' \
      'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' |
      as_root tee "$BACKPORTS_SOURCES" >/dev/null
  fi
  echo "==> installing from bookworm-backports: $*" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -t bookworm-backports "$@"
}

# Node 22 from the npm registry (`npm install node@22`: its preinstall fetches node-linux-<arch>, which
# ships bin/node and the C headers, include/node, that native modules compile against), cached in
# "$HAYON_CACHE/node22". The machine's own Node may be older. Sets HAYON_NODE (the binary) and
# NODE_HOME (its folder). Used by setup-test-peers.sh (the reference PDS) and package.sh (Tauri's CLI).
ensure_node22() {
  local cache="$HAYON_CACHE/node22" stage
  find_node22() {
    local bin
    bin="$(find "$cache/node_modules" -path '*/node-linux-*/bin/node' -type f 2>/dev/null | head -n1)"
    [ -n "$bin" ] && [ -x "$bin" ] && [[ "$("$bin" --version 2>/dev/null)" == v22.* ]] && echo "$bin"
  }
  HAYON_NODE="$(find_node22 || true)"
  if [ -z "$HAYON_NODE" ]; then
    echo "==> installing node@22 into $cache" >&2
    stage="$(mktemp -d "$HAYON_CACHE/node22.tmp.XXXXXX")" && chmod 755 "$stage"
    if ! npm install --prefix "$stage" --no-audit --no-fund --loglevel=error node@22 >&2; then
      rm -rf "$stage"
      echo "error: could not install node@22 from the npm registry" >&2
      exit 1
    fi
    rm -rf "$cache"
    mv "$stage" "$cache"
    HAYON_NODE="$(find_node22 || true)"
    if [ -z "$HAYON_NODE" ]; then
      echo "error: node@22 installed but no node-linux-*/bin/node v22 under $cache" \
        "(did npm skip the package's preinstall script?)" >&2
      exit 1
    fi
  fi
  NODE_HOME="$(dirname "$(dirname "$HAYON_NODE")")"
}

# The release build: the app with its assets embedded, and the CLI. test.sh (the window tests) and
# package.sh (the packages) run this same command, so the fat-LTO link happens once.
release_build() {
  cargo build --locked --release -p hayon -p hayon-cli --features hayon/custom-protocol
}

BUILD_PACKAGES=(libwebkit2gtk-4.1-dev build-essential pkg-config libssl-dev libgtk-3-dev
  libsoup-3.0-dev librsvg2-dev libayatana-appindicator3-dev libxdo-dev libdbus-1-dev file nasm)
# ffmpeg makes the test videos (tests/harness/videos.rs). gstreamer1.0-libav decodes H.264 and AAC
# for WebKit's player, so the composer's preview shows an MP4's or MOV's first frame (window_video
# checks it); it is only a Recommends of libwebkit2gtk-4.1-0, which apt_ensure leaves out.
TEST_PACKAGES=(xvfb xauth webkit2gtk-driver gnome-keyring libsecret-tools dbus-x11 dbus
  imagemagick curl ca-certificates procps ffmpeg gstreamer1.0-libav)
# The checks of the Linux packages (scripts/test-package.sh): linters for the .deb and the .rpm, the
# validators of the menu entry and the AppStream metadata, util-linux's unshare for the
# throwaway root the .deb is installed into, python3 to read JSON answers.
PACKAGE_TEST_PACKAGES=(lintian rpm rpmlint desktop-file-utils appstream util-linux python3)
