#!/usr/bin/env node
// Cache-hit latency of the built `awslogin-credential-process` next to a bare `node -e 0`, measured in the
// same run, interleaved so that machine noise hits both alike; for scale, a script printing the same
// credentials through the official JS provider (@aws-sdk/credential-provider-login, `aws login`'s cache) and
// the CLI's `awslogin export`. No network: a throwaway HOME holds a profile and a cache file with an hour left.
// Usage: node bench/credential-process.mjs [runs=30]   (build first: pnpm exec turbo run build --filter=@awslogin/cli...)
import { createHash, generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median, resultLine, timeOnce } from "./fixtures/timing.mjs";

const root = new URL("..", import.meta.url).pathname;
const runs = Number(process.argv[2] ?? 30);
if (!Number.isInteger(runs) || runs < 1) throw new Error("runs must be a positive integer");

// ---- a cache hit: profile `bench` → login_session → <sha256>.json with an hour left ----
const home = mkdtempSync(join(tmpdir(), "awslogin-bench-"));
const session = "arn:aws:sts::111122223333:assumed-role/Developer/bench";
const configPath = join(home, ".aws", "config");
const cacheDir = join(home, ".aws", "login", "cache");
mkdirSync(cacheDir, { recursive: true });
writeFileSync(
  configPath,
  `[default]\nregion = us-east-1\n\n[profile bench]\nlogin_session = ${session}\nregion = us-east-1\n`,
);
const expiresAt = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, "Z");
const dpopKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({
  type: "sec1",
  format: "pem",
});
const record = {
  accessToken: {
    accessKeyId: "ASIABENCHEXAMPLE0001",
    secretAccessKey: "benchSecretAccessKeyEXAMPLEEXAMPLEEXAMPLE",
    sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE".repeat(20),
    accountId: "111122223333",
    expiresAt,
  },
  tokenType: "aws_sigv4",
  clientId: "arn:aws:signin:::devtools/same-device",
  refreshToken: "rt.bench",
  idToken: "e30.e30.sig",
  dpopKey,
};
const cacheFile = join(cacheDir, `${createHash("sha256").update(session).digest("hex")}.json`);
writeFileSync(cacheFile, JSON.stringify(record), { mode: 0o600 });

const env = {
  PATH: process.env.PATH,
  HOME: home,
  NODE_ENV: "production",
  AWS_CONFIG_FILE: configPath,
  AWS_SHARED_CREDENTIALS_FILE: join(home, ".aws", "credentials"),
  AWS_LOGIN_CACHE_DIRECTORY: cacheDir,
  AWS_PROFILE: "bench",
};

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
  rmSync(home, { recursive: true, force: true });
}
