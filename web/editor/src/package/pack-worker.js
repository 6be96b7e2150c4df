// The pack worker of @scenario-lab/codemirror/packs: @scenario-lab/packs' module.
import init, { checkPack, packComplete, packHover } from "@scenario-lab/packs";
import { serve } from "../lib/serve.js";

serve(async () => {
  await init();
  return { checkPack, packComplete, packHover };
});
