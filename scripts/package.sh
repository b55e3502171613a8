#!/usr/bin/env bash
# The Debian package.
#   bash scripts/package.sh         # build target/debian/unknot_*.deb (make deb)
#   bash scripts/package.sh check   # build, then check it as a distribution would
# The check validates the desktop entry and the AppStream metainfo, lists
# the package's files (target/package/contents.txt), unpacks it into an
# empty root and starts that binary's window under Xvfb, and asks apt
# whether its dependencies resolve here. As root on a machine without
# unknot installed (CI), it also installs the package, runs the installed
# binary and removes it again.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-build}
bash scripts/install-deps.sh package
if ! cargo deb --version >/dev/null 2>&1; then
  echo "== installing cargo-deb (the Cargo packaging tool)"
  cargo install cargo-deb --version 3.8.0 --locked
fi

echo "== release build, man page and completions"
cargo build --release --locked
rm -rf target/generated
target/release/unknot generate target/generated >/dev/null
gzip -9nf target/generated/unknot.1
echo "== cargo deb"
deb=$(cargo deb --no-build --quiet | tail -n 1)
echo "built $deb"
[ "$mode" = check ] || exit 0

out=target/package
rm -rf "$out" && mkdir -p "$out"
failures=0
fail() { echo "package: FAIL: $*" >&2; failures=$((failures + 1)); }

echo "== validate the desktop entry and the metainfo"
desktop-file-validate packaging/io.github.unknot.Unknot.desktop || fail "desktop-file-validate"
# Debian 12's appstream (0.16) does not know the <developer> tag that
# AppStream 1.0 asks for and notes it as an "info"; errors and warnings fail.
appstreamcli validate --no-net packaging/io.github.unknot.Unknot.metainfo.xml || fail "appstreamcli validate"

echo "== package contents"
dpkg-deb --info "$deb" | tee "$out/info.txt"
dpkg-deb --contents "$deb" | awk '{ print $1, $3, $6 }' | tee "$out/contents.txt"
for file in usr/bin/unknot \
  usr/share/applications/io.github.unknot.Unknot.desktop \
  usr/share/metainfo/io.github.unknot.Unknot.metainfo.xml \
  usr/share/icons/hicolor/scalable/apps/io.github.unknot.Unknot.svg \
  usr/share/icons/hicolor/16x16/apps/io.github.unknot.Unknot.png \
  usr/share/icons/hicolor/48x48/apps/io.github.unknot.Unknot.png \
  usr/share/icons/hicolor/256x256/apps/io.github.unknot.Unknot.png \
  usr/share/icons/hicolor/512x512/apps/io.github.unknot.Unknot.png \
  usr/share/man/man1/unknot.1.gz \
  usr/share/bash-completion/completions/unknot \
  usr/share/zsh/vendor-completions/_unknot \
  usr/share/fish/vendor_completions.d/unknot.fish; do
  grep -q " \./$file\$" "$out/contents.txt" || fail "the package has no $file"
done
for dependency in libasound2 libgl1 libxkbcommon0 libwayland-client0; do
  grep -q "Depends:.*$dependency" "$out/info.txt" || fail "Depends does not name $dependency"
done

echo "== unpacked into an empty root"
root=$out/root
mkdir -p "$root"
dpkg-deb -x "$deb" "$root"
binary=$root/usr/bin/unknot
"$binary" --version | grep -q '^unknot ' || fail "the packaged binary does not start"
zcat "$root/usr/share/man/man1/unknot.1.gz" | grep -q '^\.TH unknot 1' || fail "the man page has no title"
zcat "$root/usr/share/man/man1/unknot.1.gz" | grep -q 'remind' || fail "the man page does not list remind"
bash -c "source '$root/usr/share/bash-completion/completions/unknot' && complete -p unknot" >/dev/null ||
  fail "the bash completion does not load"
"$binary" check sessions/*.toml >/dev/null || fail "the packaged binary's check fails"

source scripts/xvfb.sh
data=$(mktemp -d)
trap 'stop_xvfb; rm -rf "$data"' EXIT
start_xvfb
"$binary" --data-dir "$data" --quit-after-secs 12 >"$out/window.log" 2>&1 &
app=$!
if wait_for_window >/dev/null; then
  sleep 1
  import -window root "$out/window.png"
  colours=$(convert "$out/window.png" -format '%k' info:)
  [ "$colours" -gt 20 ] || fail "the packaged binary's window is blank"
  # A second start hands over to the first and exits at once.
  "$binary" --data-dir "$data" >"$out/second.log" 2>&1 || fail "a second start failed"
  grep -q 'already open' "$out/second.log" || fail "a second start did not hand over"
else
  fail "the packaged binary opened no window"
fi
wait "$app" || fail "the packaged binary did not close cleanly"

echo "== dependencies resolve on this system"
apt-get install --simulate --no-install-recommends "$(realpath "$deb")" >"$out/simulate.txt" 2>&1 ||
  { cat "$out/simulate.txt"; fail "apt cannot install the package here"; }

if [ "$(id -u)" -eq 0 ] && ! dpkg-query -W -f='${Status}' unknot 2>/dev/null | grep -q "ok installed"; then
  echo "== installed with apt, run, removed"
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$(realpath "$deb")" >"$out/install.txt" 2>&1; then
    /usr/bin/unknot --version || fail "the installed binary does not start"
    [ -f /usr/share/applications/io.github.unknot.Unknot.desktop ] || fail "no desktop entry installed"
    DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq unknot >/dev/null 2>&1 || fail "apt-get remove"
    [ ! -e /usr/bin/unknot ] || fail "the binary is still there after removal"
  else
    cat "$out/install.txt"
    fail "apt-get install"
  fi
fi

if [ "$failures" -gt 0 ]; then
  echo "package: $failures check(s) failed" >&2
  exit 1
fi
echo "package: all checks passed ($deb, $(wc -l <"$out/contents.txt") entries)"
