#!/usr/bin/env bash
# Hands-free checks of the release binary in a real window, run by the smoke
# test inside a private session bus (dbus-run-session) with a private speech
# service: the voice speaks after each cue, the media-player interface is
# published while a session plays and pauses it (the title says so), and the
# timing of cues and speech is printed.
# The app's own cues go to the same recorded sound server (through ALSA's
# PulseAudio plugin), so cues and speech share one speaker as on a desktop.
# Usage: hands_free.sh BINARY DATA_DIR SPEECH_SOCKET CAPTURE PULSE_SERVER OUT_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$1 data=$2 socket=$3 capture=$4 pulse=$5 out=$6
source scripts/xvfb.sh
failures=0
fail() { echo "hands-free: FAIL: $*" >&2; failures=$((failures + 1)); }

mkdir -p "$data/sessions"
cat >"$data/sessions/voice-check.toml" <<'TOML'
id = "voice-check"
name = "Voice check"
summary = "Four short steps to hear the voice."
tools = ["hands"]

[[steps]]
title = "Neck strokes"
region = "neck"
technique = "stroking"
tool = "hands"
pressure = "light"
side = "both"
duration_secs = 12
instructions = "Glide from the skull to the shoulder."
say = "Slow glides, beside the spine."

[[steps]]
title = "Shoulder squeeze"
region = "shoulders"
technique = "kneading"
tool = "hands"
pressure = "medium"
side = "left"
duration_secs = 10
instructions = "Squeeze and let go."

[[steps]]
title = "Knuckle circles"
region = "lower_back"
technique = "kneading"
tool = "hands"
pressure = "medium"
side = "center"
duration_secs = 10
instructions = "Small circles beside the spine."

[[steps]]
title = "Breathe"
region = "whole_back"
technique = "breathing"
tool = "none"
pressure = "light"
side = "center"
duration_secs = 10
instructions = "Slow breaths."
TOML

mpris() {
  gdbus call --session --dest org.mpris.MediaPlayer2.unknot \
    --object-path /org/mpris/MediaPlayer2 --method "org.mpris.MediaPlayer2.Player.$1"
}
published() {
  gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner org.mpris.MediaPlayer2.unknot 2>/dev/null | grep -q true
}

mkdir -p "$data/home"
printf 'pcm.!default { type pulse }\nctl.!default { type pulse }\n' >"$data/home/.asoundrc"
HOME="$data/home" PULSE_SERVER="$pulse" SPEECHD_ADDRESS="unix_socket:$socket" "$binary" --data-dir "$data" --autoplay voice-check \
  --quit-after-secs 50 --timing-log "$out/hands-free-timing.log" >"$out/hands-free.log" 2>&1 &
app=$!
if window=$(wait_for_window); then
  for _ in $(seq 1 50); do published && break; sleep 0.1; done
  if published; then
    echo "hands-free: the session is published as a media player"
    sleep 8
    mpris PlayPause >/dev/null || fail "PlayPause was refused"
    sleep 1.5
    title=$(xdotool getwindowname "$window" 2>/dev/null || true)
    if [[ "$title" == Paused\ ·\ * ]]; then
      echo "hands-free: the media key paused the session: \"$title\""
    else
      fail "after PlayPause the title is \"$title\""
    fi
    import -window root "$out/hands-free-paused.png"
    sleep 3
    mpris PlayPause >/dev/null || fail "PlayPause (resume) was refused"
  else
    fail "no media player on the session bus while playing"
  fi
else
  fail "no window for the hands-free checks"
fi
wait "$app" || fail "the app exited with an error"

# Speech lines: "Speech <held back for the cue, µs> <handed over → began, µs>".
if [ -f "$out/hands-free-timing.log" ]; then
  awk '
    $1 == "Speech" { n++; held[n] = $2 / 1000; after_sound[n] = ($3 - $2) / 1000; total[n] = $3 / 1000 }
    $1 == "StepStart" { cues++; late += $2 / 1000 }
    END {
      if (cues) printf "hands-free: %d step-start cues, mean %.2f ms after their boundary\n", cues, late / cues
      for (i = 1; i <= n; i++) printf "hands-free: line %d began %.0f ms after it was handed over (held %.0f ms for its cue'"'"'s sound, then %.1f ms)\n", i, total[i], held[i], after_sound[i]
    }' "$out/hands-free-timing.log"
  lines=$(grep -c '^Speech ' "$out/hands-free-timing.log" || true)
  [ "$lines" -ge 6 ] || fail "only $lines spoken lines began"
else
  fail "no timing log"
fi
loud=$(od -An -t d2 -v -w2 "$capture" | awk '{ v = $1 < 0 ? -$1 : $1; if (v > m) m = v } END { print m + 0 }')
if [ "$loud" -gt 1000 ]; then
  echo "hands-free: the cues and the voice reached the recorded sound server (peak $loud)"
else
  fail "the recorded speech is silent (peak $loud)"
fi
exit "$failures"
