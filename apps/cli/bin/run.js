#!/usr/bin/env node
// `awslogin credential-process …` is the credential_process binary itself, run without loading oclif: the
// `awslogin-credential-process` command belongs to @awslogin/credential-process, so that both packages can be
// installed globally side by side, and a CLI-only install still has a fast credential_process.
if (process.argv[2] === "credential-process") {
  const { createRequire } = await import("node:module");
  process.argv.splice(2, 1);
  createRequire(import.meta.url)("@awslogin/credential-process/bin");
} else {
  // @oclif/core is bundled into dist: take it from there (one copy, and the fast start-up).
  const { execute, settings } = await import("../dist/main.js");
  // Sources are prebuilt: keep oclif from looking for TypeScript at start-up.
  settings.enableAutoTranspile = false;
  await execute({ dir: import.meta.url });
}
