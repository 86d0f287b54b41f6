import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  // Maps that name our src/ files and lines in a stack trace (`node --enable-source-maps`), without the sources' text.
  sourcemap: true,
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
  target: "node20",
  splitting: false,
});
