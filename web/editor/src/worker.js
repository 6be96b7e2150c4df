// The editor's worker: @scenario-lab/codemirror's worker loop over the page's own wasm module
// (its glue and wasm URLs come in the first message).
import { serve } from "./lib/serve.js";

serve(async (init) => {
  const module = await import(init.glue);
  await module.default({ module_or_path: init.wasm });
  // The package's names for what the editor's module exports under its own (web/src/worker_api.rs).
  return {
    ...module,
    KeptWorkspace: module.EditorWorkspace,
    checkPack: module.editorCheckPack,
    packComplete: module.editorPackComplete,
    packHover: module.editorPackHover,
  };
}, false);
