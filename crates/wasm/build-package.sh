#!/usr/bin/env bash
# Builds an npm package of the wasm core:
#   crates/wasm/build-package.sh [OUT_DIR]          @scenario-lab/preflight (default target/npm)
#   crates/wasm/build-package.sh --packs [OUT_DIR]  @scenario-lab/packs, the ANIP pack check (default target/npm-packs)
# Release settings for size (the `wasm-package` profile: opt-level z, LTO, one codegen unit, panic=abort), wasm-opt -Oz when a
# wasm-opt >= 116 is on PATH (tests/node installs binaryen 132; Debian's 108 breaks the module).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PACKAGE=preflight; FEATURES=exports; NAME=scenario_lab_wasm
if [ "${1:-}" = "--packs" ]; then
  shift; PACKAGE=packs; FEATURES=packs; NAME=scenario_lab_packs
fi
OUT=${1:-$ROOT/target/npm$([ "$PACKAGE" = packs ] && echo -packs)}
case "$OUT" in /*) ;; *) OUT="$PWD/$OUT" ;; esac
export PATH="$ROOT/tests/node/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
cd "$ROOT"

cargo build --locked --profile wasm-package --target wasm32-unknown-unknown -p scenario-lab-wasm \
  --no-default-features --features "$FEATURES"
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
WASM="$TARGET_DIR/wasm32-unknown-unknown/wasm-package/scenario_lab_wasm.wasm"
VERSION=$(awk -F'"' '/^version = /{print $2; exit}' "$ROOT/Cargo.toml")

rm -rf "$OUT"; mkdir -p "$OUT"
wasm-bindgen --target web --out-name "$NAME" --out-dir "$OUT/web" "$WASM"
wasm-bindgen --target nodejs --out-name "$NAME" --out-dir "$OUT/node" "$WASM"

wo=$(wasm-opt --version 2>/dev/null | sed -n 's/.*version \([0-9][0-9]*\).*/\1/p' || true)
if [ "${wo:-0}" -ge 116 ]; then
  for f in "$OUT"/web/*_bg.wasm "$OUT"/node/*_bg.wasm; do
    wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue "$f" -o "$f"
  done
else
  echo "note: no wasm-opt >= 116 on PATH; the package is not size-optimised by wasm-opt" >&2
fi

if [ "$PACKAGE" = packs ]; then
  DESCRIPTION="Scenario Lab's offline check of ANIP scenario packs (scenario-pack/v1), compiled to WebAssembly."
  README=README-packs.md
else
  DESCRIPTION="Scenario Lab's offline preflight and recipe language service for Environment Factory recipes, compiled to WebAssembly."
  README=README.md
fi
cat > "$OUT/package.json" <<JSON
{
  "name": "@scenario-lab/$PACKAGE",
  "version": "$VERSION",
  "description": "$DESCRIPTION",
  "license": "MIT OR Apache-2.0",
  "files": ["web", "node", "README.md"],
  "main": "./node/$NAME.js",
  "exports": {
    ".": {
      "node": { "types": "./node/$NAME.d.ts", "default": "./node/$NAME.js" },
      "default": { "types": "./web/$NAME.d.ts", "default": "./web/$NAME.js" }
    }
  },
  "types": "./web/$NAME.d.ts",
  "sideEffects": false
}
JSON

cp "$ROOT/crates/wasm/$README" "$OUT/README.md"
for f in "$OUT"/web/*_bg.wasm; do
  echo "built $OUT: $(stat -c %s "$f") bytes wasm, $(gzip -9c "$f" | wc -c) bytes gzipped"
done
