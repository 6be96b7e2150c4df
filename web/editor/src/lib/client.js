// The page's side of a language worker: calls answered in order, and the workspace the worker
// keeps (`KeptWorkspace`), sent as the texts that changed since the last call.

const FILE_KEYS = {
  "scenario-recipes.json": "recipes",
  "discover.json": "discover",
  "scenarios.md": "scenarios",
  "entity-audit.md": "entityAudit",
  ".scenario-validation.json": "validation",
};

/** The `PreflightInput` key of a workspace file name. */
export const fileKey = (file) => FILE_KEYS[file];

export class WorkerClient {
  /** A client of the worker `create()` starts (once per client). */
  constructor(create) {
    this.pending = new Map();
    this.next = 0;
    this.failure = null;
    this.kept = null; // the texts the worker holds (null: unknown, send everything)
    this.worker = create();
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
    this.worker.onerror = (event) => {
      this.failure = new Error(`the language worker failed: ${event.message ?? event}`);
      for (const { reject } of this.pending.values()) reject(this.failure);
      this.pending.clear();
    };
  }

  /** Sends `message` (one `init` first, for workers that load a module they are told of). */
  post(message) {
    if (this.failure) return Promise.reject(this.failure);
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...message });
    });
  }

  /** Calls a handler of the worker (`preflight`, `call`, `checkPack`, ...). */
  call(method, ...args) {
    return this.post({ method, args });
  }

  /** Brings the worker's workspace to `files` (a `PreflightInput`): only what changed is sent. */
  sync(files) {
    const change = { reset: this.kept === null, changed: {}, removed: [] };
    const kept = this.kept ?? {};
    let any = change.reset;
    for (const key of new Set([...Object.keys(kept), ...Object.keys(files)])) {
      if (files[key] === undefined) {
        change.removed.push(key);
        any = true;
      } else if (files[key] !== kept[key]) {
        change.changed[key] = files[key];
        any = true;
      }
    }
    this.kept = { ...files };
    if (!any) return Promise.resolve();
    return this.call("update", change).catch((error) => {
      this.kept = null; // the worker's copy is unknown now: send everything next time
      throw error;
    });
  }

  /** A language-service call on `files`: the workspace synced first, then the call. */
  async language(method, files, file, offset, newName = "") {
    this.sync(files).catch(() => {});
    return this.call("call", method, file, offset, newName);
  }
}
