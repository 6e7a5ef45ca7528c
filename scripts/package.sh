#!/usr/bin/env bash
# Builds the Linux packages of Hayon, target/package/hayon_<version>_amd64.deb and
# target/package/hayon-<version>-1.x86_64.rpm, with Tauri's bundler. Nothing is downloaded but from
# the package registries: system packages from apt, crates from crates.io, and Tauri's prebuilt CLI
# (@tauri-apps/cli, pinned in packaging/tauri-cli/package-lock.json) from npm, run by the Node 22 the
# tests use; both cached under ~/.cache/hayon-dev.
#
# Besides what the bundler makes from tauri.conf.json (the app in /usr/bin, the menu entry from
# packaging/linux/hayon.desktop, the hicolor icons from icons/), each package gets a staged tree
# (target/package/deb-root, rpm-root; tauri.conf.json maps "/" to them):
#   - hayon-cli in /usr/bin: the CLI's own executable (src-tauri/cli), which links no WebKit or GTK
#     so that scripts and timers start it in milliseconds; its man pages and bash/zsh/fish
#     completions, generated from the CLI's own clap definition by src-tauri/cli/assets (never
#     shipped); the window's page, hayon.1;
#   - the AppStream metadata (packaging/linux/social.hayon.desktop.metainfo.xml);
#   - Debian: /usr/share/doc/hayon/{copyright,changelog.gz} and lintian's overrides (each one
#     explained in packaging/debian/lintian-overrides); RPM: /usr/share/licenses/hayon/LICENSE.
#
# The .deb is then rebuilt by dpkg-deb with xz (the bundler only writes gzip), checked to hold
# exactly what the bundler put in it.
#
# The release build is the one scripts/test.sh makes (lib.sh's release_build), so after the tests it
# is not linked again. AppImage and Flatpak are not built here: both fetch tools at build time (see
# README › Packages).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
say() { echo "==> $*" >&2; }

apt_ensure "${BUILD_PACKAGES[@]}"
heif_ensure "${HEIF_BUILD_PACKAGES[@]}"

# ---------------------------------------------------------------- Tauri's CLI (the bundler)
ensure_node22
CLI_SRC="packaging/tauri-cli"
CLI_CACHE="$HAYON_CACHE/tauri-cli-$(sha256sum "$CLI_SRC/package-lock.json" | cut -c1-16)"
TAURI_JS="$CLI_CACHE/node_modules/@tauri-apps/cli/tauri.js"
if [ ! -f "$CLI_CACHE/.complete" ]; then
  say "installing Tauri's CLI into $CLI_CACHE"
  stage="$(mktemp -d "$CLI_CACHE.tmp.XXXXXX")"
  trap 'rm -rf "$stage"' EXIT
  cp "$CLI_SRC/package.json" "$CLI_SRC/package-lock.json" "$stage/"
  (cd "$stage" && PATH="$NODE_HOME/bin:$PATH" npm ci --no-audit --no-fund --loglevel=error >&2)
  touch "$stage/.complete"
  rm -rf "$CLI_CACHE"
  mv "$stage" "$CLI_CACHE"
  trap - EXIT
fi
tauri() { "$HAYON_NODE" "$TAURI_JS" "$@"; }

# ---------------------------------------------------------------- versions agree
VERSION="$("$HAYON_NODE" -p 'require("./tauri.conf.json").version')"
CHANGELOG_VERSION="$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)"
if [ "$VERSION" != "$CHANGELOG_VERSION" ]; then
  echo "error: tauri.conf.json says version $VERSION but packaging/debian/changelog's newest entry" \
    "is $CHANGELOG_VERSION: add an entry for $VERSION (and a <release> in the metainfo)." >&2
  exit 1
fi
if ! grep -q "<release version=\"$VERSION\"" packaging/linux/social.hayon.desktop.metainfo.xml; then
  echo "error: packaging/linux/social.hayon.desktop.metainfo.xml has no <release> for $VERSION" >&2
  exit 1
fi
if ! grep -q "hayon_${VERSION}_amd64.deb" packaging/flatpak/social.hayon.desktop.yml; then
  echo "error: packaging/flatpak/social.hayon.desktop.yml does not name hayon_${VERSION}_amd64.deb" >&2
  exit 1
fi

# ---------------------------------------------------------------- build
say "release build (app + CLI)"
release_build
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | "$HAYON_NODE" -p 'JSON.parse(require("fs").readFileSync(0)).target_directory')"
say "man pages and completions of hayon-cli"
OUT="target/package"
rm -rf "$OUT"
mkdir -p "$OUT"
cargo run --locked --quiet -p hayon-cli-assets -- "$OUT/assets"

