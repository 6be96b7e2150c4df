// The recipe worker of @scenario-lab/codemirror: @scenario-lab/preflight's module, one kept workspace.
import init, { KeptWorkspace } from "@scenario-lab/preflight";
import { serve } from "../lib/serve.js";

serve(async () => {
  await init();
  return { KeptWorkspace };
});
