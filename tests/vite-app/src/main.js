// The snippet of @scenario-lab/codemirror's README, on the example workspace with a `_ref` typo.
import { EditorView, basicSetup } from "codemirror";
import { scenarioLab } from "@scenario-lab/codemirror";
import { scenarioLabPack } from "@scenario-lab/codemirror/packs";
import recipes from "./scenario-recipes.json?raw";
import discover from "./discover.json?raw";
import scenarios from "./scenarios.md?raw";
import entityAudit from "./entity-audit.md?raw";

const recipesText = recipes.replace('"_ref": "olivia"', '"_ref": "olivai"');
const view = new EditorView({
  doc: recipesText,
  extensions: [basicSetup, scenarioLab({ file: "scenario-recipes.json", workspace: { discover, scenarios, entityAudit } })],
  parent: document.querySelector("#editor"),
});
globalThis.view = view;

// The packs entry: a pack whose `prior` names a scenario the pack lacks.
const pack = "format: scenario-pack/v1\nscenarios:\n  - id: stop\n    class: approval_stop\n    request: {invoke: {capability: fixture.reset_tenant, parameters: {tenant: a}}}\n  - id: grant\n    class: approval_continuation\n    prior: [stpo]\n    request: {grant: {approval_request: apr_1}}\n";
globalThis.packView = new EditorView({
  doc: pack,
  extensions: [basicSetup, scenarioLabPack({ file: "x.pack.yaml" })],
  parent: document.querySelector("#pack"),
});
