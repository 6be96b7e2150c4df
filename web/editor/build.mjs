// Bundles the code view and its worker with esbuild into web/editor/dist; Trunk's pre_build
// hook runs it (index.html copies the two files into the editor's dist/). With `--package OUT`
// it builds @scenario-lab/codemirror's modules instead (web/editor/build-package.sh). Installs the pinned
// npm packages first when package-lock.json changed since the last install (idempotent).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const here = new URL(".", import.meta.url).pathname;
const stamp = `${here}node_modules/.scenario-lab-lock`;
const lock = readFileSync(`${here}package-lock.json`, "utf8");
if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== lock) {
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: here, stdio: "inherit" });
  writeFileSync(stamp, lock);
}
const { build } = await import("esbuild");
const common = { bundle: true, minify: true, legalComments: "none", target: "es2022", logLevel: "warning", absWorkingDir: here };
const packageOut = process.argv[process.argv.indexOf("--package") + 1];
if (process.argv.includes("--package")) {
  // @scenario-lab/codemirror (web/editor/build-package.sh): ESM entries; CodeMirror and the wasm
  // packages stay imports for the app's bundler.
  await build({
    ...common,
    minify: false,
    entryPoints: ["src/package/index.js", "src/package/packs.js", "src/package/worker.js", "src/package/pack-worker.js"],
    outdir: packageOut,
    format: "esm",
    external: ["@codemirror/*", "@lezer/*", "@scenario-lab/*"],
  });
} else {
  await build({ ...common, entryPoints: ["src/editor.js"], outfile: "dist/editor.js", format: "iife" });
  await build({ ...common, entryPoints: ["src/worker.js"], outfile: "dist/worker.js", format: "esm" });
}
