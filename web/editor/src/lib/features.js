// The language features of a CodeMirror view over Scenario Lab's language service: completion,
// hover, go to definition (F12, Ctrl+click), references (Shift+F12), rename (F2), code actions
// (Ctrl+.), and lint diagnostics with their quick fixes. Shared by @scenario-lab/codemirror and the
// editor app: each brings a `service` that answers calls (in a worker) and says what to do with
// places and edits outside the view's file.
import { EditorSelection, StateEffect, StateField, Prec } from "@codemirror/state";
import { EditorView, keymap, hoverTooltip, showTooltip } from "@codemirror/view";
import { isolateHistory } from "@codemirror/commands";
import { autocompletion, completionKeymap } from "@codemirror/autocomplete";
import { setDiagnostics, forEachDiagnostic } from "@codemirror/lint";
import { json } from "@codemirror/lang-json";
import { markdownLanguage } from "@codemirror/lang-markdown";
import { yaml, yamlFrontmatter } from "@codemirror/lang-yaml";
import { LanguageSupport } from "@codemirror/language";

// A document's text, read once per version: documents are immutable, and the host, preflight,
// completion and hover all ask for the same one (a 1 MB toString costs milliseconds).
const texts = new WeakMap();
export function textOf(doc) {
  let text = texts.get(doc);
  if (text === undefined) {
    text = doc.toString();
    texts.set(doc, text);
  }
  return text;
}

/** The language of a workspace file or pack by its name. */
export function languageFor(file) {
  if (file.endsWith(".md")) {
    // The Markdown language alone: `markdown()` would bundle HTML, CSS and JavaScript for embedded code.
    return yamlFrontmatter({ content: new LanguageSupport(markdownLanguage) });
  }
  return file.endsWith(".yaml") || file.endsWith(".yml") ? yaml() : json();
}

/** CodeMirror's completion type of a language-service kind. */
export function completionType(kind) {
  return {
    model: "class", field: "property", alias: "variable", token: "variable", generator: "function",
    strategy: "constant", scenario: "namespace", enumValue: "enum", keyword: "keyword",
    capability: "method", parameter: "property", actor: "type", probe: "variable", capture: "variable",
  }[kind] ?? "text";
}

