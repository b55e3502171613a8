#!/usr/bin/env bash
# The full check: formatting, lints, a real-window smoke test of the release
# binary under Xvfb, its accessibility tree read over AT-SPI, then every unit,
# property, integration and UI test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh test
echo "== disk: $(df -h . | awk 'NR==2 { print $4 " free of " $2 }')"

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --all-targets --locked -- -D warnings
echo "== release build and smoke test under Xvfb"
cargo build --release --locked
bash scripts/smoke.sh target/release/unknot
echo "== the Debian package, checked as a distribution would"
bash scripts/package.sh check
echo "== the real window read through AT-SPI on a private bus"
bash scripts/a11y.sh target/release/unknot
echo "== cargo test"
mkdir -p target
cargo test --locked 2>&1 | tee target/test-output.log
echo "== short fuzz run (make fuzz runs longer)"
cargo run --locked --example fuzz -- --seconds 15 2>&1 | tee target/fuzz-output.log
awk '/^test result:/ { passed += $4; failed += $6 }
     END { printf "all tests: %d passed, %d failed\n", passed, failed }' target/test-output.log
