import { defineConfig } from "tsup";
import { thirdPartyNotices } from "../../scripts/tsup-notices.js";

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
  // zod is bundled (tree-shaken, in the chunk of the modules that use it) rather than a dependency: an app with the
  // AWS SDK alone has no zod to share, and the whole package costs 5.9 MB installed against ~0.35 MB for the parts
  // core uses, ESM and CJS (issue 8's install-size budget, bench/install-size.mjs). `import * as z` in token.ts and
  // token-cache.ts lets esbuild drop what core does not use (`import { z }` kept all of zod, locales included:
  // 1.9 MB). The cache-hit path and the dependency-free subpaths load none of it.
  noExternal: ["zod"],
  // The bundler's record of what each bundle holds, turned into dist/THIRD_PARTY_NOTICES.md (then removed).
  metafile: true,
  onSuccess: thirdPartyNotices,
});
