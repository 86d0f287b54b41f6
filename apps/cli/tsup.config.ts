import { defineConfig } from "tsup";
import { thirdPartyNotices } from "../../scripts/tsup-notices.js";

export default defineConfig({
  entry: { main: "src/main.ts", commands: "src/commands.ts" },
  format: ["esm"],
  dts: false,
  clean: true,
  // The bundler's record of what each bundle holds, turned into dist/THIRD_PARTY_NOTICES.md (then removed).
  metafile: true,
  onSuccess: thirdPartyNotices,
  sourcemap: true,
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
});
