#!/usr/bin/env bash
# Installs the system packages unknot needs on Debian or Ubuntu, only if missing.
#   bash scripts/install-deps.sh        # to build and run the app
#   bash scripts/install-deps.sh package  # also what `make deb` and its check use
#   bash scripts/install-deps.sh test   # also what the tests use
#   bash scripts/install-deps.sh bench  # also Workrave, the benchmark's peer
set -euo pipefail

mode=${1:-run}
# Spoken guidance goes through the desktop's speech service with an
# espeak-ng voice; without them the app plays tones only.
packages=(pkg-config libasound2-dev libx11-6 libxcursor1 libxrandr2 libxi6
          libxkbcommon-x11-0 libgl1 libegl1 libgl1-mesa-dri
          speech-dispatcher speech-dispatcher-espeak-ng)
if [ "$mode" = package ] || [ "$mode" = test ]; then
  # make deb: dpkg-shlibdeps for the dependencies, and the validators
  # distributions use; the package check starts the window under Xvfb.
  packages+=(dpkg-dev desktop-file-utils appstream xvfb xdotool imagemagick x11-utils)
fi
if [ "$mode" = bench ]; then
  # make bench measures the app beside Workrave, a break reminder, each on
  # its own X display; it also uses everything the tests use.
  mode=test
  packages+=(workrave)
fi
if [ "$mode" = test ]; then
  # The speech tests run a private speech service whose sound goes to a
  # PulseAudio null sink, recorded with parec.
  packages+=(xvfb xdotool imagemagick x11-utils procps
             dbus at-spi2-core python3-pyatspi libglib2.0-bin
             espeak-ng pulseaudio pulseaudio-utils)
fi

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed"; then
      missing+=("$package")
    fi
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing system packages: ${missing[*]}"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
else
  echo "Not a Debian/Ubuntu system: install the equivalents of ${packages[*]} yourself." >&2
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "Rust is not installed. Install it with rustup (Rust 1.95 or newer), then run this again." >&2
  exit 1
fi
