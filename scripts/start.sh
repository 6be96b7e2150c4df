#!/usr/bin/env bash
# The main job on the embedded default: builds scenario-lab and runs `scenario-lab demo`, the
# embedded Environment Factory on SQLite with the reference example workspace. It proves every
# scenario once (printing the summary), then serves the editor's API until Ctrl-C.
# Pass a folder to use another workspace (an empty folder gets the example).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source scripts/setup.sh
step "build"
cargo build --locked --release -p scenario-lab
step "demo"
exec "$ROOT/target/release/scenario-lab" demo --dir "${1:-target/demo/autonoma}"
