# Shortcuts for the scripts; each script installs what it needs first.
.PHONY: run test bench smoke cues
run:
	bash scripts/run.sh
test:
	bash scripts/test.sh
bench:
	bash scripts/bench.sh
smoke:
	cargo build --release --locked && bash scripts/smoke.sh target/release/unknot
# Regenerate the built-in cue sounds and the icon.
cues:
	cargo run --example make_cues && cargo run --example make_icon
