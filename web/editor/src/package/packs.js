// @scenario-lab/codemirror/packs: ANIP scenario packs (`scenario-pack/v1`) in CodeMirror 6: the
// offline check as lint diagnostics with quick fixes, completion and hover, in a worker of their
// own (over @scenario-lab/packs, so a recipe editor never loads the pack parser).
import { StateEffect, StateField } from "@codemirror/state";
import { EditorView, ViewPlugin } from "@codemirror/view";
import { lintGutter } from "@codemirror/lint";
import { WorkerClient } from "../lib/client.js";
import { applyEdits, languageFor, lintDiagnostics, packFeatures } from "../lib/features.js";

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
      latest.state.doc.toString(), name, latest.state.field(manifestField), offset,
    ),
  };
  const notice = (text) => onNotice?.(text);
  const checker = ViewPlugin.fromClass(class {
    constructor(view) {
      latest = view;
      this.view = view;
      this.version = 0;
      this.schedule();
    }
    update(update) {
      latest = update.view;
      const moved = update.transactions.some((tr) => tr.effects.some((e) => e.is(setManifest)));
      if (update.docChanged || moved) this.schedule();
    }
    schedule() {
      const version = ++this.version;
      const run = () => this.check(version);
      if (typeof requestAnimationFrame === "function" && !document.hidden) requestAnimationFrame(() => setTimeout(run, 0));
      else setTimeout(run, 0);
    }
    async check(version) {
      if (version !== this.version) return;
      try {
        const state = this.view.state;
        const report = await client().call("checkPack", state.doc.toString(), file, state.field(manifestField));
        if (version !== this.version) return;
        const mine = report.diagnostics.filter((d) => d.file === "scenario.pack.yaml");
        this.view.dispatch(lintDiagnostics(this.view, mine, (view, fix) => applyEdits(view, fix.edits)));
      } catch (error) {
        notice(`the pack check did not run: ${error.message ?? error}`);
      }
    }
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
