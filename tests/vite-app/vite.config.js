import { defineConfig } from "vite";

// Two pages: the README's snippet (index.html) and the keystroke bench (bench.html).
export default defineConfig({
  build: { rollupOptions: { input: { main: "index.html", bench: "bench.html" } } },
  worker: { format: "es" },
});
