// The worker's side: loads the wasm module(s) (`load(init)` once, with the page's `init` message
// when there is one), keeps one workspace, and answers the page's calls in order.

/** Answers messages with the exports of the module `load` gives. */
export function serve(load, eager = true) {
  let ready = null;
  let workspace = null;
  const start = (init) => {
    ready = Promise.resolve(load(init)).then((module) => {
      workspace = module.KeptWorkspace ? new module.KeptWorkspace() : null;
      return module;
    });
    ready.catch((error) => self.postMessage({ fatal: `the language module did not load in the worker: ${error}` }));
  };
  if (eager) start(undefined);
  const handlers = (module) => ({
    update: (change) => workspace.update(change),
    preflight: () => workspace.preflight(),
    call: (method, file, offset, newName) => workspace.call(method, file, offset, newName ?? ""),
    checkPack: (text, name, manifest) => module.checkPack(text, name, manifest ?? undefined),
    packComplete: (text, name, manifest, offset) => module.packComplete(text, name, manifest ?? undefined, offset),
    packHover: (text, name, manifest, offset) => module.packHover(text, name, manifest ?? undefined, offset),
  });
  self.onmessage = async ({ data }) => {
    if (data.init) {
      start(data.init);
      return;
    }
    let reply;
    try {
      const module = await ready;
      const handler = handlers(module)[data.method] ?? module[data.method];
      if (typeof handler !== "function") throw new Error(`the worker has no \`${data.method}\``);
      reply = { id: data.id, result: handler(...data.args) };
    } catch (error) {
      reply = { id: data.id, error: String(error?.message ?? error) };
    }
    self.postMessage(reply);
  };
}
