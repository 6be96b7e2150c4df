#!/usr/bin/env bash
# Runs every check and test of Scenario Lab on a fresh machine (installs what is missing first).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source scripts/setup.sh
export TMPDIR="$ROOT/target/tmp"; rm -rf "$TMPDIR"; mkdir -p "$TMPDIR"
export INSTA_UPDATE=no
LOG="$ROOT/target/test-summary.log"; : > "$LOG"

step "browser and node tooling"
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

step "PostgreSQL, MariaDB, the Python and TypeScript SDK endpoint apps and the ANIP service"
db_missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || db_missing+=(postgresql)
[ -x /usr/sbin/mariadbd ] || command -v mariadbd >/dev/null 2>&1 || db_missing+=(mariadb-server)
if [ ${#db_missing[@]} -gt 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${db_missing[@]}"
fi
[ -x target/venv/bin/python ] || python3 -m venv target/venv
if ! target/venv/bin/python -c "import autonoma, fastapi, uvicorn, sqlalchemy, psycopg, pymysql" 2>/dev/null; then
  target/venv/bin/pip install -q -r tests/endpoint_app/requirements.txt
fi
# The ANIP service (anip-service + anip-fastapi 0.24.13, Python >= 3.11) in its own venv.
[ -x target/anip-venv/bin/python ] || python3 -m venv target/anip-venv
if ! target/anip-venv/bin/python -c "import anip_service, anip_fastapi, uvicorn" 2>/dev/null; then
  target/anip-venv/bin/pip install -q -r tests/anip_service/requirements.txt
fi
# The TypeScript SDK endpoint app (npm packages pinned by its lockfile).
[ -d tests/ts_endpoint_app/node_modules/@autonoma-ai/sdk ] || (cd tests/ts_endpoint_app && npm ci --no-audit --no-fund)
rm -rf target/e2e; mkdir -p target/e2e

step "format"
cargo fmt --all -- --check

step "clippy (native, all targets)"
cargo clippy --locked --workspace --exclude scenario-lab-web --all-targets -- -D warnings   # web is wasm32-only: linted below

step "clippy (wasm32)"
cargo clippy --locked -p scenario-lab-core -p scenario-lab-wasm -p scenario-lab-web --target wasm32-unknown-unknown --lib --bins --tests -- -D warnings
cargo clippy --locked -p scenario-lab-wasm --target wasm32-unknown-unknown --lib -- -D warnings   # core without `markdown`, as packaged
cargo clippy --locked -p scenario-lab-wasm --target wasm32-unknown-unknown --lib --no-default-features --features packs -- -D warnings   # @scenario-lab/packs

build_editor   # dist/, served by the proxy in the editor's end-to-end test

step "npm packages (preflight, packs, codemirror): build"
# Their own CARGO_TARGET_DIR: the script must honour it (the packages need their own profile anyway).
CARGO_TARGET_DIR="$ROOT/target/npm-build" bash crates/wasm/build-package.sh target/npm
CARGO_TARGET_DIR="$ROOT/target/npm-build" bash crates/wasm/build-package.sh --packs target/npm-packs
bash web/editor/build-package.sh target/npm-codemirror   # the Vite app test installs it
mkdir -p tests/node/node_modules/@scenario-lab
ln -sfn ../../../../target/npm tests/node/node_modules/@scenario-lab/preflight
ln -sfn ../../../../target/npm-packs tests/node/node_modules/@scenario-lab/packs

step "tests (native)"
cargo test --locked 2>&1 | tee -a "$LOG"

step "wasm32 tests: core and the wasm package in Node, the package and the editor's components in headless Chromium"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER=$(command -v chromedriver)
cargo test --locked -p scenario-lab-core -p scenario-lab-wasm -p scenario-lab-web --target wasm32-unknown-unknown --test wasm --test node --test browser --test components 2>&1 | tee -a "$LOG"

step "npm packages: node:test, TypeScript declarations"
(cd tests/node && node --test 2>&1) | tee -a "$LOG"
(cd tests/node && tsc -p tsconfig.json) && echo "tsc --noEmit: declarations compile"

step "summary"
passed=$(( $(grep -Eo '^test result: [a-zA-Z]+\. [0-9]+ passed' "$LOG" | awk '{s+=$4} END {print s+0}') + $(grep -Eo '^# pass [0-9]+' "$LOG" | awk '{s+=$3} END {print s+0}') ))
failed=$(( $(grep -Eo '[0-9]+ failed' "$LOG" | awk '{s+=$1} END {print s+0}') + $(grep -Eo '^# fail [0-9]+' "$LOG" | awk '{s+=$3} END {print s+0}') ))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
