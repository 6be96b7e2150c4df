// Size and speed of the wasm package against native: `node crates/wasm/bench.mjs` after
// `crates/wasm/build-package.sh`. Prints the gzipped .wasm size and the preflight time of the
// generated 1.6 MB recipes file in Node next to the native time.
import { readFileSync, writeFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";

const root = new URL("../../", import.meta.url).pathname;
const pkgDir = process.env.PKG_DIR ?? `${root}target/npm`;
const require = createRequire(import.meta.url);
const pkg = require(`${pkgDir}/node/scenario_lab_wasm.js`);

const wasmFile = readdirSync(`${pkgDir}/web`).find((f) => f.endsWith("_bg.wasm"));
const wasm = readFileSync(`${pkgDir}/web/${wasmFile}`);
const gz = gzipSync(wasm, { level: 9 }).length;

const large = `${root}target/bench/large.json`;
if (!existsSync(large)) {
  mkdirSync(`${root}target/bench`, { recursive: true });
  const text = execFileSync("cargo", ["run", "-q", "--release", "-p", "scenario-lab-core", "--example", "large_recipes"], { cwd: root, maxBuffer: 1 << 26 });
  writeFileSync(large, text);
}
const ex = (name) => readFileSync(`${root}examples/autonoma/${name}`, "utf8");
const files = { recipes: readFileSync(large, "utf8"), discover: ex("discover.json"), scenarios: ex("scenarios.md"), entityAudit: ex("entity-audit.md") };

for (let i = 0; i < 3; i++) pkg.preflight(files);
// The fastest of 20 runs on both sides: robust against a shared, noisy machine.
let nodeMs = Infinity;
for (let i = 0; i < 20; i++) {
  const t0 = performance.now();
  pkg.preflight(files);
  nodeMs = Math.min(nodeMs, performance.now() - t0);
}
const nativeMs = Number(execFileSync("cargo", ["run", "-q", "--release", "-p", "scenario-lab-core", "--example", "time_preflight", "--", large, "20"], { cwd: root }).toString().trim());

const kb = (n) => (n / 1024).toFixed(1);
console.log(`wasm: ${kb(wasm.length)} KiB raw, ${kb(gz)} KiB gzipped (target <= 200 KB: ${gz <= 200 * 1000 ? "met" : "missed"})`);
console.log(`preflight of ${kb(files.recipes.length)} KiB recipes: node ${nodeMs.toFixed(1)} ms, native ${nativeMs.toFixed(1)} ms, ratio ${(nodeMs / nativeMs).toFixed(2)}x (target <= 3x: ${nodeMs <= 3 * nativeMs ? "met" : "missed"})`);
