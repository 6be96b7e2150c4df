#!/usr/bin/env bash
# The main job on the embedded default: builds scenario-lab and runs the preflight on the
# reference example workspace (examples/autonoma). Pass a folder to check your own.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source scripts/setup.sh
step "build"
cargo build --locked --release -p scenario-lab
step "preflight"
exec "$ROOT/target/release/scenario-lab" preflight --dir "${1:-examples/autonoma}"
