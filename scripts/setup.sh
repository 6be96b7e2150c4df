#!/usr/bin/env bash
# Installs what building and testing Scenario Lab needs, idempotently: the wasm32 target,
# wasm-bindgen's CLI at exactly the version in Cargo.lock, Trunk (the editor's bundler), and the
# npm tools (wasm-opt from binaryen, playwright-core, typescript). Sourced by start.sh and test.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
# Cargo's output folder (honours CARGO_TARGET_DIR, relative to the repository when relative).
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
# Trunk maps NO_COLOR to a boolean flag and aborts on NO_COLOR=1; it also pings crates.io otherwise.
if [ "${NO_COLOR:-}" = 1 ]; then export NO_COLOR=true; fi
export TRUNK_SKIP_VERSION_CHECK=true
TRUNK_VERSION=0.21.14   # 0.22 needs rustc 1.96; rust-toolchain.toml follows stable, which is 1.95 here
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
if ! trunk --version 2>/dev/null | grep -qx "trunk $TRUNK_VERSION"; then
  step "installing trunk $TRUNK_VERSION (about 9 minutes, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi
command -v node >/dev/null || { echo "node is required to build the editor and run the browser tests"; exit 1; }
if [ ! -x "$ROOT/tests/node/node_modules/.bin/wasm-opt" ] || [ ! -d "$ROOT/tests/node/node_modules/playwright-core" ] \
   || [ ! -x "$ROOT/tests/node/node_modules/.bin/tsc" ]; then
  step "npm tools (wasm-opt, playwright-core, typescript)"
  (cd "$ROOT/tests/node" && npm ci --no-audit --no-fund)
fi
# npm's wasm-opt (binaryen 132) must shadow Debian's binaryen 108, which breaks the wasm.
export PATH="$ROOT/tests/node/node_modules/.bin:$PATH"

# Builds the editor (web/) into dist/ with Trunk; the proxy serves it.
build_editor() {
  step "editor (trunk build --release)"
  cargo fetch --locked >/dev/null
  trunk build --release --locked --offline
  for f in "$ROOT"/dist/*.wasm "$ROOT"/dist/*.js; do
    echo "$(basename "$f"): $(stat -c %s "$f") bytes, $(gzip -9c "$f" | wc -c) gzipped"
  done
}

