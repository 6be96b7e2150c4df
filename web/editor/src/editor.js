// The editor's code view: CodeMirror 6 with one EditorState per workspace file (so undo,
// selection and folds survive file switches), diagnostics pushed by the Rust side, and the
// language features of @scenario-lab/codemirror (`lib/features.js`: completion, hover,
// definition, references, rename, code actions) answered by the worker (`lib/serve.js` over the
// page's own wasm module). What stays here is the app's: files, persistence, the Rust side.
// The Rust side (web/src/code_view.rs) drives it through `globalThis.ScenarioLabEditor`.
import { EditorState, EditorSelection, Annotation, Compartment, Prec } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
  dropCursor, rectangularSelection, crosshairCursor, highlightSpecialChars,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab, undo, redo, undoDepth, redoDepth, isolateHistory } from "@codemirror/commands";
import {
  foldGutter, foldKeymap, bracketMatching, indentOnInput, syntaxHighlighting,
  defaultHighlightStyle, codeFolding,
} from "@codemirror/language";
import { searchKeymap, highlightSelectionMatches, openSearchPanel } from "@codemirror/search";
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { lintGutter, lintKeymap, forEachDiagnostic } from "@codemirror/lint";
import { get as idbGet, set as idbSet, del as idbDel } from "idb-keyval";
import { LanguageWorker } from "./language_worker.js";
import { applyEdits, languageFeatures, languageFor, lintDiagnostics, packFeatures, textOf } from "./lib/features.js";

/** Marks transactions the Rust side made (a load, Fix all, a conflict choice): not echoed back. */
const external = Annotation.define();

const FILE_NAMES = {
  recipes: "scenario-recipes.json",
  discover: "discover.json",
  scenarios: "scenarios.md",
  entityAudit: "entity-audit.md",
  validation: ".scenario-validation.json",
};
const KEY_OF = Object.fromEntries(Object.entries(FILE_NAMES).map(([k, v]) => [v, k]));

/** The smallest single change turning `before` into `after` (common prefix and suffix kept). */
function diffChange(before, after) {
  if (before === after) return null;
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)) {
    endBefore--;
    endAfter--;
  }
  return { from: start, to: endBefore, insert: after.slice(start, endAfter) };
}

class CodeView {
  constructor(parent, host) {
    this.host = host;
    this.states = new Map();
    this.diagnostics = new Map();
    this.current = null;
    this.dirty = new Set();
    this.flushScheduled = false;
    this.worker = LanguageWorker.shared("language");
    this.readOnly = new Compartment();
    this.view = new EditorView({ parent, state: EditorState.create({ doc: "" }) });
    parent.addEventListener("keydown", (event) => {
      if (event.key === "F12" || (event.key === "F2" && !event.ctrlKey)) event.preventDefault();
    });
  }

  /** Every workspace file's current text, as `PreflightInput`. */
  files() {
    const files = {};
    for (const [name, state] of this.states) {
      const key = KEY_OF[name];
      if (key) files[key] = textOf(name === this.current ? this.view.state.doc : state.doc);
    }
    if (files.recipes === undefined) files.recipes = "";
    return files;
  }

  stateOf(file) {
    return file === this.current ? this.view.state : this.states.get(file);
  }

