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

BUILD_PACKAGES=(libwebkit2gtk-4.1-dev build-essential pkg-config libssl-dev libgtk-3-dev
  libsoup-3.0-dev librsvg2-dev libayatana-appindicator3-dev libxdo-dev libdbus-1-dev file nasm)
TEST_PACKAGES=(xvfb xauth webkit2gtk-driver gnome-keyring libsecret-tools dbus-x11 dbus
  imagemagick curl ca-certificates procps)
