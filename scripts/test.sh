#!/usr/bin/env bash
# Runs every check and test of Scenario Lab on a fresh machine (installs what is missing first).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source scripts/setup.sh
export TMPDIR="$ROOT/target/tmp"; rm -rf "$TMPDIR"; mkdir -p "$TMPDIR"
export INSTA_UPDATE=no
LOG="$ROOT/target/test-summary.log"; : > "$LOG"

step "format"
cargo fmt --all -- --check

step "clippy (native, all targets)"
cargo clippy --locked --workspace --all-targets -- -D warnings

step "clippy (wasm32)"
cargo clippy --locked -p scenario-lab-core --target wasm32-unknown-unknown --lib --tests -- -D warnings

step "tests (native)"
cargo test --locked 2>&1 | tee -a "$LOG"

step "core tests on wasm32 (Node)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --locked -p scenario-lab-core --target wasm32-unknown-unknown --test wasm 2>&1 | tee -a "$LOG"

step "summary"
passed=$(grep -Eo '^test result: [a-zA-Z]+\. [0-9]+ passed' "$LOG" | awk '{s+=$4} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed' "$LOG" | awk '{s+=$1} END {print s+0}')
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