/** The language service's completions (recipes or packs) as CodeMirror's completion result. */
export function completionResult(context, items) {
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

/** The language service's hover card as a CodeMirror tooltip. */
export function hoverCard(card) {
  if (!card) return null;
  return {
    pos: card.range.from,
    end: card.range.to,
    above: true,
    create: () => ({ dom: markdownNode(card.contents, "cm-hover-card") }),
  };
}

/** Markdown of the language service (code spans, bold, fences, paragraphs) as safe DOM. */
export function markdownNode(text, className = "cm-md") {
  const root = document.createElement("div");
  root.className = className;
  for (const block of text.split(/\n{2,}/)) {
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

/** One quick fix in the view's file: one transaction, one undo step. */
export function applyEdits(view, edits, userEvent = "input.fix") {
  view.dispatch({
    changes: edits.map((e) => ({ from: e.from, to: e.to, insert: e.newText })),
    userEvent,
    annotations: isolateHistory.of("full"),
  });
}

/**
 * Diagnostics (UTF-16 offsets, clamped to the document) as CodeMirror's lint transaction; each
 * fix becomes an action that `applyFix(view, fix)` carries out.
 */
export function lintDiagnostics(view, list, applyFix) {
  const length = view.state.doc.length;
  const clamp = (n) => Math.max(0, Math.min(n, length));
  const diagnostics = list.map((d) => ({
    from: clamp(d.from),
    to: clamp(Math.max(d.to, d.from)),
    severity: d.severity,
    source: d.code,
    message: d.message,
    renderMessage: d.help ? () => messageWithHelp(d.message, d.help) : undefined,
    markClass: d.knockOn ? "cm-knock-on" : undefined,
    actions: (d.fixes ?? []).map((fix) => ({ name: fix.message, apply: (v) => applyFix(v, fix) })),
  }));
  return setDiagnostics(view.state, diagnostics);
}

function messageWithHelp(message, help) {
  const root = document.createElement("span");
  root.append(message);
  const line = document.createElement("div");
  line.className = "cm-diagnostic-help";
  line.textContent = `help: ${help}`;
  root.append(line);
  return root;
}

/** A box under the cursor (F2 rename, Ctrl+. code actions), as VS Code shows them. */
const boxEffect = StateEffect.define();
const boxField = StateField.define({
  create: () => null,
  update(value, tr) {
    for (const e of tr.effects) if (e.is(boxEffect)) value = e.value;
    if (value && tr.docChanged) value = null;
    return value;
  },
  provide: (field) => showTooltip.from(field, (value) => value && {
    pos: value.pos,
    above: false,
    create: (view) => {
      const close = () => { view.dispatch({ effects: boxEffect.of(null) }); view.focus(); };
      return value.kind === "rename" ? renameBox(value, close) : actionsBox(view, value, close);
    },
  }),
});

function renameBox(value, close) {
  const dom = document.createElement("form");
  dom.className = "cm-rename";
  const input = document.createElement("input");
  input.value = value.name;
  input.setAttribute("aria-label", `Rename ${value.name}`);
  dom.append(input);
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
}

function actionsBox(view, value, close) {
  const dom = document.createElement("div");
  dom.className = "cm-code-actions";
  dom.setAttribute("role", "menu");
  for (const action of value.actions) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = action.name;
    button.setAttribute("role", "menuitem");
    button.addEventListener("click", () => { close(); action.apply(view); });
    button.addEventListener("keydown", (event) => {
      if (event.key === "Escape") { event.preventDefault(); close(); }
    });
    dom.append(button);
  }
  return { dom, mount: () => dom.querySelector("button")?.focus() };
}

/** Ctrl+.: the quick fixes of the diagnostics under the cursor, as a menu. */
function showCodeActions(view, notice) {
  const head = view.state.selection.main.head;
  const actions = [];
  forEachDiagnostic(view.state, (d, from, to) => {
    if (from <= head && head <= to) {
      for (const a of d.actions ?? []) actions.push({ name: a.name, apply: (v) => a.apply(v, from, to) });
    }
  });
  if (actions.length === 0) return notice("no quick fix here");
  view.dispatch({ effects: boxEffect.of({ kind: "actions", pos: head, actions }) });
}

/**
 * The language features. `service.call(method, file, offset, newName?)` answers `complete`,
 * `hover`, `definition`, `references` and `rename`; `file` is the view's file name; `navigate(place)`
 * opens a place in another file, `otherEdits(file, edits)` takes a rename's edits to other files,
 * `notice(text)` tells the user something.
 */
export function languageFeatures({ service, file, navigate, otherEdits, notice }) {
  const fileName = typeof file === "function" ? file : () => file;
  const select = (view, from, to) => {
    const length = view.state.doc.length;
    const range = EditorSelection.range(Math.min(from, length), Math.min(to, length));
    view.dispatch({ selection: range, effects: EditorView.scrollIntoView(range, { y: "center" }) });
    view.focus();
  };
  const definition = async (view, pos) => {
    const found = await service.call("definition", fileName(), pos);
    const target = found?.[0];
    if (!target) return notice("no definition here");
    if (target.file === fileName()) select(view, target.from, target.to);
    else navigate(target);
  };
  const references = async (view) => {
    const found = await service.call("references", fileName(), view.state.selection.main.head);
    const here = (found ?? []).filter((l) => l.file === fileName());
    if (here.length === 0) return notice("no references here");
    view.dispatch({ selection: EditorSelection.create(here.map((l) => EditorSelection.range(l.from, l.to))) });
    notice(`${found.length} reference(s)${found.length > here.length ? ", some in other files" : ""}`);
  };
  const rename = async (view, pos, newName) => {
    let answer;
    try {
      answer = await service.call("rename", fileName(), pos, newName);
    } catch (error) {
      return notice(String(error.message ?? error));
    }
    // One transaction per file: one undo step each.
    const byFile = new Map();
    for (const edit of answer.edits) {
      if (!byFile.has(edit.file)) byFile.set(edit.file, []);
      byFile.get(edit.file).push(edit);
    }
    for (const [other, edits] of byFile) {
      if (other === fileName()) applyEdits(view, edits, "input.rename");
      else otherEdits(other, edits);
    }
    notice(`renamed ${answer.edits.length} place(s) to ${newName}`);
  };
  const startRename = (view) => {
    // Inside a selected name (after F12 the declaration's string is selected), else the caret.
    const sel = view.state.selection.main;
    const pos = sel.empty ? sel.head : Math.min(sel.from + 1, sel.to);
    const word = view.state.wordAt(pos) ?? view.state.wordAt(pos + 1);
    const name = word ? view.state.sliceDoc(word.from, word.to) : "";
    view.dispatch({ effects: boxEffect.of({ kind: "rename", pos, name, apply: (newName) => rename(view, pos, newName) }) });
  };
  return [
    packFeatures({ service, file, notice }),
    EditorView.domEventHandlers({
      mousedown(event, view) {
        if (!(event.ctrlKey || event.metaKey) || event.button !== 0) return false;
        const pos = view.posAtCoords({ x: event.clientX, y: event.clientY });
        if (pos == null) return false;
        event.preventDefault();
        definition(view, pos);
        return true;
      },
    }),
    Prec.high(keymap.of([
      { key: "F12", preventDefault: true, run: (view) => (definition(view, view.state.selection.main.head), true) },
      { key: "Shift-F12", preventDefault: true, run: (view) => (references(view), true) },
      { key: "F2", preventDefault: true, run: (view) => (startRename(view), true) },
    ])),
  ];
}

/**
 * What every view over a language service has: completion, hover, and Ctrl+. for the fixes at
 * the cursor (the pack views have just these; `languageFeatures` adds navigation and rename).
 */
export function packFeatures({ service, file, notice }) {
  const fileName = typeof file === "function" ? file : () => file;
  return [
    boxField,
    autocompletion({ override: [async (context) => completionResult(context, await service.call("complete", fileName(), context.pos))], activateOnTyping: true }),
    hoverTooltip(async (view, pos) => hoverCard(await service.call("hover", fileName(), pos)), { hideOnChange: true }),
    Prec.high(keymap.of([
      { key: "Mod-.", preventDefault: true, run: (view) => (showCodeActions(view, notice), true) },
      ...completionKeymap,
    ])),
  ];
}
