import { defineConfig } from "tsup";
import { thirdPartyNotices } from "../../scripts/tsup-notices.js";

export default defineConfig([
  {
    entry: { main: "src/main.ts", commands: "src/commands.ts" },
    format: ["esm"],
    dts: false,
    // Everything but the fast path, which the second build writes beside it at the same time.
    clean: ["!fast-path.cjs"],
    // The bundler's record of what each bundle holds, turned into dist/THIRD_PARTY_NOTICES.md (then removed).
    metafile: true,
    onSuccess: thirdPartyNotices,
    // Maps without the sources' text: with `node --enable-source-maps`, a stack trace in a bug report names our
    // src/ files and lines, for a quarter of the size of maps that embed every bundled module's source.
    sourcemap: true,
    esbuildOptions(options) {
      options.sourcesContent = false;
    },
    target: "node20",
    platform: "node",
    // Each command's implementation (src/actions/) is imported when the command runs: its own chunk, so that
    // start-up, --help and --version load oclif and the command definitions only.
    splitting: true,
    // One file to read instead of oclif's ~100 CommonJS modules.
    noExternal: ["@oclif/core"],
    // oclif only requires TypeScript to transpile sources, which bin/run.js turns off.
    external: ["typescript"],
    // Bundled CommonJS (oclif) calls require(); give the ESM chunks one.
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
    },
  },
  {
    // What bin/run.js answers before oclif loads: one self-contained CommonJS file (Node's CommonJS loader starts
    // faster than its ESM loader), node's built-in modules only.
    entry: { "fast-path": "src/fast-path/index.ts" },
    format: ["cjs"],
    outExtension: () => ({ js: ".cjs" }),
    dts: false,
    clean: false,
    sourcemap: false,
    target: "node20",
    platform: "node",
    splitting: false,
    noExternal: [/./],
  },
]);
