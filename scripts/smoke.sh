#!/usr/bin/env bash
# Real-window smoke test of the release binary under Xvfb: the window appears,
# draws something that is not blank, plays a routine, and closes cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-target/release/unknot}
out=target/smoke
mkdir -p "$out"
source scripts/xvfb.sh
data=$(mktemp -d)
trap 'stop_xvfb; rm -rf "$data"' EXIT
start_xvfb

failures=0
fail() { echo "smoke: FAIL: $*" >&2; failures=$((failures + 1)); }

not_blank() {
  local colours
  colours=$(convert "$1" -format '%k' info:)
  echo "smoke: $1 has $colours colours"
  [ "$colours" -gt 20 ]
}

# 1. The library window opens, draws, and quits on Ctrl+Q with exit code 0.
"$binary" --data-dir "$data" >"$out/library.log" 2>&1 &
app=$!
if window=$(wait_for_window); then
  sleep 1.5
  import -window root "$out/library.png"
  not_blank "$out/library.png" || fail "library screenshot is blank"
  xdotool windowfocus --sync "$window" key --clearmodifiers ctrl+q || true
else
  fail "no window appeared"
fi
for _ in $(seq 1 100); do kill -0 "$app" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$app" 2>/dev/null; then
  fail "app did not exit after Ctrl+Q"; kill "$app"
fi
wait "$app" && echo "smoke: library window closed cleanly" || fail "exit code $? after Ctrl+Q"

# 2. A routine plays: the player is drawn, and Ctrl+Q mid-session exits cleanly.
"$binary" --data-dir "$data" --autoplay quick-tension-break --quit-after-secs 60 >"$out/player.log" 2>&1 &
app=$!
if window=$(wait_for_window); then
  sleep 4
  import -window root "$out/player.png"
  not_blank "$out/player.png" || fail "player screenshot is blank"
  xdotool windowfocus --sync "$window" key --clearmodifiers ctrl+q || true
else
  fail "no player window appeared"
fi
for _ in $(seq 1 100); do kill -0 "$app" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$app" 2>/dev/null; then
  fail "player did not exit after Ctrl+Q"; kill "$app"
fi
wait "$app" && echo "smoke: player closed cleanly" || fail "player exit code $?"

# The session closed with Ctrl+Q is in the history as stopped early.
history=$("$binary" --data-dir "$data" history export --format csv)
echo "$history" | grep -q ',quick-tension-break,Quick tension break,stopped_early,' \
  && echo "smoke: the closed session is in the history as stopped early" \
  || fail "closed session not recorded: $history"

# 3. A session cut off by kill -9 shows up as interrupted after the next start.
"$binary" --data-dir "$data" --autoplay endorphin-15 --quit-after-secs 120 >"$out/killed.log" 2>&1 &
app=$!
if wait_for_window >/dev/null; then
  sleep 12
  kill -9 "$app"
  wait "$app" 2>/dev/null || true
  # A heartbeat older than 30 s means its process died (a live copy beats every 5 s).
  sleep 31
  "$binary" --data-dir "$data" --quit-after-secs 3 >"$out/restart.log" 2>&1 || fail "restart after kill failed"
  history=$("$binary" --data-dir "$data" history export --format csv)
  line=$(echo "$history" | grep ',endorphin-15,' || true)
  active=$(echo "$line" | cut -d, -f8)
  if echo "$line" | grep -q ',interrupted,' && [ "${active:-0}" -ge 5 ]; then
    echo "smoke: killed session recovered as interrupted after ${active} s of play"
  else
    fail "killed session not recovered: $line"
  fi
else
  fail "no window for the kill test"
fi

if [ "$failures" -ne 0 ]; then
  echo "smoke: $failures check(s) failed; logs and screenshots in $out" >&2
  exit 1
fi
echo "smoke: all checks passed; screenshots in $out"
