// @scenario-lab/codemirror: Scenario Lab's recipe editor as one CodeMirror 6 extension. The
// preflight and the language service run in a Web Worker that keeps the workspace (the worker and
// the wasm module load from this package by `import.meta.url`: bundlers need no configuration).
import { StateEffect, StateField } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { lintGutter } from "@codemirror/lint";
import { WorkerClient, fileKey } from "../lib/client.js";
import { applyEdits, languageFeatures, languageFor, textOf } from "../lib/features.js";
import { afterPaintChecker, carries } from "../lib/checker.js";

/** Replaces the other workspace files (`{discover, scenarios, entityAudit, validation, folder}`). */
export const setWorkspace = StateEffect.define();

let shared = null;
/** One worker per page: every view of the page shares its workspace. */
function client() {
  shared ??= new WorkerClient(() => new Worker(new URL("./worker.js", import.meta.url), { type: "module", name: "scenario-lab" }));
  return shared;
}

const workspaceField = (initial) => StateField.define({
  create: () => ({ ...initial }),
  update(value, tr) {
    for (const e of tr.effects) if (e.is(setWorkspace)) value = { ...e.value };
    return value;
  },
});

/**
 * The extension: `file` is the file the view edits (`scenario-recipes.json`, `scenarios.md`,
 * `discover.json`, `entity-audit.md`, `.scenario-validation.json`), `workspace` the other files'
 * texts. Edits to other files (a rename, a fix) go to `onWorkspaceEdit(file, edits)` and, as a
 * `scenario-lab-workspace-edit` event, to the view's DOM; a definition in another file goes to
 * `onNavigate({file, from, to})` (and a `scenario-lab-navigate` event); `onNotice(text)` hears
 * short messages ("no definition here").
 */
export function scenarioLab({ file, workspace = {}, onWorkspaceEdit, onNavigate, onNotice } = {}) {
  const key = fileKey(file);
  if (!key) throw new Error(`scenarioLab: \`${file}\` is not a workspace file name`);
  const others = workspaceField(workspace);
  let latest = null; // the view, for the callbacks that have none
  const files = (state) => {
    const texts = { ...state.field(others) };
    delete texts[key];
    return { recipes: "", ...texts, [key]: textOf(state.doc) };
  };
  const service = {
    call: (method, name, offset, newName) => client().language(method, files(latest.state), name, offset, newName),
  };
  const otherEdits = (other, edits) => {
    onWorkspaceEdit?.(other, edits);
    latest?.dom.dispatchEvent(new CustomEvent("scenario-lab-workspace-edit", { detail: { file: other, edits }, bubbles: true }));
  };
  const notice = (text) => onNotice?.(text);
  const navigate = (place) => {
    onNavigate?.(place);
    latest?.dom.dispatchEvent(new CustomEvent("scenario-lab-navigate", { detail: place, bubbles: true }));
  };
  const checker = afterPaintChecker({
    onView: (view) => { latest = view; },
    rerun: (update) => carries(update, setWorkspace),
    check: async (view) => {
      const c = client();
      await c.sync(files(view.state));
      const report = await c.call("preflight");
      return report.diagnostics.filter((d) => d.file === file);
    },
    fix: (view, fix) => (fix.file === file ? applyEdits(view, fix.edits) : otherEdits(fix.file, fix.edits)),
    failed: (error) => notice(`the preflight did not run: ${error.message ?? error}`),
  });
  return [
    languageFor(file),
    others,
    checker,
    lintGutter(),
    languageFeatures({ service, file, navigate, otherEdits, notice }),
    EditorView.contentAttributes.of({ "aria-label": `${file} text` }),
  ];
}
