#!/usr/bin/env bash
# Sets up what is missing, builds unknot in release mode and starts it.
# Extra arguments go to the app, e.g. `bash scripts/run.sh --autoplay endorphin-15`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh run
cargo run --release --locked -- "$@"
