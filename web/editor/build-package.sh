#!/usr/bin/env bash
# Builds the npm package @scenario-lab/codemirror: web/editor/build-package.sh [OUT_DIR]
# (default target/npm-codemirror). ESM for bundlers; CodeMirror is a peer dependency,
# @scenario-lab/preflight a dependency (its wasm loads in the package's worker), and
# @scenario-lab/packs an optional peer (`@scenario-lab/codemirror/packs` only).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${1:-$ROOT/target/npm-codemirror}
case "$OUT" in /*) ;; *) OUT="$PWD/$OUT" ;; esac
HERE="$ROOT/web/editor"
VERSION=$(awk -F'"' '/^version = /{print $2; exit}' "$ROOT/Cargo.toml")
rm -rf "$OUT"; mkdir -p "$OUT"
node "$HERE/build.mjs" --package "$OUT"
cp "$HERE/src/package/index.d.ts" "$HERE/src/package/packs.d.ts" "$OUT/"
cp "$HERE/src/package/README.md" "$OUT/README.md"
cat > "$OUT/package.json" <<JSON
{
  "name": "@scenario-lab/codemirror",
  "version": "$VERSION",
  "description": "Scenario Lab's recipe editor as one CodeMirror 6 extension: live preflight, quick fixes, completion, hover, navigation and rename, answered in a Web Worker.",
  "license": "MIT OR Apache-2.0",
  "type": "module",
  "files": ["index.js", "index.d.ts", "packs.js", "packs.d.ts", "worker.js", "pack-worker.js", "README.md"],
  "exports": {
    ".": { "types": "./index.d.ts", "default": "./index.js" },
    "./packs": { "types": "./packs.d.ts", "default": "./packs.js" }
  },
  "types": "./index.d.ts",
  "dependencies": { "@scenario-lab/preflight": "$VERSION" },
  "peerDependencies": {
    "@codemirror/autocomplete": "^6.18.0",
    "@codemirror/commands": "^6.8.0",
    "@codemirror/lang-json": "^6.0.1",
    "@codemirror/lang-markdown": "^6.3.0",
    "@codemirror/lang-yaml": "^6.1.0",
    "@codemirror/language": "^6.10.0",
    "@codemirror/lint": "^6.8.0",
    "@codemirror/state": "^6.5.0",
    "@codemirror/view": "^6.35.0",
    "@scenario-lab/packs": "$VERSION"
  },
  "peerDependenciesMeta": { "@scenario-lab/packs": { "optional": true } }
}
JSON
size() { gzip -9c "$1" | wc -c; }
echo "built $OUT: index.js $(size "$OUT/index.js") bytes gzipped, worker.js $(size "$OUT/worker.js"), packs.js $(size "$OUT/packs.js") (CodeMirror and the wasm not included)"
