#!/usr/bin/env bash
# Runs a command with gnome-keyring's Secret Service started and unlocked in the current D-Bus
# session (call it inside dbus-run-session, so nothing outlives the run).
set -euo pipefail
eval "$(printf 'hayon-test-keyring' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
exec "$@"
