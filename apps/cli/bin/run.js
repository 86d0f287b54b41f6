#!/usr/bin/env node
// `awslogin credential-process …` is the credential_process binary itself, run without loading oclif: the
// `awslogin-credential-process` command belongs to @awslogin/credential-process, so that both packages can be
// installed globally side by side, and a CLI-only install still has a fast credential_process.
// `--version`, and `export` and `exec` on a cache hit, are answered by dist/fast-path.cjs without oclif (it
// prints what the oclif commands print, and declines anything it does not fully understand).
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const argv = process.argv.slice(2);
if (argv[0] === "credential-process") {
  process.argv.splice(2, 1);
  require("@awslogin/credential-process/bin");
} else if (
  !require("../dist/fast-path.cjs").answerWithoutOclif(
    argv,
    process.env,
    fileURLToPath(new URL("..", import.meta.url)),
  )
) {
  // @oclif/core is bundled into dist: take it from there (one copy, and the fast start-up).
  const { execute, settings } = await import("../dist/main.js");
  // Sources are prebuilt: keep oclif from looking for TypeScript at start-up.
  settings.enableAutoTranspile = false;
  await execute({ dir: import.meta.url });
}
