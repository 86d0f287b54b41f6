#!/usr/bin/env node
// Cache hit of a role profile (role_arn + source_profile down to a login profile) through the built
// `awslogin-credential-process`, next to a bare `node -e 0` and the same binary on the login profile, measured in the
// same run, interleaved. No network: the role's credentials sit in the assume-role cache (~/.aws/cli/cache, the
// AWS CLI's file name) with an hour left. Target (issue 10 §4): the role-profile hit ≤ 1.15× node -e 0.
// Usage: node bench/role-profile.mjs [runs=30]   (build first: pnpm exec turbo run build --filter=@awslogin/credential-process...)
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createCacheHitHome } from "./fixtures/cache-hit-home.mjs";
import { median, resultLine, timeOnce } from "./fixtures/timing.mjs";

const root = new URL("..", import.meta.url).pathname;
const runs = Number(process.argv[2] ?? 30);
if (!Number.isInteger(runs) || runs < 1) throw new Error("runs must be a positive integer");

const { home, env, remove } = createCacheHitHome();
appendFileSync(
  env.AWS_CONFIG_FILE,
  "\n[profile bench-admin]\nrole_arn = arn:aws:iam::444455556666:role/Admin\nsource_profile = bench\n",
);
const roleCache = join(home, ".aws", "cli", "cache");
mkdirSync(roleCache, { recursive: true, mode: 0o700 });
const roleKey = "ASIABENCHROLE0000001";
// botocore's key for {"RoleArn": "arn:aws:iam::444455556666:role/Admin"} (core's role-profile.test.ts pins it).
writeFileSync(
  join(roleCache, "8f01d106254b612ca59634860cece07809d48c2e.json"),
  JSON.stringify({
    Credentials: {
      AccessKeyId: roleKey,
      SecretAccessKey: "benchRoleSecretEXAMPLEEXAMPLEEXAMPLE",
      SessionToken: "IQoJb3JpZ2luX2VjROLE".repeat(20),
      Expiration: new Date(Date.now() + 3600_000).toISOString(),
      AccountId: "444455556666",
    },
    AssumedRoleUser: {
      Arn: "arn:aws:sts::444455556666:assumed-role/Admin/bench",
      AssumedRoleId: "AROABENCH:bench",
    },
  }),
  { mode: 0o600 },
);

const binary = join(root, "apps", "credential-process", "dist", "main.cjs");
const subjects = {
  "node -e 0": [process.execPath, ["-e", "0"]],
  "credential-process, role profile": [process.execPath, [binary, "--profile", "bench-admin"]],
  "credential-process, login profile": [process.execPath, [binary, "--profile", "bench"]],
};

try {
  const first = JSON.parse(timeOnce(subjects["credential-process, role profile"], env).stdout);
  if (first.AccessKeyId !== roleKey)
    throw new Error("the binary did not answer the role profile from the cache");
  const samples = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
  for (const subject of Object.values(subjects)) timeOnce(subject, env); // warm the file cache
  for (let i = 0; i < runs; i++) {
    for (const [name, subject] of Object.entries(subjects)) samples[name].push(timeOnce(subject, env).ms);
  }
  const baseline = median(samples["node -e 0"]);
  console.log(`role-profile cache hit, ${runs} runs each, node ${process.version} (median / min / max, ms)`);
  for (const [name, xs] of Object.entries(samples)) console.log(resultLine(name, xs, baseline, 36));
  console.log("target: credential-process, role profile ≤ 1.15× node -e 0");
} finally {
  remove();
}
