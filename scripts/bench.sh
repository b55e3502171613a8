#!/usr/bin/env bash
# Benchmark of the release binary under Xvfb. Prints figures; asserts nothing.
#   - unknot playing beside Workrave (CPU, RssAnon, ms per frame), drawn the
#     automatic way and then forced through OpenGL (scripts/bench-peer.sh)
#   - time from launch to the first drawn frame (5 launches)
#   - memory (total RSS and the process's own anonymous RssAnon) while a routine plays
#   - CPU used over 60 s of playback, as % of one core
#   - microseconds to paint a countdown tick on the processor (render tests)
#   - how late the conductor fires step boundaries on the real clock
#     (p50 / p99 / max over a routine of many 1-second steps)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh bench
cargo build --release --locked
binary=target/release/unknot
bash scripts/bench-peer.sh "$binary"
bash scripts/bench-peer.sh "$binary" --drawing gl
source scripts/xvfb.sh
work=$(mktemp -d)
trap 'stop_xvfb; rm -rf "$work"' EXIT
start_xvfb
export RUST_LOG=warn

echo "== Launch to first frame (targets: <= 150 ms)"
for run in 1 2 3 4 5; do
  UNKNOT_FIRST_FRAME_FILE="$work/first-frame-$run" "$binary" --data-dir "$work/data" --quit-after-secs 2 >/dev/null 2>&1
  micros=$(cat "$work/first-frame-$run")
  awk -v r="$run" -v us="$micros" 'BEGIN { printf "  launch %d: %.1f ms\n", r, us / 1000 }'
done

echo "== Playing the 15-minute endorphin routine for 70 s"
"$binary" --data-dir "$work/data" --autoplay endorphin-15 --quit-after-secs 75 >/dev/null 2>&1 &
app=$!
sleep 10
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$app/stat"; }
ticks_per_sec=$(getconf CLK_TCK)
start_ticks=$(cpu_ticks)
start_ns=$(date +%s%N)
rss_kb=$(awk '/^VmRSS/ { print $2 }' "/proc/$app/status")
anon_kb=$(awk '/^RssAnon/ { print $2 }' "/proc/$app/status")
# Anonymous pages inside the GL driver's own libraries (relocated data of libLLVM, swrast).
driver_kb=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { lib = ($6 ~ /(LLVM|dri|gallium|mesa)/) }
                 /^Anonymous:/ && lib { sum += $2 } END { print sum + 0 }' "/proc/$app/smaps")
sleep 60
end_ticks=$(cpu_ticks)
end_ns=$(date +%s%N)
peak_anon_kb=$(awk '/^RssAnon/ { print $2 }' "/proc/$app/status")
wait "$app" || true
awk -v rss="$rss_kb" -v anon="$anon_kb" -v peak="$peak_anon_kb" -v driver="$driver_kb" 'BEGIN {
  printf "  RSS total: %.1f MB (mostly the software GL driver under Xvfb)\n", rss / 1024
  printf "  RssAnon:   %.1f MB at 10 s, %.1f MB at 70 s (target <= 30 MB)\n", anon / 1024, peak / 1024
  printf "             of which %.1f MB is anonymous data inside the GL driver libraries\n", driver / 1024 }'
awk -v t="$((end_ticks - start_ticks))" -v hz="$ticks_per_sec" -v ns="$((end_ns - start_ns))" 'BEGIN {
  printf "  CPU over %.0f s: %.2f %% of one core (target <= 0.5 %%)\n", ns / 1e9, 100 * (t / hz) / (ns / 1e9) }'

echo "== Conductor boundary error, real clock, 90 steps of 1 s (target p99 <= 5 ms)"
mkdir -p "$work/data/sessions"
{
  printf 'id = "bench-many-steps"\nname = "Benchmark"\nsummary = "Many short steps."\n'
  for step in $(seq 1 90); do
    printf '\n[[steps]]\ntitle = "Step %d"\nregion = "neck"\ntechnique = "stroking"\ntool = "hands"\npressure = "light"\nside = "center"\nduration_secs = 1\ninstructions = "x"\n' "$step"
  done
} > "$work/data/sessions/bench-many-steps.toml"
"$binary" --data-dir "$work/data" --autoplay bench-many-steps --quit-after-secs 100 --timing-log "$work/timings" >/dev/null 2>&1
grep -E '^(StepStart|SessionEnd) ' "$work/timings" | awk '{ print $2 }' | sort -n > "$work/boundaries"
awk '{ v[NR] = $1 } END {
  n = NR; p50 = v[int((n - 1) * 0.50) + 1]; p99 = v[int((n - 1) * 0.99) + 1]; max = v[n]
  printf "  %d boundaries: p50 %.3f ms, p99 %.3f ms, max %.3f ms\n", n, p50 / 1000, p99 / 1000, max / 1000 }' "$work/boundaries"

echo "== Painting a countdown tick on the processor (a 1024x720 frame, only what changed)"
cargo test --release --locked --quiet --lib paint_cost -- --ignored --nocapture 2>/dev/null | grep '^paint:'

echo "== History: 100,000 sessions (targets: open + stats + first page <= 50 ms, one append <= 2 ms)"
cargo run --release --locked --quiet --example history_bench -- 100000
