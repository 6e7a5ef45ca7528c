#!/usr/bin/env bash
# Part of the install test (scripts/package-install-check.sh), run inside a D-Bus session with a
# Secret Service and an Xvfb display: starts APP through tauri-driver (WebDriver, WebKitWebDriver)
# and waits until its page has loaded: a fresh install opens on Connected accounts, whose empty state
# shows once the account list has come back from the app's SQLite store (through its own command).
# Saves a screenshot in RESULTS_DIR.
# Usage: package-window-check.sh APP RESULTS_DIR
set -euo pipefail
APP="$1" RESULTS="$2"
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "${HAYON_TAURI_DRIVER:-}" ] || fail "HAYON_TAURI_DRIVER does not name tauri-driver"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port="$(free_port)"
native_port="$(free_port)"
"$HAYON_TAURI_DRIVER" --port "$port" --native-port "$native_port" >"$RESULTS/tauri-driver.log" 2>&1 &
driver=$!
trap 'kill "$driver" 2>/dev/null || true; wait "$driver" 2>/dev/null || true' EXIT
url="http://127.0.0.1:$port"

# wd METHOD PATH [JSON]: one WebDriver request; prints the answer's body, fails on an HTTP error.
wd() {
  curl -sS --fail-with-body --max-time 60 -X "$1" -H 'Content-Type: application/json' \
    ${3:+--data "$3"} "$url$2"
}
json_value() { python3 -c 'import json, sys; print(json.load(sys.stdin)["value"]'"$1"')'; }

for _ in $(seq 100); do
  curl -s --max-time 1 "$url/status" >/dev/null 2>&1 && break
  sleep 0.1
done
session="$(wd POST /session "{\"capabilities\":{\"alwaysMatch\":{\"browserName\":\"wry\",\
\"tauri:options\":{\"application\":\"$APP\"}}}}" | json_value '["sessionId"]')" ||
  fail "tauri-driver could not start $APP (see $RESULTS/tauri-driver.log)"

# Polls for the element CSS for up to 30 s.
wait_for() {
  local body
  for _ in $(seq 300); do
    body="{\"using\":\"css selector\",\"value\":\"$1\"}"
    wd POST "/session/$session/element" "$body" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  wd GET "/session/$session/screenshot" | json_value '' | base64 -d >"$RESULTS/installed-app-timeout.png" || true
  wd POST "/session/$session/execute/sync" \
    '{"script":"return document.title + \" | \" + document.body.innerText.slice(0, 600)","args":[]}' >&2 || true
  fail "$1 never appeared in the installed app's page (screenshot: $RESULTS/installed-app-timeout.png)"
}
wait_for '#view-accounts:not([hidden]) #accounts-loading[hidden]'
wait_for '#view-accounts:not([hidden]) #accounts-empty:not([hidden])'
title="$(wd POST "/session/$session/execute/sync" '{"script":"return document.title","args":[]}' |
  json_value '')"
[ "$title" = "Connected accounts — Hayon" ] || fail "the page's title is '$title'"
wd GET "/session/$session/screenshot" | json_value '' | base64 -d >"$RESULTS/installed-app.png"
wd DELETE "/session/$session" >/dev/null
echo "the installed app's page loaded (title '$title'); screenshot: $RESULTS/installed-app.png" >&2
