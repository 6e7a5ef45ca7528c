#!/usr/bin/env bash
# Checks the Linux packages that scripts/package.sh built (scripts/test.sh runs both, after the other
# tests):
#   1. the menu entry and the AppStream metadata, as packaged, pass desktop-file-validate and
#      appstreamcli validate (offline: --no-net);
#   2. lintian on the .deb and rpmlint on the .rpm report no error, and no warning but those
#      suppressed below by name, each with its reason;
#   3. the packages' executables are hayon and hayon-cli, and hayon-cli links nothing of the window
#      (no WebKit, GTK or soup: it starts in milliseconds); the .deb depends on every library package
#      they link (dpkg-shlibdeps), the .rpm on every library;
#   4. the install test: in a throwaway root (an overlay over this system's / with its changes in
#      memory, in a mount namespace of its own, so nothing reaches the real system), the .deb is
#      installed with apt, scripts/package-install-check.sh runs the installed app under Xvfb until
#      its page has loaded, runs hayon-cli --version and a compose analyze from /usr/bin, removes the
#      package and checks that no file of it is left.
# Needs root for the throwaway root (CI runs as root; otherwise sudo is used).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
say() { echo "==> $*" >&2; }
fail() { echo "FAIL: $*" >&2; exit 1; }

apt_ensure "${TEST_PACKAGES[@]}" "${PACKAGE_TEST_PACKAGES[@]}"
heif_ensure "${HEIF_BUILD_PACKAGES[@]}"
bash scripts/setup-test-peers.sh
# shellcheck disable=SC1091
source "$HAYON_CACHE/test-peers.env"

VERSION="$(python3 -c 'import json; print(json.load(open("tauri.conf.json"))["version"])')"
DEB="$PWD/target/package/hayon_${VERSION}_amd64.deb"
RPM="$PWD/target/package/hayon-${VERSION}-1.x86_64.rpm"
for pkg in "$DEB" "$RPM"; do
  [ -f "$pkg" ] || fail "$pkg is missing: run ./scripts/package.sh first"
done
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------- 1. menu entry and metainfo
say "desktop-file-validate and appstreamcli validate"
dpkg-deb -x "$DEB" "$WORK/deb"
desktop-file-validate "$WORK/deb/usr/share/applications/Hayon.desktop" ||
  fail "the menu entry does not validate"
appstreamcli validate --no-net "$WORK/deb/usr/share/metainfo/social.hayon.desktop.metainfo.xml" ||
  fail "the AppStream metadata does not validate"

# ---------------------------------------------------------------- 2. lintian and rpmlint
say "lintian $(basename "$DEB")"
# Tags suppressed, each for its reason (the package's own overrides, for what is true of the package
# wherever it is checked, are in packaging/debian/lintian-overrides):
LINTIAN_SUPPRESS=(
  # (none yet)
)
lintian_args=(--allow-root --fail-on error,warning --display-info)
[ "${#LINTIAN_SUPPRESS[@]}" -eq 0 ] ||
  lintian_args+=(--suppress-tags "$(IFS=,; echo "${LINTIAN_SUPPRESS[*]}")")
lintian "${lintian_args[@]}" "$DEB" || fail "lintian found errors or warnings (above)"

say "rpmlint $(basename "$RPM")"
# Settings of Fedora's own rpmlint configuration (rpmlint's configs/Fedora/fedora.toml), the distribution
# this package is for: man pages compressed with gzip, description lines up to 80 characters; and
# the package's licence, MIT, as a valid one (Fedora's list comes in a separate package).
# Checks suppressed, each for its reason:
RPMLINT_SUPPRESS=(
  # Also filtered by Fedora's configuration: Fedora sets neither a Packager nor a Group tag, and
  # packages are signed by the release pipeline (Tauri's bundler signs when TAURI_SIGNING_RPM_KEY
  # holds the key, which never lives in this repository).
  no-packager-tag
  no-group-tag
  no-signature
  # Header fields Tauri's rpm writer does not set (it builds the package without a spec file): no
  # build host name, no %changelog (the release notes are the AppStream metainfo's <releases> and
  # packaging/debian/changelog), and no %doc flag on files, so the man pages and LICENSE are
  # installed as plain files (`rpm --excludedocs` keeps them).
  no-buildhost-tag
  no-changelogname-tag
  not-listed-as-documentation
  no-documentation
  # rpmlint 2.4 (Debian 12's) files each man page under its section, not its name (FilesCheck.py
  # adds res.group('category') to man_basenames), so it reports every binary as having no page;
  # both have theirs (hayon.1.gz, hayon-cli.1.gz: the install test checks them).
  no-manual-page-for-binary
  # An x86_64 package whose /usr/lib holds only text is suspected of misplacing data; its only files
  # there are the systemd user units, whose place is /usr/lib/systemd/user (%{_userunitdir}) on
  # every architecture.
  only-non-binary-in-usr-lib
)
{
  echo 'CompressExtension = "gz"'
  echo 'MaxLineLength = 80'
  echo 'ValidLicenses = ["MIT"]'
  echo "Filters = ["
  for check in "${RPMLINT_SUPPRESS[@]}"; do echo "  ' $check( |$)',"; done
  echo "]"
} >"$WORK/rpmlint.toml"
rpmlint --config "$WORK/rpmlint.toml" "$RPM" | tee "$WORK/rpmlint.out"
grep -Eq '^ *1 packages and 0 specfiles checked; 0 errors, 0 warnings' "$WORK/rpmlint.out" ||
  fail "rpmlint found errors or warnings (above)"

