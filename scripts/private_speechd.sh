#!/usr/bin/env bash
# private_speechd.sh -- run a private, throw-away Speech Dispatcher (espeak-ng) in a directory.
#
#   private_speechd.sh [start] DIR [pulse|alsa|auto]   (default: auto = pulse, falling back to alsa)
#   private_speechd.sh stop DIR
#
# start prints (and writes to DIR/instance.env):
#   SOCKET=...        SSIP unix socket  (use SPEECHD_ADDRESS=unix_socket:$SOCKET for libspeechd tools)
#   CAPTURE=...       raw audio file: s16le, mono, 22050 Hz
#   BACKEND=pulse|alsa
#   PULSE_SERVER=...  (pulse backend only) ; MONITOR=speechd_null.monitor
#   SPEECHD_PID=... MODULE_PID=... PARECORD_PID=... PULSE_PID=...   (PIDs to kill; or use "stop")
#
# Tested on Debian 12: speech-dispatcher 0.11.4, espeak-ng 1.51, pulseaudio 16.1, headless, no sound card.
set -euo pipefail

die() { echo "private_speechd: $*" >&2; exit 1; }

mode=start
case "${1:-}" in
  start|stop) mode=$1; shift ;;
esac
[ $# -ge 1 ] || die "usage: $0 [start] DIR [pulse|alsa|auto] | $0 stop DIR"
BACKEND_REQ=${2:-auto}
case "$BACKEND_REQ" in pulse|alsa|auto) ;; *) die "unknown backend $BACKEND_REQ (pulse|alsa|auto)" ;; esac
if [ "$mode" = stop ] && [ ! -d "$1" ]; then echo "private_speechd: no such dir $1" >&2; exit 0; fi
mkdir -p "$1"
DIR=$(cd "$1" && pwd)

SOCK=$DIR/run/speechd.sock
PULSE_SOCK=$DIR/pulse/native
CAPTURE=$DIR/capture.raw
RATE=22050

# pid helpers -----------------------------------------------------------------
# a zombie (exited, not yet reaped -- our children get re-parented to PID 1) counts as dead
alive() {
  [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
  local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ "$st" != Z ] && [ "$st" != X ]
}
stop_pid() {  # stop_pid PID NAME TIMEOUT_TENTHS
  local pid=$1 name=$2 t=${3:-30} i
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < t; i++)); do alive "$pid" || return 0; sleep 0.1; done
  echo "private_speechd: $name ($pid) ignored SIGTERM, sending SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 20; i++)); do alive "$pid" || return 0; sleep 0.1; done
}

do_stop() {
  [ -f "$DIR/instance.env" ] || { echo "private_speechd: nothing to stop in $DIR" >&2; return 0; }
  # shellcheck disable=SC1091
  . "$DIR/instance.env"
  # speech-dispatcher polls its termination flag about once a second: SIGTERM -> exit in ~1.2 s.
  # A server whose audio output failed can hang forever in "Closing module", hence the SIGKILL fallback.
  stop_pid "${SPEECHD_PID:-}" speech-dispatcher 40
  stop_pid "${MODULE_PID:-}" sd_espeak-ng 10
  stop_pid "${PARECORD_PID:-}" parec 20
  stop_pid "${PULSE_PID:-}" pulseaudio 30
  rm -f "$SOCK" "$PULSE_SOCK" "$DIR/instance.env"   # speech-dispatcher leaves its socket file behind
  echo "STOPPED=$DIR"
}

if [ "$mode" = stop ]; then do_stop; exit 0; fi

# start -------------------------------------------------------------------------
[ -f "$DIR/instance.env" ] && die "$DIR already has a running instance (run: $0 stop $DIR)"
command -v speech-dispatcher >/dev/null || die "speech-dispatcher not installed"
[ -x /usr/lib/speech-dispatcher-modules/sd_espeak-ng ] || die "speech-dispatcher-espeak-ng not installed"
# sun_path is 108 bytes: keep DIR short (e.g. mktemp -d /tmp/sd.XXXXXX)
[ ${#SOCK} -lt 100 ] || die "socket path too long (${#SOCK} bytes): $SOCK"

mkdir -p "$DIR"/{home,run,conf/modules,log,pulse}
chmod 700 "$DIR/run" "$DIR/pulse"
rm -f "$SOCK" "$PULSE_SOCK" "$CAPTURE"
: >"$CAPTURE"

# Clean environment for every child: nothing from the caller's session leaks in
# (no user XDG_RUNTIME_DIR -> cannot reach the user's real speechd / pulse / dbus).
BASE_ENV=(env -i "PATH=/usr/bin:/bin:/usr/sbin:/sbin" "LANG=C.UTF-8"
  "HOME=$DIR/home" "XDG_RUNTIME_DIR=$DIR/run"
  "XDG_CONFIG_HOME=$DIR/home/.config" "XDG_DATA_HOME=$DIR/home/.local/share"
  "XDG_CACHE_HOME=$DIR/home/.cache" "TMPDIR=$DIR/run")

PULSE_PID="" PARECORD_PID="" BACKEND=""

start_pulse() {
  command -v pulseaudio >/dev/null && command -v parec >/dev/null || return 1
  "${BASE_ENV[@]}" "PULSE_RUNTIME_PATH=$DIR/pulse" "PULSE_STATE_PATH=$DIR/pulse" \
    setsid pulseaudio -n --daemonize=no --system=no --exit-idle-time=-1 --use-pid-file=no \
      --disable-shm=yes --realtime=no --high-priority=no \
      --log-target="file:$DIR/log/pulseaudio.log" \
      -L "module-null-sink sink_name=speechd_null rate=$RATE channels=1" \
      -L "module-native-protocol-unix socket=$PULSE_SOCK auth-anonymous=1" \
      </dev/null >"$DIR/log/pulseaudio.out" 2>&1 &
  PULSE_PID=$!
  local i
  for ((i = 0; i < 100; i++)); do   # up to 10 s
    alive "$PULSE_PID" || { PULSE_PID=""; return 1; }
    if [ -S "$PULSE_SOCK" ] && "${BASE_ENV[@]}" "PULSE_SERVER=unix:$PULSE_SOCK" pactl info >/dev/null 2>&1; then
      break
    fi
    sleep 0.1
  done
  [ -S "$PULSE_SOCK" ] || { stop_pid "$PULSE_PID" pulseaudio; PULSE_PID=""; return 1; }
  # Record everything that reaches the null sink (real-time, includes silence between utterances).
  "${BASE_ENV[@]}" "PULSE_SERVER=unix:$PULSE_SOCK" \
    setsid parec --device=speechd_null.monitor --raw --format=s16le --rate=$RATE --channels=1 \
      --latency-msec=10 "$CAPTURE" </dev/null >"$DIR/log/parec.out" 2>&1 &
  PARECORD_PID=$!
  sleep 0.2
  alive "$PARECORD_PID" || { stop_pid "$PULSE_PID" pulseaudio; PULSE_PID=""; PARECORD_PID=""; return 1; }
  BACKEND=pulse
}

case "$BACKEND_REQ" in
  pulse) start_pulse || die "pulseaudio backend failed (see $DIR/log/pulseaudio.*)" ;;
  auto) start_pulse || { echo "private_speechd: pulse failed, using alsa file output" >&2; BACKEND=alsa; } ;;
  alsa) BACKEND=alsa ;;
  *) die "unknown backend $BACKEND_REQ" ;;
