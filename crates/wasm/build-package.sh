#!/usr/bin/env bash
# Builds the npm package of the wasm preflight: crates/wasm/build-package.sh [OUT_DIR] (default target/npm).
# Release settings for size (opt-level z, LTO, one codegen unit, panic=abort), wasm-opt -Oz when a
# wasm-opt >= 116 is on PATH (tests/node installs binaryen 132; Debian's 108 breaks the module).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${1:-$ROOT/target/npm}
case "$OUT" in /*) ;; *) OUT="$PWD/$OUT" ;; esac
export PATH="$ROOT/tests/node/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
cd "$ROOT"

cargo build --locked --profile wasm-release --target wasm32-unknown-unknown -p scenario-lab-wasm
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
WASM="$TARGET_DIR/wasm32-unknown-unknown/wasm-release/scenario_lab_wasm.wasm"
VERSION=$(awk -F'"' '/^version = /{print $2; exit}' "$ROOT/Cargo.toml")

rm -rf "$OUT"; mkdir -p "$OUT"
wasm-bindgen --target web --out-dir "$OUT/web" "$WASM"
wasm-bindgen --target nodejs --out-dir "$OUT/node" "$WASM"

wo=$(wasm-opt --version 2>/dev/null | sed -n 's/.*version \([0-9][0-9]*\).*/\1/p' || true)
if [ "${wo:-0}" -ge 116 ]; then
  for f in "$OUT"/web/*_bg.wasm "$OUT"/node/*_bg.wasm; do
    wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue "$f" -o "$f"
  done
else
  echo "note: no wasm-opt >= 116 on PATH; the package is not size-optimised by wasm-opt" >&2
fi

cat > "$OUT/package.json" <<JSON
{
  "name": "@scenario-lab/preflight",
  "version": "$VERSION",
  "description": "Scenario Lab's offline preflight and recipe language service for Environment Factory recipes, compiled to WebAssembly.",
  "license": "MIT OR Apache-2.0",
  "files": ["web", "node", "README.md"],
  "main": "./node/scenario_lab_wasm.js",
  "exports": {
    ".": {
      "node": { "types": "./node/scenario_lab_wasm.d.ts", "default": "./node/scenario_lab_wasm.js" },
      "default": { "types": "./web/scenario_lab_wasm.d.ts", "default": "./web/scenario_lab_wasm.js" }
    }
  },
  "types": "./web/scenario_lab_wasm.d.ts",
  "sideEffects": false
}
JSON

cp "$ROOT/crates/wasm/README.md" "$OUT/README.md"
for f in "$OUT"/web/*_bg.wasm; do
  echo "built $OUT: $(stat -c %s "$f") bytes wasm, $(gzip -9c "$f" | wc -c) bytes gzipped"
done
