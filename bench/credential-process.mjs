#!/usr/bin/env node
// Cache-hit latency of the built `awslogin-credential-process` next to a bare `node -e 0`, measured in the
// same run, interleaved so that machine noise hits both alike; for scale, a script printing the same
// credentials through the official JS provider (@aws-sdk/credential-provider-login, `aws login`'s cache) and
// the CLI's `awslogin export`. No network: a throwaway HOME holds a profile and a cache file with an hour left.
// Usage: node bench/credential-process.mjs [runs=30]   (build first: pnpm exec turbo run build --filter=@awslogin/cli...)
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { createCacheHitHome } from "./fixtures/cache-hit-home.mjs";
import { median, resultLine, timeOnce } from "./fixtures/timing.mjs";

const root = new URL("..", import.meta.url).pathname;
const runs = Number(process.argv[2] ?? 30);
if (!Number.isInteger(runs) || runs < 1) throw new Error("runs must be a positive integer");

const { home, env, record, remove } = createCacheHitHome();

// ---- the official provider, for scale ----
const requireFromCli = createRequire(join(root, "apps", "cli", "package.json"));
const officialScript = join(home, "official.cjs");
writeFileSync(
  officialScript,
  `const { fromLoginCredentials } = require(${JSON.stringify(requireFromCli.resolve("@aws-sdk/credential-provider-login"))});
fromLoginCredentials({ profile: "bench" })().then((c) => {
  process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey, SessionToken: c.sessionToken, Expiration: c.expiration.toISOString() }, null, 2) + "\\n");
});\n`,
);

const binary = join(root, "apps", "credential-process", "dist", "main.cjs");
const subjects = {
  "node -e 0": [process.execPath, ["-e", "0"]],
  "awslogin-credential-process": [process.execPath, [binary, "--profile", "bench"]],
  "awslogin credential-process": [
    process.execPath,
    [join(root, "apps", "cli", "bin", "run.js"), "credential-process", "--profile", "bench"],
  ],
  "official JS provider (script)": [process.execPath, [officialScript]],
  "awslogin export": [
    process.execPath,
    [join(root, "apps", "cli", "bin", "run.js"), "export", "--profile", "bench"],
  ],
};
const core = ["node -e 0", "awslogin-credential-process"];

try {
  // Sanity: the binary answers from the cache, with the expected credentials.
  const first = JSON.parse(timeOnce(subjects["awslogin-credential-process"], env).stdout);
  if (first.AccessKeyId !== record.accessToken.accessKeyId)
    throw new Error("the binary did not print the cached credentials");

  const samples = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
  for (const subject of Object.values(subjects)) timeOnce(subject, env); // warm the file cache
  for (let i = 0; i < runs; i++) {
    // The pair that matters runs every round, back to back; the slow ones for scale every round too.
    for (const name of core) samples[name].push(timeOnce(subjects[name], env).ms);
    for (const name of Object.keys(subjects).filter((n) => !core.includes(n)))
      samples[name].push(timeOnce(subjects[name], env).ms);
  }
  const baseline = median(samples["node -e 0"]);
  console.log(
    `credential_process cache hit, ${runs} runs each, node ${process.version} (median / min / max, ms)`,
  );
  for (const [name, xs] of Object.entries(samples)) console.log(resultLine(name, xs, baseline, 30));
} finally {
  remove();
}