# ---------------------------------------------------------------- 3. dependencies
say "the user timer for hayon-cli schedule send-due, in both packages, off until enabled"
units=/usr/lib/systemd/user
grep -qx 'ExecStart=/usr/bin/hayon-cli schedule send-due' "$WORK/deb$units/hayon-send-due.service" ||
  fail "the .deb's hayon-send-due.service does not run hayon-cli schedule send-due"
grep -qx 'OnCalendar=minutely' "$WORK/deb$units/hayon-send-due.timer" ||
  fail "the .deb's hayon-send-due.timer does not fire every minute"
# Read whole before grep: `rpm … | grep -q` fails under pipefail when grep stops reading early
# and rpm dies of SIGPIPE, which happened under load.
rpm_files="$(rpm -qlp "$RPM")"
for unit in hayon-send-due.service hayon-send-due.timer; do
  grep -qx "$units/$unit" <<<"$rpm_files" || fail "the .rpm lacks $units/$unit"
done

say "two executables, hayon and hayon-cli; hayon-cli links nothing of the window"
executables="$(cd "$WORK/deb" && find . -type f -print0 | xargs -0 file |
  sed -n 's/^\.\(.*\): *ELF .*/\1/p' | sort | tr '\n' ' ')"
[ "$executables" = "/usr/bin/hayon /usr/bin/hayon-cli " ] ||
  fail "the .deb's executables are not /usr/bin/hayon and /usr/bin/hayon-cli: $executables"
linked() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
window_libs="$(linked "$WORK/deb/usr/bin/hayon-cli" | grep -E '^lib(webkit2gtk|javascriptcoregtk|gtk|gdk|soup)' || true)"
[ -z "$window_libs" ] || fail "hayon-cli links libraries of the window: $window_libs"
say "both packages require every library their binaries link"
mkdir -p "$WORK/shlibdeps/debian"
printf 'Source: hayon\n\nPackage: hayon\nArchitecture: any\n' >"$WORK/shlibdeps/debian/control"
# (It warns that the binaries are not in a package build folder: true, and beside the point here.)
needed="$(cd "$WORK/shlibdeps" &&
  dpkg-shlibdeps -O "$WORK/deb/usr/bin/hayon" "$WORK/deb/usr/bin/hayon-cli" \
    2> >(grep -v 'should already be installed' >&2) |
  sed 's/^shlibs:Depends=//' | tr ',' '\n' | sed 's/(.*)//; s/ //g' | sort -u)"
declared="$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed 's/(.*)//; s/ //g' | sort -u)"
missing="$(comm -23 <(echo "$needed") <(echo "$declared"))"
[ -z "$missing" ] || fail "the .deb's Depends lacks: $missing (tauri.conf.json › bundle.linux.deb)"
# The tray loads its library at run time (no NEEDED entry names it), and panics without it.
grep -q 'libayatana-appindicator3-1' <<<"$(dpkg-deb -f "$DEB" Depends)" ||
  fail "the .deb's Depends lacks libayatana-appindicator3-1, which the tray loads at run time"
grep -qF 'libayatana-appindicator3.so.1()(64bit)' <<<"$(rpm -qp --requires "$RPM")" ||
  fail "the .rpm's Requires lacks libayatana-appindicator3.so.1, which the tray loads at run time"
# The .rpm names libraries as rpmbuild would: by soname, "libfoo.so.1()(64bit)".
needed="$(for bin in hayon hayon-cli; do linked "$WORK/deb/usr/bin/$bin"; done |
  sed 's/$/()(64bit)/' | sort -u)"
missing="$(comm -23 <(echo "$needed") <(rpm -qp --requires "$RPM" | sort -u))"
[ -z "$missing" ] || fail "the .rpm's Requires lacks: $missing (tauri.conf.json › bundle.linux.rpm)"

# ---------------------------------------------------------------- 4. install test
say "installing $(basename "$DEB") in a throwaway root"
RESULTS="$PWD/target/package/install-check"
rm -rf "$RESULTS"
mkdir -p "$RESULTS" "$WORK/throwaway"
# Inside a mount namespace of its own: a tmpfs holds the overlay's changes, the overlay shows this
# system's / with them, and /proc, /dev, /sys and the results folder are mounted into it; all of it
# goes when the namespace's last process ends.
as_root unshare --mount --propagation private --fork bash -euo pipefail -c '
  base="$1" results="$2"; shift 2
  mount -t tmpfs -o size=4g,mode=0755 hayon-throwaway "$base"
  mkdir "$base/upper" "$base/work" "$base/root"
  mount -t overlay overlay -o "lowerdir=/,upperdir=$base/upper,workdir=$base/work" "$base/root"
  mount -t proc proc "$base/root/proc"
  mount --rbind /dev "$base/root/dev"
  mount --rbind /sys "$base/root/sys"
  mount --bind "$results" "$base/root$results"
  exec chroot "$base/root" "$@"
' throwaway "$WORK/throwaway" "$RESULTS" \
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
  HAYON_TAURI_DRIVER="$HAYON_TAURI_DRIVER" \
  bash "$PWD/scripts/package-install-check.sh" "$DEB" "$VERSION" "$RESULTS" ||
  fail "the install test failed (above)"
say "packages checked: $(cat "$RESULTS/summary.txt")"
