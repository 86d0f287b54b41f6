import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    "node/index": "src/node/index.ts",
    rfc3339: "src/rfc3339.ts",
    config: "src/config.ts",
    "credential-format": "src/credential-format.ts",
    errors: "src/errors.ts",
    printable: "src/printable.ts",
    resolve: "src/resolve.ts",
    "cache-hit": "src/node/cache-hit.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: false,
  target: "node20",
  // Core shipped once: code that several entry points share is emitted once, in chunks they all import, so that
  // `@awslogin/core`, `@awslogin/core/node` and the subpaths share one AwsLoginError class (ESM and CJS alike).
  splitting: true,
  // Rollup then writes the CJS chunks (tsup otherwise converts them with sucrase, which renames classes `_class`).
  treeshake: true,
});
