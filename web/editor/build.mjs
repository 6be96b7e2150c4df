// Bundles the code view and its worker with esbuild into web/editor/dist; Trunk's pre_build
// hook runs it (index.html copies the two files into the editor's dist/). Installs the pinned
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
await build({ ...common, entryPoints: ["src/editor.js"], outfile: "dist/editor.js", format: "iife" });
await build({ ...common, entryPoints: ["src/worker.js"], outfile: "dist/worker.js", format: "esm" });
