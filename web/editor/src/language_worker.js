// A Web Worker running the editor's own wasm module (the same file the page loaded, so nothing
// is downloaded twice): preflight and the language service never block typing.
const workers = new Map();

/** The page's wasm-bindgen glue and module, as Trunk linked them. */
function bindings() {
  const glue = document.querySelector('link[rel="modulepreload"][href*="scenario-lab-web"]');
  const wasm = document.querySelector('link[rel="preload"][href$="_bg.wasm"]');
  if (!glue || !wasm) throw new Error("the editor's wasm module is not linked from the page");
  return { glue: glue.href, wasm: wasm.href };
}

export class Worker {
  /** One worker per role ("language", "analysis"), so a long preflight never delays a completion. */
  static shared(role = "language") {
    if (!workers.has(role)) workers.set(role, new Worker(role));
    return workers.get(role);
  }

  constructor(role = "language") {
    if (workers.has(role)) return workers.get(role);
    workers.set(role, this);
    this.pending = new Map();
    this.next = 0;
    this.failure = null;
    this.kept = null; // the texts the worker holds for language calls (null: unknown)
    this.worker = new globalThis.Worker(new URL("worker.js", document.baseURI), { type: "module", name: `scenario-lab-${role}` });
    this.worker.onmessage = ({ data }) => {
      if (data.fatal) {
        this.failure = new Error(data.fatal);
        for (const { reject } of this.pending.values()) reject(this.failure);
        this.pending.clear();
        return;
      }
      const waiting = this.pending.get(data.id);
      if (!waiting) return;
      this.pending.delete(data.id);
      if ("error" in data) waiting.reject(new Error(data.error));
      else waiting.resolve(data.result);
    };
    this.worker.postMessage({ init: bindings() });
  }

  /** Calls an export of the wasm module in the worker. */
  call(method, ...args) {
    return this.post({ method, args });
  }

  /** A language-service call on `files` (a `PreflightInput`): the worker keeps the workspace, so
   * only the texts that changed since the last such call are sent (and copied into wasm). */
  language(method, files, file, offset, newName = "") {
    const change = { reset: this.kept === null, changed: {}, removed: [] };
    const kept = this.kept ?? {};
    for (const key of new Set([...Object.keys(kept), ...Object.keys(files)])) {
      if (files[key] === undefined) change.removed.push(key);
      else if (files[key] !== kept[key]) change.changed[key] = files[key];
    }
    this.kept = { ...files };
    return this.post({ method: "keptCall", args: [method, file, offset, newName], change }).catch((error) => {
      this.kept = null; // the worker's copy is unknown now: send everything next time
      throw error;
    });
  }

  post(message) {
    if (this.failure) return Promise.reject(this.failure);
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...message });
    });
  }
}
