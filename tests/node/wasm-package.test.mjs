// The built npm package (crates/wasm/build-package.sh) as the dashboard uses it: imported by
// its package name under Node, run on the reference example and on a broken copy.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const pkg = require("@scenario-lab/preflight");
const packs = require("@scenario-lab/packs");
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

// The language service, as an editor calls it: UTF-16 offsets into the file in, `from`/`to`
// UTF-16 offsets out (the text has non-ASCII characters before the cursor on purpose).
const withEmoji = files.recipes.replace('"userId": {', '"note": "Zoë 🚀", "userId": {');
const input = { ...files, recipes: withEmoji };
const at = (needle, skip = 0) => withEmoji.indexOf(needle) + skip;

test("completion offers the recipe's aliases inside a _ref", () => {
  const ref = withEmoji.indexOf('"_ref": "', at('"note"')) + '"_ref": "'.length;
  const items = pkg.complete(input, "scenario-recipes.json", ref);
  const labels = items.filter((c) => c.kind === "alias").map((c) => c.label);
  assert.ok(labels.includes("olivia"), JSON.stringify(labels));
});

test("hover, definition, references and rename agree on UTF-16 ranges", () => {
  const ref = withEmoji.indexOf('"_ref": "olivia"', at('"note"')) + '"_ref": "'.length + 1;
  const card = pkg.hover(input, "scenario-recipes.json", ref);
  assert.ok(card && /olivia/.test(card.contents), JSON.stringify(card));
  const [decl] = pkg.definition(input, "scenario-recipes.json", ref);
  assert.equal(decl.file, "scenario-recipes.json");
  assert.equal(withEmoji.slice(decl.from, decl.to), '"olivia"');
  const refs = pkg.references(input, "scenario-recipes.json", ref);
  assert.ok(refs.length >= 2);
  for (const r of refs) assert.equal(withEmoji.slice(r.from, r.to), '"olivia"');
  const { edits } = pkg.rename(input, "scenario-recipes.json", ref, "olive");
  assert.equal(edits.length, refs.length);
  let renamed = withEmoji;
  for (const e of [...edits].sort((a, b) => b.from - a.from)) {
    renamed = renamed.slice(0, e.from) + e.newText + renamed.slice(e.to);
  }
  const count = (text, word) => text.split(word).length - 1;
  assert.equal(count(renamed, '"olive"'), edits.length);
  assert.equal(count(renamed, '"olivia"'), count(withEmoji, '"olivia"') - edits.length);
  // Nothing new breaks (the added `note` field is the one error before and after).
  assert.equal(pkg.preflight({ ...input, recipes: renamed }).summary.errors, pkg.preflight(input).summary.errors);
  assert.throws(() => pkg.rename(input, "scenario-recipes.json", ref, "adam"), /already declared/);
  assert.throws(() => pkg.complete(input, "nope.json", 0), /unknown file `nope.json`/);
});

test("outline, folding, selection, format and explain", () => {
  const symbols = pkg.documentSymbols(input, "scenario-recipes.json");
  assert.deepEqual(symbols.map((s) => s.name), JSON.parse(files.recipes).recipes.map((r) => r.name));
  const folds = pkg.foldingRanges(input, "scenario-recipes.json");
  assert.ok(folds.length > 3 && folds.every((f) => f.to > f.from));
  const ranges = pkg.selectionRanges(input, "scenario-recipes.json", at("Zoë"));
  assert.ok(ranges.length > 1 && ranges[0].to - ranges[0].from <= ranges[1].to - ranges[1].from);
  const squashed = JSON.stringify(JSON.parse(withEmoji));
  const edits = pkg.format({ ...input, recipes: squashed }, "scenario-recipes.json");
  let formatted = squashed;
  for (const e of [...edits].sort((a, b) => b.from - a.from)) {
    formatted = formatted.slice(0, e.from) + e.newText + formatted.slice(e.to);
  }
  assert.deepEqual(JSON.parse(formatted), JSON.parse(withEmoji));
  assert.ok(formatted.split("\n").length > 20);
  assert.match(pkg.explain("recipe/unknown-alias"), /alias/);
  assert.equal(pkg.explain("no/such-code"), undefined);
});

test("the preflight package carries no pack check; the packs package does", () => {
  assert.equal(pkg.checkPack, undefined);
  assert.equal(typeof packs.checkPack, "function");
  assert.equal(packs.version(), pkg.version());
});

test("checkPack: an ANIP pack's offline check with UTF-16 positions", () => {
  const pack = "format: scenario-pack/v1\n# ünïcode\nscenarios:\n  - id: grant\n    class: approval_continuation\n    prior: [stpo]\n    request: {grant: {approval_request: apr_1}}\n";
  const result = packs.checkPack(pack, "x.pack.yaml");
  const unknown = result.diagnostics.find((d) => d.code === "pack/unknown-prior");
  assert.ok(unknown, JSON.stringify(result.diagnostics.map((d) => d.code)));
  assert.equal(unknown.file, "scenario.pack.yaml");
  assert.equal(pack.slice(unknown.from, unknown.to), "stpo");
  assert.equal(unknown.line, 6);
  const json = packs.checkPack('{"format": "scenario-pack/v1", "scenarios": [}', "x.pack.json");
  assert.equal(json.diagnostics[0].code, "json/syntax");
});

test("packComplete and packHover: the pack language service with UTF-16 positions", () => {
  const manifest = readFileSync(new URL("../fixtures/anip/valid/approval-chain/manifest.json", import.meta.url), "utf8");
  const pack = "format: scenario-pack/v1\n# ünïcode\nscenarios:\n  - id: stop\n    request:\n      invoke:\n        capability: fixture.r\n";
  const items = packs.packComplete(pack, "x.pack.yaml", manifest, pack.length - 1);
  assert.deepEqual(items.map((c) => c.label), ["fixture.reset_tenant"]);
  assert.equal(items[0].kind, "capability");
  assert.equal(pack.slice(items[0].range.from, items[0].range.to), "fixture.r");
  const card = packs.packHover(pack, "x.pack.yaml", manifest, pack.indexOf("capability:") + 2);
  assert.match(card.contents, /capability/);
  assert.equal(packs.packHover(pack, "x.pack.yaml", undefined, 0)?.contents.includes("scenario-pack/v1") ?? true, true);
});

test("a planner folder's bare recipe and free-form markdown: the dialects, and no false error", () => {
  const recipes = JSON.stringify({ Board: [{ _alias: "sprint", title: "Sprint 12" }], Note: [{ boardId: { _ref: "sprint" }, text: "Ship it" }] });
  const result = pkg.preflight({ recipes, scenarios: "# Scenarios\n\nOne board.\n", folder: ["recipe.json", "integration-prompt.md"] });
  assert.equal(result.summary.errors, 0, JSON.stringify(result.diagnostics, null, 2));
  assert.equal(result.dialects.layout, "planner-copy");
  const byFile = Object.fromEntries(result.dialects.files.map((f) => [f.file, f]));
  assert.equal(byFile["scenario-recipes.json"].form, "bare-create-map");
  assert.equal(byFile["scenarios.md"].dialect, "free-form");
  assert.ok(result.diagnostics.some((d) => d.code === "scenarios/dialect" && d.severity === "info"));
  assert.equal(pkg.parseScenarios("# only prose\n").format, "free-form");
});
