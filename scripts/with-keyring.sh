#!/usr/bin/env bash
# Runs a command with gnome-keyring's Secret Service started and unlocked in the current D-Bus
# session (call it inside dbus-run-session, so nothing outlives the run).
#
# The daemon keeps its keyring in a folder of this run's own: daemons of runs side by side that share
# ~/.local/share/keyrings reload each other's writes, and lookups then miss entries at random.
set -euo pipefail
keyring_home="$(mktemp -d)"
trap 'rm -rf "$keyring_home"' EXIT
eval "$(printf 'hayon-test-keyring' | XDG_DATA_HOME="$keyring_home" gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
"$@"