  extensions(file) {
    const self = this;
    return [
      lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(), codeFolding(),
      foldGutter(), drawSelection(), dropCursor(), EditorState.allowMultipleSelections.of(true),
      indentOnInput(), syntaxHighlighting(defaultHighlightStyle, { fallback: true }), bracketMatching(),
      closeBrackets(), rectangularSelection(), crosshairCursor(), highlightActiveLine(),
      highlightSelectionMatches(), languageFor(file), lintGutter(),
      EditorView.contentAttributes.of({ "aria-label": `${file} text` }),
      languageFeatures({
        service: { call: (method, name, offset, newName) => self.worker.language(method, self.files(), name, offset, newName) },
        file,
        navigate: (target) => self.host.navigate(target.file, target.from, target.to),
        otherEdits: (other, edits) => self.host.applyEdits(other, edits),
        notice: (text) => self.host.notice(text),
      }),
      // Escape, then Tab, leaves the editor (no keyboard trap), even when Escape also collapses
      // a selection or closes a popup.
      Prec.highest(EditorView.domEventHandlers({
        keydown(event, view) {
          if (event.key === "Escape") view.setTabFocusMode(2000);
          return false;
        },
      })),
      keymap.of([
        { key: "F8", run: (view) => (self.host.nextProblem(false, view.state.selection.main.head), true) },
        { key: "Shift-F8", run: (view) => (self.host.nextProblem(true, view.state.selection.main.head), true) },
        ...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...foldKeymap,
        ...lintKeymap, indentWithTab,
      ]),
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        if (update.transactions.some((tr) => tr.annotation(external))) return;
        self.changed(file);
      }),
      this.readOnly.of(EditorState.readOnly.of(false)),
    ];
  }

  /** Tells the Rust side about edits after the frame that paints them (never before). */
  changed(file) {
    this.dirty.add(file);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // After the frame that paints the edit; a hidden page paints no frames.
    if (document.hidden) setTimeout(() => this.flush(), 0);
    else requestAnimationFrame(() => setTimeout(() => this.flush(), 0));
  }

  flush() {
    this.flushScheduled = false;
    const files = [...this.dirty];
    this.dirty.clear();
    for (const file of files) {
      const state = this.stateOf(file);
      if (state) this.host.changed(file, textOf(state.doc));
    }
  }

  /** Sets a file's text from the Rust side: a new file, or one undoable change to the old. */
  setFile(file, text) {
    const state = this.stateOf(file);
    if (!state) {
      this.states.set(file, EditorState.create({ doc: text, extensions: this.extensions(file) }));
      if (this.current === null && file === FILE_NAMES.recipes) this.show(file);
      return;
    }
    const change = diffChange(textOf(state.doc), text);
    if (!change) return;
    // Its own undo step, never merged with the typing around it.
    const spec = { changes: change, annotations: [external.of(true), isolateHistory.of("full")] };
    if (file === this.current) this.view.dispatch(spec);
    else this.states.set(file, state.update(spec).state);
  }

  /** Drops a file the workspace no longer has. */
  removeFile(file) {
    this.states.delete(file);
    if (file === this.current) this.current = null;
  }

  text(file) {
    const state = this.stateOf(file);
    return state ? textOf(state.doc) : null;
  }

  show(file) {
    if (file === this.current) return;
    if (this.current !== null) this.states.set(this.current, this.view.state);
    let state = this.states.get(file);
    if (!state) {
      state = EditorState.create({ doc: "", extensions: this.extensions(file) });
      this.states.set(file, state);
    }
    this.current = file;
    this.view.setState(state);
    this.applyDiagnostics(file);
  }

  /** The Rust side's diagnostics for a file (UTF-16 offsets into the text it analysed). */
  setDiagnostics(file, list) {
    this.diagnostics.set(file, list);
    if (file === this.current) this.applyDiagnostics(file);
  }

  applyDiagnostics(file) {
    const list = this.diagnostics.get(file) ?? [];
    this.view.dispatch(lintDiagnostics(this.view, list, (view, fix) => this.applyFix(view, file, fix)));
  }

  /** A quick fix: one transaction (one undo step) in its file. */
  applyFix(view, file, fix) {
    if (fix.file === file) {
      applyEdits(view, fix.edits);
      view.focus();
    } else {
      this.host.applyEdits(fix.file, fix.edits);
    }
  }

  select(file, from, to) {
    this.show(file);
    const length = this.view.state.doc.length;
    const range = EditorSelection.range(Math.min(from, length), Math.min(to, length));
    this.view.dispatch({ selection: range, effects: EditorView.scrollIntoView(range, { y: "center" }) });
    this.view.focus();
  }

  focus() {
    this.view.focus();
  }

  setReadOnly(on) {
    this.view.dispatch({ effects: this.readOnly.reconfigure(EditorState.readOnly.of(on)) });
  }

  undo() { return undo(this.view); }
  historyDepth() { return [undoDepth(this.view.state), redoDepth(this.view.state)]; }
  redo() { return redo(this.view); }
  find() { return openSearchPanel(this.view); }
  diagnosticCount() {
    let n = 0;
    forEachDiagnostic(this.view.state, () => n++);
    return n;
  }
}

