// The editor's worker: @scenario-lab/codemirror's worker loop over the page's own wasm module
// (its glue and wasm URLs come in the first message).
import { serve } from "./lib/serve.js";

serve(async (init) => {
  const module = await import(init.glue);
  await module.default({ module_or_path: init.wasm });
  return module;
}, false);
