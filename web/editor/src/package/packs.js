// @scenario-lab/codemirror/packs: ANIP scenario packs (`scenario-pack/v1`) in CodeMirror 6: the
// offline check as lint diagnostics with quick fixes, completion and hover, in a worker of their
// own (over @scenario-lab/packs, so a recipe editor never loads the pack parser).
import { StateEffect, StateField } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { lintGutter } from "@codemirror/lint";
import { WorkerClient } from "../lib/client.js";
import { languageFor, packFeatures, textOf } from "../lib/features.js";
import { afterPaintChecker, carries } from "../lib/checker.js";

/** Replaces the saved `manifest.json` text the pack is checked and completed against. */
export const setManifest = StateEffect.define();

let shared = null;
function client() {
  shared ??= new WorkerClient(() => new Worker(new URL("./pack-worker.js", import.meta.url), { type: "module", name: "scenario-lab-packs" }));
  return shared;
}

/** The extension: `file` names the pack (`*.json` reads JSON, anything else YAML). */
export function scenarioLabPack({ file = "scenario.pack.yaml", manifest, onNotice } = {}) {
  const manifestField = StateField.define({
    create: () => manifest ?? null,
    update(value, tr) {
      for (const e of tr.effects) if (e.is(setManifest)) value = e.value ?? null;
      return value;
    },
  });
  let latest = null;
  const service = {
    call: (method, name, offset) => client().call(
      method === "complete" ? "packComplete" : "packHover",
      textOf(latest.state.doc), name, latest.state.field(manifestField), offset,
    ),
  };
  const notice = (text) => onNotice?.(text);
  const checker = afterPaintChecker({
    onView: (view) => { latest = view; },
    rerun: (update) => carries(update, setManifest),
    check: async (view) => {
      const state = view.state;
      const report = await client().call("checkPack", textOf(state.doc), file, state.field(manifestField));
      return report.diagnostics.filter((d) => d.file === "scenario.pack.yaml");
    },
    failed: (error) => notice(`the pack check did not run: ${error.message ?? error}`),
  });
  return [
    languageFor(file),
    manifestField,
    checker,
    lintGutter(),
    packFeatures({ service, file, notice }),
    EditorView.contentAttributes.of({ "aria-label": `${file} text` }),
  ];
}
