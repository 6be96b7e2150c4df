// A check that follows a view's edits: after the frame that paints an edit (never before it),
// `check(view)` runs (in a worker) and its diagnostics are shown, unless a newer edit came
// meanwhile. @scenario-lab/codemirror's recipe and pack extensions both use it.
import { ViewPlugin } from "@codemirror/view";
import { applyEdits, lintDiagnostics } from "./features.js";

/**
 * The plugin: `check(view)` resolves with the view's diagnostics; `rerun(update)` says whether a
 * transaction other than an edit asks for a new check (new workspace files, a new manifest);
 * `fix(view, fix)` applies a fix; `failed(error)` hears a check that did not run. `onView(view)`
 * hears the view on every update (the extension's callbacks need it).
 */
export function afterPaintChecker({ check, rerun, fix = (view, f) => applyEdits(view, f.edits), failed, onView }) {
  return ViewPlugin.fromClass(class {
    constructor(view) {
      onView(view);
      this.view = view;
      this.version = 0;
      this.schedule();
    }
    update(update) {
      onView(update.view);
      if (update.docChanged || rerun(update)) this.schedule();
    }
    schedule() {
      const version = ++this.version;
      const run = () => this.run(version);
      if (typeof requestAnimationFrame === "function" && !document.hidden) requestAnimationFrame(() => setTimeout(run, 0));
      else setTimeout(run, 0);
    }
    async run(version) {
      if (version !== this.version) return; // a newer edit is on its way
      try {
        const diagnostics = await check(this.view);
        if (version !== this.version) return;
        this.view.dispatch(lintDiagnostics(this.view, diagnostics, fix));
      } catch (error) {
        failed(error);
      }
    }
  });
}

/** Whether a transaction of `update` carries an effect of type `effect`. */
export const carries = (update, effect) => update.transactions.some((tr) => tr.effects.some((e) => e.is(effect)));
