import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: false,
  target: "node20",
  // The refresh path (src/refresh-path.ts, which imports core's full path, zod and undici) is its own chunk, imported
  // only when the cache cannot answer alone; in CJS esbuild defers its require() calls the same way.
  splitting: true,
  // Rollup writes the CJS chunks (tsup otherwise converts them with sucrase, which renames classes `_class`).
  treeshake: true,
});
