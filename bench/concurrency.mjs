#!/usr/bin/env node
// N processes find the same login session's credentials due at the same moment: how many
// CreateOAuth2Token calls reach the service, and how many processes fail? What we ship (the built
// awslogin-credential-process binary, and @awslogin/credential-provider in a worker process: inter-process
// lock, re-read, one refresh) next to the official @aws-sdk/credential-provider-login (no lock), against the
// emulator with the service's reuse window off (docs/protocol.md §4.3).
// Needs the built packages: pnpm exec turbo run build
// Usage: node bench/concurrency.mjs [N=20] [reuseWindowSeconds=0]
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createBenchHome, run, signIn } from "./fixtures/bench-home.mjs";

const root = new URL("..", import.meta.url).pathname;
const n = Number(process.argv[2] ?? 20);
const reuseWindow = Number(process.argv[3] ?? 0);
const { startEmulator, DEFAULT_IDENTITY } = await import(
  join(root, "packages", "emulator", "dist", "index.js")
);
const core = await import(join(root, "packages", "core", "dist", "index.js"));

/** Each worker is one process given the profile; `key` reads the access key id from what it printed. */
const workers = {
  "awslogin-credential-process": {
    args: [join(root, "apps", "credential-process", "dist", "main.cjs"), "--profile"],
    key: (document) => document.AccessKeyId,
  },
  "@awslogin/credential-provider": {
    args: [join(root, "bench", "fixtures", "provider-worker.mjs")],
    key: (document) => document.accessKeyId,
  },
  "official provider": {
    args: [join(root, "bench", "fixtures", "official-worker.cjs")],
    key: (document) => document.accessKeyId,
  },
};

async function trial(name, { args, key }) {
  const emulator = await startEmulator({ autoApprove: true, refreshReuseWindow: reuseWindow });
  const { env: homeEnv, remove } = createBenchHome();
  const env = { ...homeEnv, AWS_ENDPOINT_URL_SIGNIN: emulator.url };
  try {
    await signIn(env, "bench");
    const file = join(env.AWS_LOGIN_CACHE_DIRECTORY, `${core.loginCacheKey(DEFAULT_IDENTITY)}.json`);
    const record = core.parseTokenCache(readFileSync(file, "utf8"), file);
    record.accessToken.expiresAt = core.formatExpiresAt(Date.now() + 60_000);
    writeFileSync(file, core.serializeTokenCache(record), { mode: 0o600 });

    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: n }, () => run(process.execPath, [...args, "bench"], env)),
    );
    const keys = new Set(results.filter((r) => r.code === 0).map((r) => key(JSON.parse(r.out))));
    const errors = new Map();
    for (const r of results.filter((r) => r.code !== 0)) {
      // The last line says why; the ones before may be warnings (the SDK's about the Node version).
      const line = r.err.trim().split("\n").at(-1) || `exit ${r.code}`;
      errors.set(line, (errors.get(line) ?? 0) + 1);
    }
    return {
      name,
      errors,
      calls: emulator.stats().tokenRequests.refresh_token,
      failed: results.filter((r) => r.code !== 0).length,
      distinctKeys: keys.size,
      ms: Date.now() - started,
    };
  } finally {
    await emulator.close();
    remove();
  }
}

for (const file of [
  join(root, "apps", "credential-process", "dist", "main.cjs"),
  join(root, "packages", "credential-provider", "dist", "index.js"),
]) {
  if (!existsSync(file)) throw new Error(`${file} is missing: build first (pnpm exec turbo run build)`);
}
console.log(`${n} processes, credentials due at once, service reuse window ${reuseWindow} s`);
console.log(
  `${"".padEnd(30)} ${"token calls".padStart(12)} ${"failed".padStart(8)} ${"distinct keys".padStart(14)} ${"wall ms".padStart(9)}`,
);
for (const [name, worker] of Object.entries(workers)) {
  const r = await trial(name, worker);
  console.log(
    `${r.name.padEnd(30)} ${String(r.calls).padStart(12)} ${String(r.failed).padStart(8)} ${String(r.distinctKeys).padStart(14)} ${String(r.ms).padStart(9)}`,
  );
  for (const [line, count] of r.errors) console.log(`${"".padEnd(4)}${count} × ${line}`);
}
