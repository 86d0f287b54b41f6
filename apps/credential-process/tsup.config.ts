import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";
import { thirdPartyNotices } from "../../scripts/tsup-notices.js";

const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };

export default defineConfig({
  // main: the binary's hot path (node builtins only); refresh: core's full path, required by main when due;
  // index: the formats, as a library for the CLI.
  entry: { main: "src/main.ts", refresh: "src/refresh.ts", index: "src/index.ts" },
  format: ["cjs"],
  outExtension: () => ({ js: ".cjs" }),
  platform: "node",
  target: "node20",
  // One self-contained install: core, zod and undici are bundled into refresh.cjs.
  noExternal: [/./],
  external: ["./refresh.cjs"],
  define: { __VERSION__: JSON.stringify(version) },
  // main has no exports: its declaration file only tells type checkers that `./bin` is a module.
  dts: { entry: { index: "src/index.ts", main: "src/main.ts" } },
  clean: true,
  // The bundler's record of what each bundle holds, turned into dist/THIRD_PARTY_NOTICES.md (then removed).
  metafile: true,
  onSuccess: thirdPartyNotices,
  sourcemap: false,
  splitting: false,
  shims: false,
});
