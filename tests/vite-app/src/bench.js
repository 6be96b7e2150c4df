// Keystroke-to-character on a 1 MB recipe: `?extension=1` mounts the README's snippet, without it
// the bare editor (basicSetup and JSON). The bench script types and reads `globalThis.view`.
import { EditorView, basicSetup } from "codemirror";
import { json } from "@codemirror/lang-json";
import { scenarioLab } from "@scenario-lab/codemirror";
import discover from "./discover.json?raw";
import scenarios from "./scenarios.md?raw";
import entityAudit from "./entity-audit.md?raw";
import large from "./large.json?raw";

const withExtension = new URLSearchParams(location.search).get("extension") === "1";
const extensions = withExtension
  ? [basicSetup, scenarioLab({ file: "scenario-recipes.json", workspace: { discover, scenarios, entityAudit } })]
  : [basicSetup, json()];
globalThis.view = new EditorView({ doc: large, extensions, parent: document.querySelector("#editor") });
