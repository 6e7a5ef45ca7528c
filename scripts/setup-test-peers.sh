#!/usr/bin/env bash
# Installs the real peers the tests talk to, outside the checkout so later runs reuse them:
#   - Node 22 (the reference PDS needs Node >= 22; the machine's own Node may be older),
#   - Bluesky's reference PDS + an in-memory PLC (tests/pds/package-lock.json), keyed by the
#     lockfile's hash so a changed lockfile gets a fresh install and an unchanged one is reused,
#   - tauri-driver (WebDriver bridge for the real-window tests),
#   - axe-core (the accessibility rules engine tests/window_a11y.rs injects into the window), keyed
#     by tests/axe/package-lock.json's hash like the PDS,
#   - TypeScript's tsc (tests/ui_types.rs checks ui/js with it), keyed by
#     tests/typescript/package-lock.json's hash like the PDS.
# Writes "$HAYON_CACHE/test-peers.env" with HAYON_NODE, HAYON_PDS_MODULES, HAYON_TAURI_DRIVER,
# HAYON_AXE (the path of axe.min.js), HAYON_TSC (the path of TypeScript's bin/tsc, run with HAYON_NODE).
# A run with everything cached prints nothing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib.sh
source "$ROOT/scripts/lib.sh"

say() { echo "==> $*" >&2; }

# Installs the npm packages pinned by SRC_DIR's package-lock.json into CACHE, through a staging
# folder moved into place whole (a half install is never taken for a cache). Further arguments are
# environment assignments for npm.
npm_install_pinned() { # WHAT SRC_DIR CACHE [VAR=VALUE]...
  local what="$1" src="$2" cache="$3"
  shift 3
  say "installing $what into $cache"
  stage="$(mktemp -d "$cache.tmp.XXXXXX")" && chmod 755 "$stage"
  cp "$src/package.json" "$src/package-lock.json" "$stage/"
  (cd "$stage" && env PATH="$NODE_HOME/bin:$PATH" "$@" \
    npm ci --no-audit --no-fund --loglevel=error >&2)
  touch "$stage/.complete"
  rm -rf "$cache"
  mv "$stage" "$cache"
  stage=""
}

# Staging folders are moved in place only when complete; remove a half-made one on any exit.
stage=""
trap '[ -z "$stage" ] || rm -rf "$stage"' EXIT

# ---------------------------------------------------------------- Node 22
ensure_node22   # lib.sh: sets HAYON_NODE and NODE_HOME

# ---------------------------------------------------------------- the PDS and its PLC
PDS_SRC="$ROOT/tests/pds"
PDS_HASH="$(sha256sum "$PDS_SRC/package-lock.json" | cut -c1-16)"
PDS_CACHE="$HAYON_CACHE/pds-$PDS_HASH"
HAYON_PDS_MODULES="$PDS_CACHE/node_modules"

# Loading better-sqlite3 proves the native module was built for this Node (the classic failure is
# a build against the wrong Node's headers: NODE_MODULE_VERSION mismatch at load time).
pds_ok() {
  [ -f "$PDS_CACHE/.complete" ] &&
    (cd "$PDS_CACHE" && "$HAYON_NODE" -e "require('better-sqlite3')(':memory:').close()") 2>/dev/null
}

if ! pds_ok; then
  apt_ensure build-essential python3   # node-gyp needs a C++ toolchain and Python
  # - Node 22 first on PATH (npm_install_pinned), so npm and the install scripts run under it;
  # - nodedir = Node 22's folder, or node-gyp builds against the system Node's headers (the
  #   machine's npm config may even set nodedir=/usr) and the module then fails to load;
  # - build_from_source: no prebuilt binary is reachable here, so skip the download attempt.
  npm_install_pinned "the reference PDS (compiles better-sqlite3, ~2 min)" "$PDS_SRC" "$PDS_CACHE" \
    npm_config_nodedir="$NODE_HOME" npm_config_build_from_source=true
  if ! pds_ok; then
    echo "error: the PDS install in $PDS_CACHE does not load better-sqlite3 under $HAYON_NODE" >&2
    exit 1
  fi
fi

# ---------------------------------------------------------------- tauri-driver
TD_ROOT="$HAYON_CACHE/tauri-driver"
HAYON_TAURI_DRIVER="$TD_ROOT/bin/tauri-driver"
if [ ! -x "$HAYON_TAURI_DRIVER" ]; then
  say "installing tauri-driver into $TD_ROOT"
  command -v cargo >/dev/null || { echo "error: cargo is needed to install tauri-driver" >&2; exit 1; }
  # ^2: tauri-driver 2.x goes with Tauri 2, which this app pins.
  cargo install tauri-driver --version '^2' --locked --root "$TD_ROOT" --quiet >&2
fi

# ---------------------------------------------------------------- axe-core
# One plain script (axe.min.js, no native parts); the window test reads it and runs it in the page.
AXE_SRC="$ROOT/tests/axe"
AXE_HASH="$(sha256sum "$AXE_SRC/package-lock.json" | cut -c1-16)"
AXE_CACHE="$HAYON_CACHE/axe-$AXE_HASH"
HAYON_AXE="$AXE_CACHE/node_modules/axe-core/axe.min.js"
if [ ! -f "$AXE_CACHE/.complete" ] || [ ! -s "$HAYON_AXE" ]; then
  npm_install_pinned axe-core "$AXE_SRC" "$AXE_CACHE"
  if [ ! -s "$HAYON_AXE" ]; then
    echo "error: axe-core installed into $AXE_CACHE but $HAYON_AXE is missing" >&2
    exit 1
  fi
fi

# ---------------------------------------------------------------- TypeScript
# tsc only checks ui/js (tsc --noEmit); nothing of it reaches the app, which has no build step.
TS_SRC="$ROOT/tests/typescript"
TS_HASH="$(sha256sum "$TS_SRC/package-lock.json" | cut -c1-16)"
TS_CACHE="$HAYON_CACHE/typescript-$TS_HASH"
HAYON_TSC="$TS_CACHE/node_modules/typescript/bin/tsc"
tsc_ok() {
  [ -f "$TS_CACHE/.complete" ] && "$HAYON_NODE" "$HAYON_TSC" --version >/dev/null 2>&1
}
if ! tsc_ok; then
  npm_install_pinned TypeScript "$TS_SRC" "$TS_CACHE"
  if ! tsc_ok; then
    echo "error: TypeScript installed into $TS_CACHE but $HAYON_TSC does not run under $HAYON_NODE" >&2
    exit 1
  fi
fi

# ---------------------------------------------------------------- the contract for the tests
ENV_FILE="$HAYON_CACHE/test-peers.env"
{
  echo "# Written by scripts/setup-test-peers.sh; source it before running the tests."
  printf 'export HAYON_NODE=%q\n' "$HAYON_NODE"
  printf 'export HAYON_PDS_MODULES=%q\n' "$HAYON_PDS_MODULES"
  printf 'export HAYON_TAURI_DRIVER=%q\n' "$HAYON_TAURI_DRIVER"
  printf 'export HAYON_AXE=%q\n' "$HAYON_AXE"
  printf 'export HAYON_TSC=%q\n' "$HAYON_TSC"
} >"$ENV_FILE.tmp"
mv "$ENV_FILE.tmp" "$ENV_FILE"
