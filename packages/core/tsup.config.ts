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
  },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  splitting: false,
});
