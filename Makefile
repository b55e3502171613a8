# Shortcuts for the scripts; each script installs what it needs first.
.PHONY: run test bench smoke a11y screens cues fuzz deb deb-check
run:
	bash scripts/run.sh
test:
	bash scripts/test.sh
bench:
	bash scripts/bench.sh
# The Debian package in target/debian/ (cargo-deb); deb-check also
# validates it and starts the packaged window.
deb:
	bash scripts/package.sh
deb-check:
	bash scripts/package.sh check
smoke:
	cargo build --release --locked && bash scripts/smoke.sh target/release/unknot
# Real-window screenshots of every screen at three sizes and two text sizes.
screens:
	bash scripts/screens.sh
# Read the real window's accessibility tree over AT-SPI (a private bus).
a11y:
	cargo build --release --locked && bash scripts/a11y.sh target/release/unknot
# Regenerate the built-in cue sounds and the icon.
cues:
	cargo run --example make_cues && cargo run --example make_icon
# Fuzz the routine parser, the preferences parser and the custom-sound check:
#   make fuzz              # 60 seconds per target
#   make fuzz SECONDS=600 TARGET=sound SEED=7
SECONDS ?= 60
TARGET ?= all
SEED ?= 0
fuzz:
	cargo run --release --locked --example fuzz -- --seconds $(SECONDS) --target $(TARGET) $(if $(filter-out 0,$(SEED)),--seed $(SEED),)
