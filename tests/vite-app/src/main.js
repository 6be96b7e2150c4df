// The snippet of @scenario-lab/codemirror's README, on the example workspace with a `_ref` typo.
import { EditorView, basicSetup } from "codemirror";
import { scenarioLab } from "@scenario-lab/codemirror";
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
