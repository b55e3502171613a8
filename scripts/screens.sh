#!/usr/bin/env bash
# Saves a real-window screenshot of every screen at 800x600, 1024x720 and
# 1920x1080, at text sizes 100 % and 150 %, for people to look at: the release
# binary under Xvfb, with the no-sound notice showing (there is no sound card
# under Xvfb) and a history of sessions. Writes target/screens/*.png.
# With --readme, also refreshes the README's screenshots at the default size.
# Usage: bash scripts/screens.sh [--readme]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh test
cargo build --release --locked
binary=target/release/unknot
out=target/screens
rm -rf "$out"
mkdir -p "$out"
XVFB_SIZE=2000x1200
source scripts/xvfb.sh
data=$(mktemp -d)
played=$(mktemp -d)
trap 'stop_xvfb; rm -rf "$data" "$played"' EXIT
start_xvfb

# A history to show: a year of varied sessions, as the history benchmark
# seeds them. Sessions played for the player and finish screenshots go to
# a folder of their own, so they never show up in it.
cargo run --release --locked --quiet --example history_bench -- 600 --years 1 --keep "$data" >/dev/null
mkdir -p "$data/config" "$played/config"

screens=(library "setup setup:shoulders-to-lower-back" "player play:shoulders-to-lower-back"
         "player-asks ask-quit:quick-tension-break"
         "finish finish:quick-tension-break" "history history" "settings settings"
         "safety safety" "editor edit:endorphin-15")

# Usage: shoot NAME WIDTH HEIGHT SCALE [OPEN]
shoot() {
  local name=$1 width=$2 height=$3 scale=$4 open=${5:-} window app
  local dir=$data
  case "$open" in play:* | finish:* | ask-quit:*) dir=$played ;; esac
  printf 'safety_acknowledged = true\nui_scale = %s\n[window]\nwidth = %s.0\nheight = %s.0\n' \
    "$scale" "$width" "$height" >"$dir/config/preferences.toml"
  local args=(--data-dir "$dir" --quit-after-secs 30) settle=2.5
  case "$open" in
    "") ;;
    # Playing: past the get-ready count, into the first step.
    play:*) args+=(--autoplay "${open#play:}"); settle=8 ;;
    *) args+=(--open "$open") ;;
  esac
  "$binary" "${args[@]}" >"$out/$name.log" 2>&1 &
  app=$!
  if window=$(wait_for_window); then
    sleep "$settle"
    import -window "$window" "$out/$name.png"
    echo "screens: $out/$name.png"
  else
    echo "screens: no window for $name" >&2
  fi
  kill "$app" 2>/dev/null || true
  wait "$app" 2>/dev/null || true
}

for size in 800x600 1024x720 1920x1080; do
  for scale in 1.0 1.5; do
    for entry in "${screens[@]}"; do
      read -r name open <<<"$entry"
      # 1.0 -> 100, 1.5 -> 150
      shoot "$name-$size-${scale/./}0" "${size%x*}" "${size#*x}" "$scale" "${open:-}"
    done
  done
done

if [ "${1:-}" = --readme ]; then
  for name in player history settings editor; do
    cp "$out/$name-1024x720-100.png" "assets/screenshot-$name.png"
  done
  echo "screens: README screenshots refreshed in assets/"
fi
echo "screens: $(ls "$out"/*.png | wc -l) screenshots in $out"
