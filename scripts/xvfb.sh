# Sourced by the smoke test, the accessibility test, the screenshots and the
# benchmark: starts a private Xvfb on a free display (XVFB_SIZE, 1280x800 by
# default), exports DISPLAY, and stops it on exit.
start_xvfb() {
  local number=99
  while [ -e "/tmp/.X11-unix/X$number" ] || [ -e "/tmp/.X$number-lock" ]; do
    number=$((number + 1))
  done
  # -noreset: by default Xvfb resets when its last client leaves, and an app
  # started in that moment cannot connect ("Failed to open connection").
  mkdir -p target
  Xvfb ":$number" -screen 0 "${XVFB_SIZE:-1280x800}x24" -nolisten tcp -noreset >target/xvfb.log 2>&1 &
  XVFB_PID=$!
  export DISPLAY=":$number"
  for _ in $(seq 1 100); do
    if xdpyinfo >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "Xvfb did not start on $DISPLAY" >&2
  return 1
}

stop_xvfb() {
  if [ -n "${XVFB_PID:-}" ]; then kill "$XVFB_PID" 2>/dev/null || true; wait "$XVFB_PID" 2>/dev/null || true; fi
}

# Waits for the app's window and prints its id.
wait_for_window() {
  local id=""
  for _ in $(seq 1 300); do
    # "unknot", or "4:12 · Neck strokes · unknot" while a session plays.
    id=$(xdotool search --name 'unknot$' 2>/dev/null | head -n 1 || true)
    if [ -n "$id" ]; then echo "$id"; return 0; fi
    sleep 0.1
  done
  return 1
}
