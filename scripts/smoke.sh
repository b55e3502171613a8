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

# Starts the app with the given arguments, screenshots it after `settle`
# seconds, checks the picture is not blank, then quits with Ctrl+Q and checks
# for a clean exit. Mid-session (ASK_FIRST=1) the first Ctrl+Q must only ask:
# the window stays, and a second Ctrl+Q quits.
# Usage: [ASK_FIRST=1] look_and_quit NAME SETTLE_SECS ARGS...
look_and_quit() {
  local name=$1 settle=$2 app window
  shift 2
  "$binary" --data-dir "$data" "$@" >"$out/$name.log" 2>&1 &
  app=$!
  if window=$(wait_for_window); then
    sleep "$settle"
    import -window root "$out/$name.png"
    not_blank "$out/$name.png" || fail "$name screenshot is blank"
    if [ "${ASK_FIRST:-0}" = 1 ]; then
      # Playing: the title tells the time and the step, for the taskbar.
      local title
      title=$(xdotool getwindowname "$window" 2>/dev/null || true)
      if [[ "$title" =~ ^[0-9]+:[0-9]{2}\ ·\ .+\ ·\ unknot$ ]]; then
        echo "smoke: the playing window's title is \"$title\""
      else
        fail "the playing window's title shows no countdown: \"$title\""
      fi
    fi
    if [ "${ASK_FIRST:-0}" = 1 ]; then
      xdotool windowfocus --sync "$window" key --clearmodifiers ctrl+q || true
      sleep 1.5
      if kill -0 "$app" 2>/dev/null; then
        echo "smoke: $name asked before quitting mid-session"
        import -window root "$out/$name-asks.png"
      else
        fail "$name quit mid-session on the first Ctrl+Q without asking"
      fi
    fi
    xdotool windowfocus --sync "$window" key --clearmodifiers ctrl+q || true
  else
    fail "no $name window appeared"
  fi
  for _ in $(seq 1 100); do kill -0 "$app" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$app" 2>/dev/null; then
    fail "$name did not exit after Ctrl+Q"; kill "$app"
  fi
  if wait "$app"; then
    echo "smoke: $name window closed cleanly"
  else
    fail "$name exit code $? after Ctrl+Q"
  fi
}

# 1. The library window opens, draws, and quits on Ctrl+Q with exit code 0.
look_and_quit library 1.5
# 2. A routine plays: the player is drawn; Ctrl+Q mid-session asks first, and
#    a second Ctrl+Q exits cleanly.
ASK_FIRST=1 look_and_quit player 4 --autoplay quick-tension-break --quit-after-secs 60

# The session closed with Ctrl+Q is in the history as stopped early.
history=$("$binary" --data-dir "$data" history export --format csv)
echo "$history" | grep -q ',quick-tension-break,Quick tension break,stopped_early,' \
  && echo "smoke: the closed session is in the history as stopped early" \
  || fail "closed session not recorded: $history"

# 3. A session cut off by kill -9 shows up as interrupted on the very next
#    start: the dead copy's lock is gone at once, no heartbeat has to age.
"$binary" --data-dir "$data" --autoplay endorphin-15 --quit-after-secs 120 >"$out/killed.log" 2>&1 &
app=$!
if wait_for_window >/dev/null; then
  sleep 12
  kill -9 "$app"
  wait "$app" 2>/dev/null || true
  "$binary" --data-dir "$data" --quit-after-secs 3 >"$out/restart.log" 2>&1 || fail "restart after kill failed"
  history=$("$binary" --data-dir "$data" history export --format csv)
  line=$(echo "$history" | grep ',endorphin-15,' || true)
  active=$(echo "$line" | cut -d, -f8)
  if echo "$line" | grep -q ',interrupted,' && [ "${active:-0}" -ge 4 ]; then
    echo "smoke: killed session marked interrupted on the immediate restart, ${active} s played"
  else
    fail "killed session not recovered on the immediate restart: $line"
  fi
else
  fail "no window for the kill test"
fi

# 4. A frozen copy (SIGSTOP) keeps its session: a second start meanwhile
#    opens no second window and leaves it running, and it finishes normally
#    once thawed.
"$binary" --data-dir "$data" --autoplay evening-wind-down --quit-after-secs 14 >"$out/frozen.log" 2>&1 &
app=$!
if wait_for_window >/dev/null; then
  sleep 3
  kill -STOP "$app"
  # One window per set of files: the second start finds the frozen one
  # holding them, gets no answer, says so and opens nothing.
  if "$binary" --data-dir "$data" --quit-after-secs 3 >"$out/second.log" 2>&1; then
    fail "a second copy opened beside the frozen one"
  elif grep -q 'did not answer' "$out/second.log"; then
    echo "smoke: a second start beside a frozen copy said so and opened no window"
  else
    fail "second copy: $(tail -n 1 "$out/second.log")"
  fi
  during=$("$binary" --data-dir "$data" history export --format csv | grep ',evening-wind-down,' || true)
  kill -CONT "$app"
  wait "$app" || fail "the thawed copy exited with an error"
  after=$("$binary" --data-dir "$data" history export --format csv | grep ',evening-wind-down,' || true)
  if echo "$during" | grep -q ',running,' && echo "$after" | grep -q ',stopped_early,'; then
    echo "smoke: a frozen copy's session stayed running and was finished by its owner"
  else
    fail "frozen copy's session: during=$during after=$after"
  fi
else
  fail "no window for the freeze test"
fi

# 5. Hands free, on a private session bus with a private speech service.
speechd_dir=$(mktemp -d /tmp/sd.XXXXXX)
if speechd=$(bash scripts/private_speechd.sh start "$speechd_dir" pulse); then
  socket=$(echo "$speechd" | sed -n 's/^SOCKET=//p')
  capture=$(echo "$speechd" | sed -n 's/^CAPTURE=//p')
  pulse=$(echo "$speechd" | sed -n 's/^PULSE_SERVER=//p')
  dbus-run-session -- bash scripts/hands_free.sh "$binary" "$data" "$socket" "$capture" "$pulse" "$out" \
    || fail "hands-free checks"
  bash scripts/private_speechd.sh stop "$speechd_dir" >/dev/null
else
  fail "the private speech service did not start"
fi
rm -rf "$speechd_dir"

if [ "$failures" -ne 0 ]; then
  echo "smoke: $failures check(s) failed; logs and screenshots in $out" >&2
  exit 1
fi
echo "smoke: all checks passed; screenshots in $out"
