#!/usr/bin/env bash
# Installs what building and testing Scenario Lab needs, idempotently: the wasm32 target and
# wasm-bindgen's test runner at exactly the version in Cargo.lock. Sourced by start.sh and test.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
step() { printf '\n=== %s  [%s]\n' "$*" "$(date +%T)"; }

step "toolchain"
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt

WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' "$ROOT/Cargo.lock")
if ! wasm-bindgen-test-runner --version 2>/dev/null | grep -qx "wasm-bindgen-test-runner $WBG_VERSION"; then
  step "installing wasm-bindgen-cli $WBG_VERSION (about 2 minutes, once)"
  # Not --locked: the registry mirror here lacks some of the CLI's locked versions.
  cargo install wasm-bindgen-cli --version "$WBG_VERSION" --force
fi
command -v node >/dev/null || { echo "node is required for the wasm tests"; exit 1; }

