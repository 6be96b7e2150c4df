#!/usr/bin/env bash
# The main job on the embedded default: builds the editor and scenario-lab, then runs
# `scenario-lab demo`, the embedded Environment Factory on SQLite with the reference example
# workspace. It proves every scenario once (printing the summary), then serves the editor (open the
# printed editor: URL) until Ctrl-C.
# Pass a folder to use another workspace (an empty folder gets the example).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source scripts/setup.sh
build_editor
step "build"
cargo build --locked --release -p scenario-lab
step "demo"
exec "$TARGET_DIR/release/scenario-lab" demo --dist "$ROOT/dist" --dir "${1:-target/demo/autonoma}"
