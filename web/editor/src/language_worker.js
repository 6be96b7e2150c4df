// The editor's Web Workers: each runs the editor's own wasm module (the same file the page
// loaded, so nothing is downloaded twice) behind @scenario-lab/codemirror's worker protocol
// (`lib/serve.js`), so preflight and the language service never block typing.
import { WorkerClient } from "./lib/client.js";

const workers = new Map();

/** The page's wasm-bindgen glue and module, as Trunk linked them. */
function bindings() {
  const glue = document.querySelector('link[rel="modulepreload"][href*="scenario-lab-web"]');
  const wasm = document.querySelector('link[rel="preload"][href$="_bg.wasm"]');
  if (!glue || !wasm) throw new Error("the editor's wasm module is not linked from the page");
  return { glue: glue.href, wasm: wasm.href };
}

export const LanguageWorker = {
  /** One worker per role ("language", "analysis"), so a long preflight never delays a completion. */
  shared(role = "language") {
    if (!workers.has(role)) {
      workers.set(role, new WorkerClient(() => {
        const worker = new globalThis.Worker(new URL("worker.js", document.baseURI), { type: "module", name: `scenario-lab-${role}` });
        worker.postMessage({ init: bindings() });
        return worker;
      }));
    }
    return workers.get(role);
  },
};
