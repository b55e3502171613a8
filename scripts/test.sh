#!/usr/bin/env bash
# The full check: formatting, lints, a real-window smoke test of the release
# binary under Xvfb, then every unit, property, integration and UI test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh test

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --all-targets --locked -- -D warnings
echo "== release build and smoke test under Xvfb"
cargo build --release --locked
bash scripts/smoke.sh target/release/unknot
echo "== cargo test"
cargo test --locked
