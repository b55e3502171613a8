#!/usr/bin/env bash
# Reads the release binary's real window through AT-SPI, the way a screen
# reader does, on a private session bus and a private accessibility bus (the
# desktop's own are never touched). Checks the library (named window,
# heading with the focus, every control named) and a playing session (focus
# on Pause, live regions). Usage: bash scripts/a11y.sh [BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-target/release/unknot}

# Re-run inside a private D-Bus session: AT-SPI's bus is started from it.
if [ "${UNKNOT_A11Y_PRIVATE:-}" != 1 ]; then
  exec env UNKNOT_A11Y_PRIVATE=1 dbus-run-session -- bash "$0" "$@"
fi

out=target/a11y
mkdir -p "$out"
source scripts/xvfb.sh
data=$(mktemp -d)
app=""
cleanup() {
  if [ -n "$app" ]; then kill "$app" 2>/dev/null || true; wait "$app" 2>/dev/null || true; fi
  pkill -P $$ at-spi 2>/dev/null || true
  stop_xvfb
  rm -rf "$data"
}
trap cleanup EXIT
start_xvfb

# Turn accessibility on: this starts the AT-SPI bus on the private session
# bus, and tells apps (AccessKit among them) that a screen reader listens.
gdbus call --session --dest org.a11y.Bus --object-path /org/a11y/bus \
  --method org.freedesktop.DBus.Properties.Set org.a11y.Status IsEnabled '<true>' >/dev/null
gdbus call --session --dest org.a11y.Bus --object-path /org/a11y/bus \
  --method org.freedesktop.DBus.Properties.Set org.a11y.Status ScreenReaderEnabled '<true>' >/dev/null

mkdir -p "$data/config"
printf 'safety_acknowledged = true\n' >"$data/config/preferences.toml"
failures=0

# Usage: probe NAME EXPECTED_FOCUS [--playing] -- APP ARGS...
probe() {
  local name=$1 focus=$2
  shift 2
  local extra=()
  # While playing, listen past the get-ready count for the first step to be announced.
  if [ "$1" = --playing ]; then extra=(--playing --listen 8); shift; fi
  shift # --
  "$binary" --data-dir "$data" "$@" >"$out/$name-app.log" 2>&1 &
  app=$!
  local window
  if ! window=$(wait_for_window); then
    echo "a11y: FAIL: no $name window"; failures=$((failures + 1))
  else
    # No window manager under Xvfb: give the window the keyboard focus, as
    # a desktop would when it opens.
    sleep 1
    xdotool windowfocus --sync "$window" 2>/dev/null || true
    sleep 1
    local X Y WIDTH HEIGHT SCREEN WINDOW
    eval "$(xdotool getwindowgeometry --shell "$window")"
    if /usr/bin/python3 scripts/a11y_probe.py --check --expect-focus "$focus" \
        --window "$X,$Y,$WIDTH,$HEIGHT" "${extra[@]}" >"$out/$name.txt" 2>&1; then
      echo "a11y: $name: $(grep -c ':' "$out/$name.txt") nodes read, all checks passed"
    else
      echo "a11y: FAIL: $name (see $out/$name.txt)"; grep 'a11y:' "$out/$name.txt" || true
      failures=$((failures + 1))
    fi
  fi
  kill "$app" 2>/dev/null || true
  wait "$app" 2>/dev/null || true
  app=""
}

probe library Routines -- --quit-after-secs 60
probe player Pause --playing -- --autoplay quick-tension-break --quit-after-secs 60

if [ "$failures" -gt 0 ]; then
  echo "a11y: $failures check(s) failed"
  exit 1
fi
echo "a11y: all checks passed; the trees are in $out"
