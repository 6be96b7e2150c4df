// The worker side: loads the page's wasm module and answers calls of its exports in order.
let ready = null;

self.onmessage = async ({ data }) => {
  if (data.init) {
    ready = import(data.init.glue).then(async (module) => {
      await module.default({ module_or_path: data.init.wasm });
      return module;
    });
    ready.catch((error) => self.postMessage({ fatal: `the editor's wasm module did not load in the worker: ${error}` }));
    return;
  }
  const module = await ready;
  let reply;
  try {
    if (data.change) module.keepFiles(data.change);
    reply = { id: data.id, result: module[data.method](...data.args) };
  } catch (error) {
    reply = { id: data.id, error: String(error?.message ?? error) };
  }
  self.postMessage(reply);
};