class PackView {
  constructor(parent, host) {
    this.host = host;
    this.states = new Map();
    this.current = null;
    this.view = new EditorView({ parent, state: EditorState.create({ doc: "" }) });
  }

  extensions(name) {
    const self = this;
    return [
      lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(), codeFolding(),
      foldGutter(), drawSelection(), indentOnInput(), syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      bracketMatching(), closeBrackets(), highlightActiveLine(), highlightSelectionMatches(),
      languageFor(name), lintGutter(),
      // Completion and hover from core's pack language service, in the language worker.
      packFeatures({
        service: {
          call: (method, file, pos) => LanguageWorker.shared("language").call(
            method === "complete" ? "packComplete" : "packHover", textOf(self.view.state.doc), file, self.manifest, pos,
          ),
        },
        file: name,
        notice: () => {},
      }),
      EditorView.contentAttributes.of({ "aria-label": `${name} text` }),
      Prec.highest(EditorView.domEventHandlers({
        keydown(event, view) {
          if (event.key === "Escape") view.setTabFocusMode(2000);
          return false;
        },
      })),
      keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...foldKeymap, ...lintKeymap, indentWithTab]),
      EditorView.updateListener.of((update) => {
        if (!update.docChanged || update.transactions.some((tr) => tr.annotation(external))) return;
        self.host.changed(name, textOf(update.state.doc));
      }),
    ];
  }

  /** Shows pack `name` with `text` (an outside change to a pack already open is one undo step). */
  show(name, text) {
    if (this.current !== null) this.states.set(this.current, this.view.state);
    let state = this.states.get(name);
    if (!state) state = EditorState.create({ doc: text, extensions: this.extensions(name) });
    this.current = name;
    this.view.setState(state);
    const change = diffChange(textOf(this.view.state.doc), text);
    if (change) this.view.dispatch({ changes: change, annotations: [external.of(true), isolateHistory.of("full")] });
    this.setDiagnostics(this.lastDiagnostics ?? []);
  }

  /** The saved `manifest.json` beside the packs (capabilities and parameters for completion). */
  setManifest(text) {
    this.manifest = text ?? undefined;
  }

  /** The check's diagnostics for the current pack (UTF-16 offsets), with their quick fixes. */
  setDiagnostics(list) {
    this.lastDiagnostics = list;
    this.view.dispatch(lintDiagnostics(this.view, list, (view, fix) => applyEdits(view, fix.edits)));
  }

  select(from, to) {
    const length = this.view.state.doc.length;
    const range = EditorSelection.range(Math.min(from, length), Math.min(to, length));
    this.view.dispatch({ selection: range, effects: EditorView.scrollIntoView(range, { y: "center" }) });
    this.view.focus();
  }
}

let mounted = null;
let packView = null;
globalThis.ScenarioLabEditor = {
  mount: (parent, host) => (mounted = new CodeView(parent, host)),
  /** The mounted code view (tests and benchmarks read its EditorView). */
  instance: () => mounted,
  /** The Packs tab's code view (one per page). */
  mountPack: (parent, host) => (packView = new PackView(parent, host)),
  packInstance: () => packView,
  /** IndexedDB for edits too large for localStorage (the Rust side's persistence). */
  store: { get: (key) => idbGet(key), set: (key, value) => idbSet(key, value), del: (key) => idbDel(key) },
  /** Preflight in the worker: the Rust side's analysis, off the main thread. */
  analyze: (files) => LanguageWorker.shared("analysis").call("analyzeWorkspace", files),
};
