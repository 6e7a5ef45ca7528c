#!/usr/bin/env bash
# The install test of the .deb, run by scripts/test-package.sh as root inside a throwaway root (never
# run it on a system you care about): installs the package with apt, checks what it put where,
# launches the installed app under Xvfb through tauri-driver (WebDriver) until its page has loaded,
# runs hayon-cli from /usr/bin, removes the package and checks that none of its files is left.
# Usage: package-install-check.sh DEB VERSION RESULTS_DIR
set -euo pipefail
DEB="$1" VERSION="$2" RESULTS="$3"
HERE="$(cd "$(dirname "$0")" && pwd)"
say() { echo "==> [throwaway root] $*" >&2; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# ---------------------------------------------------------------- install
say "apt-get install $(basename "$DEB")"
# Recommends (a colour emoji font, a Secret Service, the H.264 decoder) are left out: installing them would download.
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$DEB" >&2
[ "$(dpkg-query -W -f='${Status} ${Version}' hayon)" = "install ok installed $VERSION" ] ||
  fail "hayon $VERSION is not installed after apt-get install"
dpkg-query -L hayon | sort >"$RESULTS/files.txt"
installed_bytes="$(while read -r path; do
  if [ -f "$path" ] && [ ! -L "$path" ]; then stat -c %s "$path"; fi
done <"$RESULTS/files.txt" | awk '{ total += $1 } END { print total }')"

for path in /usr/bin/hayon /usr/bin/hayon-cli /usr/share/applications/Hayon.desktop \
  /usr/share/metainfo/social.hayon.desktop.metainfo.xml \
  /usr/share/man/man1/hayon.1.gz /usr/share/man/man1/hayon-cli.1.gz \
  /usr/share/man/man1/hayon-cli-compose-analyze.1.gz \
  /usr/share/bash-completion/completions/hayon-cli /usr/share/zsh/vendor-completions/_hayon-cli \
  /usr/share/fish/vendor_completions.d/hayon-cli.fish \
  /usr/share/doc/hayon/copyright /usr/share/doc/hayon/changelog.gz; do
  grep -qxF "$path" "$RESULTS/files.txt" && [ -f "$path" ] || fail "$path is not installed"
done
for size in 16 22 24 32 48 64 128 256 512; do
  icon="/usr/share/icons/hicolor/${size}x${size}/apps/hayon.png"
  [ -f "$icon" ] || fail "$icon is not installed"
  # The PNG's own width and height (bytes 16-23 of its IHDR) are the folder's size.
  [ "$(od -An -tu1 -j16 -N8 "$icon" | tr -s ' ' | sed 's/^ //')" = \
    "0 0 $((size >> 8)) $((size & 255)) 0 0 $((size >> 8)) $((size & 255))" ] ||
    fail "$icon is not ${size}x${size}"
done
for page in /usr/share/man/man1/hayon*.1.gz; do
  gzip -t "$page" || fail "$page is not a valid gzip file"
  grep -q '^\.TH ' <<<"$(zcat "$page")" || fail "$page is not a manual page"
done
bash -c 'source /usr/share/bash-completion/completions/hayon-cli && complete -p hayon-cli' \
  >/dev/null || fail "the bash completion does not register for hayon-cli"

# ---------------------------------------------------------------- hayon-cli from /usr/bin
say "hayon-cli from /usr/bin"
[ "$(command -v hayon-cli)" = /usr/bin/hayon-cli ] || fail "hayon-cli is not found in /usr/bin"
[ "$(hayon-cli --version)" = "hayon-cli $VERSION" ] ||
  fail "hayon-cli --version says '$(hayon-cli --version)'"
printf 'Hello @alice.test, see https://example.com/a/long/path/for/the/card #hayon\n' |
  hayon-cli --json compose analyze >"$RESULTS/compose-analyze.json" ||
  fail "hayon-cli compose analyze failed"
python3 - "$RESULTS/compose-analyze.json" <<'EOF' || fail "compose analyze answered wrongly"
import json, sys
result = json.load(open(sys.argv[1]))
kinds = sorted(f["features"][0]["$type"].rsplit("#", 1)[1] for f in result["facets"])
assert kinds == ["link", "mention", "tag"], kinds
assert result["maxGraphemes"] == 300 and not result["overLimit"], result
assert result["linkCard"], result
EOF

# ---------------------------------------------------------------- the installed app
say "launching /usr/bin/hayon under Xvfb until its page has loaded"
export HAYON_DATA_DIR
HAYON_DATA_DIR="$(mktemp -d)"
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
  bash "$HERE/with-keyring.sh" bash "$HERE/package-window-check.sh" /usr/bin/hayon "$RESULTS" ||
  fail "the installed app did not load its page"

# ---------------------------------------------------------------- removal
say "apt-get remove hayon"
DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq hayon >&2
status="$(dpkg-query -W -f='${Status}' hayon 2>/dev/null || true)"
case "$status" in
  "" | "unknown ok not-installed" | "deinstall ok not-installed") ;;
  *) fail "after removal dpkg still says: $status" ;;
esac
left=()
while read -r path; do
  # "/." is the archive's root entry, which every package built by dpkg-deb lists.
  [ "$path" != /. ] || continue
  if [ -d "$path" ] && [ ! -L "$path" ]; then
    # A folder may stay only if another package owns it too (/usr/bin, /usr/share/man/man1, …).
    dpkg-query -S "$path" >/dev/null 2>&1 || left+=("$path/")
  elif [ -e "$path" ] || [ -L "$path" ]; then
    left+=("$path")
  fi
done <"$RESULTS/files.txt"
[ "${#left[@]}" -eq 0 ] || fail "left behind after removal: ${left[*]}"

{
  echo "installed $(grep -c . "$RESULTS/files.txt") paths," \
    "$installed_bytes bytes of files (Installed-Size $(dpkg-deb -f "$DEB" Installed-Size) KiB);" \
    "app page loaded; hayon-cli --version and compose analyze ran from /usr/bin;" \
    "removal left none of them"
} >"$RESULTS/summary.txt"