esac

if [ "$BACKEND" = pulse ]; then
  AUDIO_CONF="AudioOutputMethod \"pulse\"
AudioPulseDevice \"speechd_null\""
  # NB: speechd.conf's AudioPulseServer is ignored by 0.11.4; PULSE_SERVER in the env is what works.
  SD_ENV=("${BASE_ENV[@]}" "PULSE_SERVER=unix:$PULSE_SOCK")
else
  # ALSA 'file' plugin over 'null': raw PCM is appended to $CAPTURE. NB: the null slave has no clock,
  # so playback runs faster than real time (702 END arrives ~30 ms after 701 BEGIN).
  cat >"$DIR/home/.asoundrc" <<EOF
pcm.speechd_capture {
  type file
  slave { pcm "null" }
  file "$CAPTURE"
  format "raw"
}
EOF
  AUDIO_CONF="AudioOutputMethod \"alsa\"
AudioALSADevice \"speechd_capture\""
  SD_ENV=("${BASE_ENV[@]}")
fi

cat >"$DIR/conf/speechd.conf" <<EOF
CommunicationMethod "unix_socket"
SocketPath "$SOCK"
Timeout 0
LogLevel 2
LogDir "$DIR/log"
DefaultVolume 100
DefaultRate 0
DefaultLanguage "en"
DefaultPriority "message"
$AUDIO_CONF
AddModule "espeak-ng" "sd_espeak-ng" "espeak-ng.conf"
DefaultModule espeak-ng
DisableAutoSpawn
EOF
cat >"$DIR/conf/modules/espeak-ng.conf" <<'EOF'
EspeakPunctuationList "@+_"
EspeakCapitalPitchRise 0
EspeakMinRate 80
EspeakNormalRate 170
EspeakMaxRate 449
EspeakAudioChunkSize 300
EspeakAudioQueueMaxSize 441000
EspeakIndexing 1
EspeakMbrola 0
EOF

T0=$(date +%s%N)
"${SD_ENV[@]}" setsid speech-dispatcher --run-single --timeout 0 \
  --config-dir "$DIR/conf" --socket-path "$SOCK" --log-dir "$DIR/log" \
  --pid-file "$DIR/run/speechd.pid" --log-level 2 \
  </dev/null >"$DIR/log/speech-dispatcher.out" 2>&1 &
SPEECHD_PID=$!

for ((i = 0; i < 150; i++)); do   # up to 15 s; typically ~0.35 s
  alive "$SPEECHD_PID" || break
  [ -S "$SOCK" ] && break
  sleep 0.02
done
READY_MS=$((($(date +%s%N) - T0) / 1000000))
MODULE_PID=$(pgrep -P "$SPEECHD_PID" -f sd_espeak-ng || true)

cat >"$DIR/instance.env" <<EOF
SOCKET=$SOCK
CAPTURE=$CAPTURE
BACKEND=$BACKEND
SPEECHD_ADDRESS=unix_socket:$SOCK
SPEECHD_PID=$SPEECHD_PID
MODULE_PID=$MODULE_PID
PARECORD_PID=$PARECORD_PID
PULSE_PID=$PULSE_PID
EOF
if [ "$BACKEND" = pulse ]; then
  printf 'PULSE_SERVER=unix:%s\nMONITOR=speechd_null.monitor\n' "$PULSE_SOCK" >>"$DIR/instance.env"
fi

if ! alive "$SPEECHD_PID" || [ ! -S "$SOCK" ]; then
  cat "$DIR/log/speech-dispatcher.out" >&2 || true
  do_stop >/dev/null
  die "speech-dispatcher did not come up (see $DIR/log)"
fi

cat "$DIR/instance.env"
echo "READY_MS=$READY_MS"
echo "PIDS=\"$SPEECHD_PID $MODULE_PID $PARECORD_PID $PULSE_PID\""
