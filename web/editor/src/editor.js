// The editor's code view: CodeMirror 6 with one EditorState per workspace file (so undo,
// selection and folds survive file switches), diagnostics pushed by the Rust side, and the
// language service (completion, hover, definition, references, rename) answered by the worker.
// The Rust side (web/src/code_view.rs) drives it through `globalThis.ScenarioLabEditor`.
import { EditorState, EditorSelection, Annotation, Compartment, Prec } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
  dropCursor, rectangularSelection, crosshairCursor, highlightSpecialChars, hoverTooltip,
  showTooltip,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab, undo, redo, undoDepth, redoDepth, isolateHistory } from "@codemirror/commands";
import { json } from "@codemirror/lang-json";
import { markdownLanguage } from "@codemirror/lang-markdown";
import { yaml, yamlFrontmatter } from "@codemirror/lang-yaml";
import {
  foldGutter, foldKeymap, bracketMatching, indentOnInput, syntaxHighlighting,
  defaultHighlightStyle, codeFolding, LanguageSupport,
} from "@codemirror/language";
import { searchKeymap, highlightSelectionMatches, openSearchPanel } from "@codemirror/search";
import { autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { lintGutter, setDiagnostics, lintKeymap, forEachDiagnostic } from "@codemirror/lint";
import { StateField, StateEffect } from "@codemirror/state";
import { get as idbGet, set as idbSet, del as idbDel } from "idb-keyval";
import { Worker as LanguageWorker } from "./language_worker.js";

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

function language(file) {
  // The Markdown language alone: `markdown()` would bundle HTML, CSS and JavaScript for embedded code.
  return file.endsWith(".md") ? yamlFrontmatter({ content: new LanguageSupport(markdownLanguage) }) : json();
}

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

/**
 * The Rust side's diagnostics (UTF-16 offsets, clamped to the document) as CodeMirror's lint
 * transaction; each fix becomes an action that `applyFix(view, fix)` carries out.
 */
function lintDiagnostics(view, list, applyFix) {
  const length = view.state.doc.length;
  const clamp = (n) => Math.max(0, Math.min(n, length));
  const diagnostics = list.map((d) => ({
    from: clamp(d.from),
    to: clamp(Math.max(d.to, d.from)),
    severity: d.severity,
    source: d.code,
    message: d.message,
    markClass: d.knockOn ? "cm-knock-on" : undefined,
    actions: (d.fixes ?? []).map((fix) => ({ name: fix.message, apply: (v) => applyFix(v, fix) })),
  }));
  return setDiagnostics(view.state, diagnostics);
}

/** A rename box under the cursor (F2), as VS Code shows it. */
const renameEffect = StateEffect.define();
const renameField = StateField.define({
  create: () => null,
  update(value, tr) {
    for (const e of tr.effects) if (e.is(renameEffect)) value = e.value;
    if (value && tr.docChanged) value = null;
    return value;
  },
  provide: (field) => showTooltip.from(field, (value) => value && {
    pos: value.pos,
    above: false,
    create: (view) => {
      const dom = document.createElement("form");
      dom.className = "cm-rename";
      const input = document.createElement("input");
      input.value = value.name;
      input.setAttribute("aria-label", `Rename ${value.name}`);
      dom.append(input);
      const close = () => { view.dispatch({ effects: renameEffect.of(null) }); view.focus(); };
      dom.addEventListener("submit", (event) => {
        event.preventDefault();
        const newName = input.value;
        close();
        value.apply(newName);
      });
      input.addEventListener("keydown", (event) => {
        if (event.key === "Escape") { event.preventDefault(); close(); }
      });
      return { dom, mount: () => { input.focus(); input.select(); } };
    },
  }),
});

// A document's text, read once per version: documents are immutable, and the host, preflight,
// completion and hover all ask for the same one (a 1 MB toString costs milliseconds).
const texts = new WeakMap();
function textOf(doc) {
  let text = texts.get(doc);
  if (text === undefined) {
    text = doc.toString();
    texts.set(doc, text);
  }
  return text;
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
      highlightSelectionMatches(), language(file), lintGutter(), renameField,
      EditorView.contentAttributes.of({ "aria-label": `${file} text` }),
      autocompletion({ override: [(context) => self.complete(context)], activateOnTyping: true }),
      hoverTooltip((view, pos) => self.hover(view, pos), { hideOnChange: true }),
      // Escape, then Tab, leaves the editor (no keyboard trap), even when Escape also collapses
      // a selection or closes a popup.
      Prec.highest(EditorView.domEventHandlers({
        keydown(event, view) {
          if (event.key === "Escape") view.setTabFocusMode(2000);
          return false;
        },
      })),
      EditorView.domEventHandlers({
        mousedown(event, view) {
          if (!(event.ctrlKey || event.metaKey) || event.button !== 0) return false;
          const pos = view.posAtCoords({ x: event.clientX, y: event.clientY });
          if (pos == null) return false;
          event.preventDefault();
          self.goToDefinition(view, pos);
          return true;
        },
      }),
      keymap.of([
        { key: "F12", run: (view) => (self.goToDefinition(view, view.state.selection.main.head), true) },
        { key: "Shift-F12", run: (view) => (self.selectReferences(view), true) },
        { key: "F2", run: (view) => (self.startRename(view), true) },
        { key: "F8", run: (view) => (self.host.nextProblem(false, view.state.selection.main.head), true) },
        { key: "Shift-F8", run: (view) => (self.host.nextProblem(true, view.state.selection.main.head), true) },
        ...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...foldKeymap,
        ...completionKeymap, ...lintKeymap, indentWithTab,
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
      view.dispatch({
        changes: fix.edits.map((e) => ({ from: e.from, to: e.to, insert: e.newText })),
        userEvent: "input.fix",
        annotations: isolateHistory.of("full"),
      });
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

  async complete(context) {
    const items = await this.worker.language("complete", this.files(), this.current, context.pos);
    return completionResult(context, items);
  }

  async hover(view, pos) {
    const files = this.files();
    return hoverCard(await this.worker.language("hover", files, this.current, pos));
  }

  async goToDefinition(view, pos) {
    const found = await this.worker.language("definition", this.files(), this.current, pos);
    const target = found?.[0];
    if (!target) return this.host.notice("no definition here");
    if (target.file === this.current) this.select(this.current, target.from, target.to);
    else this.host.navigate(target.file, target.from, target.to);
  }

  /** Shift+F12: every reference in this file becomes a selection (edit them all at once). */
  async selectReferences(view) {
    const found = await this.worker.language("references", this.files(), this.current, view.state.selection.main.head);
    const here = (found ?? []).filter((l) => l.file === this.current);
    if (here.length === 0) return this.host.notice("no references here");
    view.dispatch({ selection: EditorSelection.create(here.map((l) => EditorSelection.range(l.from, l.to))) });
    this.host.notice(`${found.length} reference(s)${found.length > here.length ? ", some in other files" : ""}`);
  }

  startRename(view) {
    // Inside a selected name (after F12 the declaration's string is selected), else the caret.
    const sel = view.state.selection.main;
    const pos = sel.empty ? sel.head : Math.min(sel.from + 1, sel.to);
    const word = view.state.wordAt(pos) ?? view.state.wordAt(pos + 1);
    const name = word ? view.state.sliceDoc(word.from, word.to) : "";
    view.dispatch({
      effects: renameEffect.of({ pos, name, apply: (newName) => this.rename(pos, newName) }),
    });
  }

  async rename(pos, newName) {
    let answer;
    try {
      answer = await this.worker.language("rename", this.files(), this.current, pos, newName);
    } catch (error) {
      return this.host.notice(String(error.message ?? error));
    }
    // One transaction per file: one undo step each.
    const byFile = new Map();
    for (const edit of answer.edits) {
      if (!byFile.has(edit.file)) byFile.set(edit.file, []);
      byFile.get(edit.file).push(edit);
    }
    for (const [file, edits] of byFile) {
      if (file === this.current) {
        this.view.dispatch({
          changes: edits.map((e) => ({ from: e.from, to: e.to, insert: e.newText })),
          userEvent: "input.rename",
          annotations: isolateHistory.of("full"),
        });
      } else {
        this.host.applyEdits(file, edits);
      }
    }
    this.host.notice(`renamed ${answer.edits.length} place(s) to ${newName}`);
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

function completionType(kind) {
  return {
    model: "class", field: "property", alias: "variable", token: "variable", generator: "function",
    strategy: "constant", scenario: "namespace", enumValue: "enum", keyword: "keyword",
    capability: "method", parameter: "property", actor: "type", probe: "variable", capture: "variable",
  }[kind] ?? "text";
}

/** The language service's completions (recipes or packs) as CodeMirror's completion result. */
function completionResult(context, items) {
  if (!items || items.length === 0) return null;
  const word = context.matchBefore(/[\w$.{}-]*/);
  const withRange = items.find((c) => c.range);
  const from = withRange ? withRange.range.from : (word ? word.from : context.pos);
  const to = withRange ? Math.max(withRange.range.to, context.pos) : context.pos;
  // What is typed so far, without the quote or braces the insertion replaces.
  const typed = context.state.sliceDoc(from, context.pos).replace(/^["'{\s]+/, "").toLowerCase();
  if (!context.explicit && typed === "" && !withRange) return null;
  const options = items
    .filter((c) => c.label.toLowerCase().includes(typed) || c.label.toLowerCase().includes(typed.replace(/^\$\{?/, "")))
    .sort((a, b) => Number(!a.label.toLowerCase().startsWith(typed)) - Number(!b.label.toLowerCase().startsWith(typed)))
    .map((c) => ({
      label: c.label,
      apply: c.insertText,
      detail: c.detail,
      info: c.documentation ? () => markdownNode(c.documentation) : undefined,
      type: completionType(c.kind),
    }));
  // The service filters by what the cursor is in; CodeMirror must not filter again by the
  // replaced text (it starts with a quote).
  return options.length ? { from, to, options, filter: false } : null;
}

/** The language service's hover card (recipes or packs) as a CodeMirror tooltip. */
function hoverCard(card) {
  if (!card) return null;
  return {
    pos: card.range.from,
    end: card.range.to,
    above: true,
    create: () => ({ dom: markdownNode(card.contents, "cm-hover-card") }),
  };
}

/** Markdown of the language service (code spans, bold, fences, paragraphs) as safe DOM. */
function markdownNode(text, className = "cm-md") {
  const root = document.createElement("div");
  root.className = className;
  const blocks = text.split(/\n{2,}/);
  for (const block of blocks) {
    if (block.startsWith("```")) {
      const pre = document.createElement("pre");
      pre.textContent = block.replace(/^```\w*\n?/, "").replace(/\n?```$/, "");
      root.append(pre);
      continue;
    }
    const p = document.createElement("p");
    for (const [i, part] of block.split(/(`[^`]+`|\*\*[^*]+\*\*)/).entries()) {
      if (i % 2 === 1 && part.startsWith("`")) {
        const code = document.createElement("code");
        code.textContent = part.slice(1, -1);
        p.append(code);
      } else if (i % 2 === 1) {
        const strong = document.createElement("strong");
        strong.textContent = part.slice(2, -2);
        p.append(strong);
      } else {
        p.append(part);
      }
    }
    root.append(p);
  }
  return root;
}

/**
 * The Packs tab's code view: an ANIP scenario pack (YAML or JSON) with one EditorState per pack
 * (undo survives switching packs), the page's offline check as squiggles with their quick fixes,
 * and each edit handed to the Rust side (`host.changed(name, text)`).
 */
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
      name.endsWith(".json") ? json() : yaml(), lintGutter(),
      // Completion and hover from core's pack language service, in the language worker.
      autocompletion({ override: [(context) => self.complete(name, context)], activateOnTyping: true }),
      hoverTooltip((view, pos) => self.hover(name, view, pos), { hideOnChange: true }),
      EditorView.contentAttributes.of({ "aria-label": `${name} text` }),
      Prec.highest(EditorView.domEventHandlers({
        keydown(event, view) {
          if (event.key === "Escape") view.setTabFocusMode(2000);
          return false;
        },
      })),
      keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...foldKeymap, ...lintKeymap, ...completionKeymap, indentWithTab]),
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

  async complete(name, context) {
    const text = context.state.sliceDoc();
    const items = await LanguageWorker.shared("language").call("packCall", "complete", text, name, this.manifest, context.pos);
    return completionResult(context, items);
  }

  async hover(name, view, pos) {
    const text = view.state.sliceDoc();
    return hoverCard(await LanguageWorker.shared("language").call("packCall", "hover", text, name, this.manifest, pos));
  }

  /** The check's diagnostics for the current pack (UTF-16 offsets), with their quick fixes. */
  setDiagnostics(list) {
    this.lastDiagnostics = list;
    this.view.dispatch(lintDiagnostics(this.view, list, (view, fix) => view.dispatch({
      changes: fix.edits.map((e) => ({ from: e.from, to: e.to, insert: e.newText })),
      userEvent: "input.fix",
      annotations: isolateHistory.of("full"),
    })));
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
