#!/usr/bin/env bash
# unknot playing a routine beside Workrave, the break reminder, measured in one
# run: each on its own Xvfb display with its own D-Bus session, 60 s after a
# 15 s warm-up. Prints CPU (% of one core) and RssAnon for both, the ratios,
# and unknot's frames and CPU per frame. Figures only; nothing is asserted.
#   bash scripts/bench-peer.sh [path/to/unknot] [extra unknot arguments...]
#   BENCH_SECONDS=60 BENCH_WARMUP=15   to change the window
# Called by scripts/bench.sh (make bench), which installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-target/release/unknot}
shift || true
seconds=${BENCH_SECONDS:-60}
warmup=${BENCH_WARMUP:-15}
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_display() {
  local number=$1
  while [ -e "/tmp/.X11-unix/X$number" ] || [ -e "/tmp/.X$number-lock" ]; do
    number=$((number + 1))
  done
  echo "$number"
}
# Starts Xvfb on the first free display from $1 and sets started_display.
start_display() {
  local number
  number=$(free_display "$1")
  Xvfb ":$number" -screen 0 1280x800x24 -nolisten tcp -noreset >"$work/xvfb-$number.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    if DISPLAY=":$number" xdpyinfo >/dev/null 2>&1; then started_display=$number; return 0; fi
    sleep 0.1
  done
  echo "Xvfb did not start on :$number" >&2
  return 1
}
# The pid of the newest process called $1 whose environment has DISPLAY=$2.
find_on_display() {
  local name=$1 display=$2 pid
  for _ in $(seq 1 100); do
    for pid in $(pgrep -x "$name" || true); do
      if { tr "\\0" "\\n" <"/proc/$pid/environ"; } 2>/dev/null | grep -qx "DISPLAY=$display"; then
        echo "$pid"; return 0
      fi
    done
    sleep 0.1
  done
  echo "$name did not start on $display" >&2
  return 1
}
# CPU time in nanoseconds summed over the process's threads (the scheduler's
# own count: finer than the 10 ms ticks of /proc/PID/stat, which at these
# loads are a handful per minute).
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ sum += $1 } END { printf "%d", sum }'; }
# The same per thread, as "tid name ns" lines.
thread_ns() {
  local task
  for task in /proc/"$1"/task/*; do
    printf '%s %s %s\n' "${task##*/}" "$(tr ' ' _ <"$task/comm" 2>/dev/null)" \
      "$(awk '{ print $1 }' "$task/schedstat" 2>/dev/null)"
  done
}
anon_kb() { awk '/^RssAnon/ { print $2 }' "/proc/$1/status"; }

start_display 140; peer_display=$started_display
start_display $((peer_display + 1)); app_display=$started_display
# Each app gets a home of its own, so neither reads this machine's settings.
mkdir -p "$work/peer-home" "$work/app-home"
HOME="$work/peer-home" XDG_CONFIG_HOME="$work/peer-home/.config" DISPLAY=":$peer_display" \
  dbus-run-session -- workrave >"$work/peer.log" 2>&1 &
pids+=($!)
HOME="$work/app-home" XDG_CONFIG_HOME="$work/app-home/.config" DISPLAY=":$app_display" \
  dbus-run-session -- "$binary" --data-dir "$work/app-data" --autoplay endorphin-15 \
  --quit-after-secs $((warmup + seconds + 10)) --timing-log "$work/timings" "$@" \
  >"$work/app.log" 2>&1 &
pids+=($!)
peer=$(find_on_display workrave ":$peer_display")
app=$(find_on_display "$(basename "$binary" | cut -c1-15)" ":$app_display")
sleep "$warmup"

ticks_per_sec=$(getconf CLK_TCK)
peer_start=$(cpu_ns "$peer"); app_start=$(cpu_ns "$app")
thread_ns "$app" >"$work/threads-start"
start_ns=$(date +%s%N)
app_started_at=$(awk '{ print $22 }' "/proc/$app/stat")
uptime_at_start=$(awk '{ print $1 }' /proc/uptime)
peer_anon_peak=0; app_anon_peak=0
for _ in $(seq 1 "$seconds"); do
  sleep 1
  value=$(anon_kb "$peer"); [ "$value" -gt "$peer_anon_peak" ] && peer_anon_peak=$value
  value=$(anon_kb "$app"); [ "$value" -gt "$app_anon_peak" ] && app_anon_peak=$value
done
peer_end=$(cpu_ns "$peer"); app_end=$(cpu_ns "$app")
thread_ns "$app" >"$work/threads-end"
end_ns=$(date +%s%N)
uptime_at_end=$(awk '{ print $1 }' /proc/uptime)
peer_anon=$(anon_kb "$peer"); app_anon=$(anon_kb "$app")
app_renderer=$(grep -o 'drawing with [^,]*' "$work/app.log" | head -n 1 || true)
app_session=${pids[3]}
wait "$app_session" 2>/dev/null || true

# Frames the player drew inside the measured window, from the timing log
# (microseconds since launch); the window's edges are in the same clock.
window_from=$(awk -v s="$uptime_at_start" -v b="$app_started_at" -v hz="$ticks_per_sec" \
  'BEGIN { printf "%d", (s - b / hz) * 1e6 }')
window_to=$(awk -v s="$uptime_at_end" -v b="$app_started_at" -v hz="$ticks_per_sec" \
  'BEGIN { printf "%d", (s - b / hz) * 1e6 }')
frames=$(awk -v from="$window_from" -v to="$window_to" \
  '$1 == "Frame" && $2 >= from && $2 < to { n++ } END { print n + 0 }' "$work/timings" 2>/dev/null || echo 0)

echo "== Side by side: Workrave and unknot playing endorphin-15, ${seconds} s after ${warmup} s"
echo "   unknot: $binary $* ${app_renderer:+($app_renderer)}"
awk -v pt="$((peer_end - peer_start))" -v at="$((app_end - app_start))" \
    -v ns="$((end_ns - start_ns))" -v pa="$peer_anon" -v aa="$app_anon" \
    -v pp="$peer_anon_peak" -v ap="$app_anon_peak" -v frames="$frames" 'BEGIN {
  secs = ns / 1e9
  pc = 100 * (pt / 1e9) / secs; ac = 100 * (at / 1e9) / secs
  printf "   %-22s %12s %12s %10s\n", "", "Workrave", "unknot", "ratio"
  printf "   %-22s %12.3f %12.3f %10s\n", "CPU, % of one core", pc, ac, (pc > 0 ? sprintf("%.2f", ac / pc) : "n/a")
  printf "   %-22s %9.1f MB %9.1f MB %10.2f\n", "RssAnon at the end", pa / 1024, aa / 1024, aa / pa
  printf "   %-22s %9.1f MB %9.1f MB %10.2f\n", "RssAnon, highest", pp / 1024, ap / 1024, ap / pp
  printf "   unknot drew %d frames in %.0f s; %.2f ms of CPU per frame drawn (all threads)\n",
    frames, secs, (frames > 0 ? (at / 1e6) / frames : 0)
}'
# Where unknot's time went, by thread (a thread started inside the window
# counts from zero; one that ended is missing).
awk 'NR == FNR { start[$1] = $3; next }
  { ms = ($3 - start[$1]) / 1e6; if (ms >= 0.05) printf "%s %s %.1f\n", $1, $2, ms }' \
  "$work/threads-start" "$work/threads-end" | sort -k3,3 -rn |
  awk 'BEGIN { printf "   unknot by thread, ms:" } { printf "%s %s %s", (NR > 1 ? "," : ""), $2, $3 }
    END { print "" }'
