// The built npm package (crates/wasm/build-package.sh) as the dashboard uses it: imported by
// its package name under Node, run on the reference example and on a broken copy.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const pkg = require("@scenario-lab/preflight");
const example = new URL("../../examples/autonoma/", import.meta.url);
const read = (name) => readFileSync(new URL(name, example), "utf8");
const files = {
  recipes: read("scenario-recipes.json"),
  discover: read("discover.json"),
  scenarios: read("scenarios.md"),
  entityAudit: read("entity-audit.md"),
};

test("the reference example passes with no errors or warnings", () => {
  const result = pkg.preflight(files);
  assert.equal(result.summary.errors, 0, JSON.stringify(result.diagnostics, null, 2));
  assert.equal(result.summary.warnings, 0);
  assert.equal(typeof pkg.version(), "string");
});

test("a broken copy reports code, line and UTF-16 column after non-ASCII text", () => {
  const broken = files.recipes
    .replace('"userId": {', '"note": "Zoë 🚀", "userId": {')
    .replace('"_ref": "olivia"', '"_ref": "olivai"');
  const result = pkg.preflight({ ...files, recipes: broken });
  const d = result.diagnostics.find((d) => d.code === "recipe/unknown-alias");
  assert.ok(d, JSON.stringify(result.diagnostics));
  assert.equal(d.severity, "error");
  assert.equal(d.file, "scenario-recipes.json");
  const lines = broken.split("\n");
  const lineIndex = lines.findIndex((l) => l.includes('"olivai"'));
  assert.equal(d.line, lineIndex + 1);
  // JS string indices are UTF-16 code units: exactly what the column must count.
  assert.equal(d.column, lines[lineIndex].indexOf('"olivai"') + 1);
  assert.equal(d.endColumn - d.column, '"olivai"'.length);
  assert.match(d.help, /did you mean `olivia`/);
});

test("resolveRecipe matches the platform and throws its messages", () => {
  const recipe = JSON.parse(files.recipes).recipes[0];
  const create = pkg.resolveRecipe(JSON.stringify(recipe), "run-1");
  assert.equal(create.Organization[0].slug, "acme-run-1");
  assert.equal(create.User[1].email, "adam.admin+run-1@acme.test");
  assert.throws(() => pkg.resolveRecipe('{"create":{"M":[{"a":"{{nope}}"}]}}', "r"), /Unknown recipe variable: nope/);
});

test("parseScenarios and flatten", () => {
  const summary = pkg.parseScenarios(files.scenarios);
  assert.deepEqual(summary.scenarios.map((s) => s.name), ["standard", "empty", "large"]);
  const flat = JSON.parse(pkg.flatten('{"Organization":[{"_alias":"org","name":"A","slug":"a","projects":[{"name":"P","status":"ACTIVE"}]}]}', files.discover));
  assert.equal(flat.Project[0].organizationId._ref, "org");
});

test("the package folder itself can be required (its `main`, for tools without `exports`)", () => {
  const folder = new URL("./node_modules/@scenario-lab/preflight/", import.meta.url).pathname;
  const byFolder = require(folder);
  assert.equal(typeof byFolder.preflight, "function");
});