# ---------------------------------------------------------------- the staged trees
umask 022
stage_common() { # ROOT ZSH_DIR
  local root="$1" zsh_dir="$2" page
  install -D -m 755 "$TARGET_DIR/release/hayon-cli" "$root/usr/bin/hayon-cli"
  install -d -m 755 "$root/usr/share/man/man1"
  for page in "$OUT"/assets/man/*.1 packaging/linux/hayon.1; do
    # -n: no name or time stamp inside, so the same page gives the same bytes.
    gzip -9n -c "$page" >"$root/usr/share/man/man1/$(basename "$page").gz"
    chmod 644 "$root/usr/share/man/man1/$(basename "$page").gz"
  done
  install -D -m 644 "$OUT/assets/completions/hayon-cli.bash" \
    "$root/usr/share/bash-completion/completions/hayon-cli"
  install -D -m 644 "$OUT/assets/completions/_hayon-cli" "$root$zsh_dir/_hayon-cli"
  install -D -m 644 "$OUT/assets/completions/hayon-cli.fish" \
    "$root/usr/share/fish/vendor_completions.d/hayon-cli.fish"
  install -D -m 644 packaging/linux/social.hayon.desktop.metainfo.xml \
    "$root/usr/share/metainfo/social.hayon.desktop.metainfo.xml"
  # The user timer that runs `hayon-cli schedule send-due` every minute, off until the person
  # enables it (systemctl --user enable --now hayon-send-due.timer).
  install -D -m 644 packaging/linux/hayon-send-due.service \
    "$root/usr/lib/systemd/user/hayon-send-due.service"
  install -D -m 644 packaging/linux/hayon-send-due.timer \
    "$root/usr/lib/systemd/user/hayon-send-due.timer"
}
# Debian keeps zsh completions of packages in vendor-completions, Fedora in site-functions.
stage_common "$OUT/deb-root" /usr/share/zsh/vendor-completions
install -D -m 644 packaging/debian/copyright "$OUT/deb-root/usr/share/doc/hayon/copyright"
install -D -m 644 packaging/debian/lintian-overrides "$OUT/deb-root/usr/share/lintian/overrides/hayon"
gzip -9n -c packaging/debian/changelog >"$OUT/deb-root/usr/share/doc/hayon/changelog.gz"
chmod 644 "$OUT/deb-root/usr/share/doc/hayon/changelog.gz"
stage_common "$OUT/rpm-root" /usr/share/zsh/site-functions
install -D -m 644 LICENSE "$OUT/rpm-root/usr/share/licenses/hayon/LICENSE"

# ---------------------------------------------------------------- bundle
say "bundling .deb and .rpm"
tauri bundle --bundles deb,rpm
# The bundler names them after the product ("Hayon"); the packages themselves are "hayon".
BUNDLED_DEB="$TARGET_DIR/release/bundle/deb/Hayon_${VERSION}_amd64.deb"
DEB="$OUT/hayon_${VERSION}_amd64.deb"
# Tauri's bundler compresses the .deb's files with gzip at its default level and has no setting for
# it. dpkg-deb, Debian's own tool, rebuilds the .deb from the same tree with xz (Debian's default):
# the same files, modes, owners and control data, and about 1.3 MiB less to download.
say "rebuilding the .deb with xz"
tree="$(mktemp -d)"
dpkg-deb --raw-extract "$BUNDLED_DEB" "$tree/root"
dpkg-deb --root-owner-group -Zxz -z9 --build "$tree/root" "$DEB" >/dev/null
rm -rf "$tree"
# What the two list must agree: type and mode, owner, size and name of every entry (the bundler
# writes owners as numbers, dpkg-deb as names, and only dpkg-deb lists the root as "./").
listing() {
  dpkg-deb --contents "$1" | awk '{
    owner = ($2 == "root/root") ? "0/0" : $2; name = $6
    sub(/^\.\//, "", name); sub(/\/$/, "", name)
    if (name != "" && name != ".") print $1, owner, $3, name
  }' | sort
}
if ! diff <(listing "$BUNDLED_DEB") <(listing "$DEB") >&2; then
  echo "error: the .deb rebuilt with xz differs from the bundler's (above)" >&2
  exit 1
fi
for part in control md5sums; do
  cmp -s <(dpkg-deb --info "$BUNDLED_DEB" "$part") <(dpkg-deb --info "$DEB" "$part") || {
    echo "error: the .deb rebuilt with xz has another $part" >&2
    exit 1
  }
done
cp "$TARGET_DIR"/release/bundle/rpm/Hayon?"${VERSION}"-1.x86_64.rpm "$OUT/hayon-${VERSION}-1.x86_64.rpm"
ls -l "$OUT"/*.deb "$OUT"/*.rpm >&2
