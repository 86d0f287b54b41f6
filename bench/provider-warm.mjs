#!/usr/bin/env node
// A warm credential call of @awslogin/credential-provider next to the official
// @aws-sdk/credential-provider-login, in the same run, on the same signed-in temp HOME (emulator on
// 127.0.0.1, auto-approved). Calls alternate in blocks so machine noise hits both alike.
// Needs the built packages (the CLI signs in): pnpm exec turbo run build
// Usage: node bench/provider-warm.mjs [calls=5000]
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createBenchHome, signIn } from "./fixtures/bench-home.mjs";

const root = new URL("..", import.meta.url).pathname;
const packageDir = join(root, "packages", "credential-provider");
const resolve = createRequire(join(packageDir, "package.json")).resolve;
const load = (specifier) => import(pathToFileURL(resolve(specifier)).href);

const calls = Number(process.argv[2] ?? 5000);
// The providers run in this process: point its environment at the throwaway HOME.
const { env, remove } = createBenchHome();
for (const name of ["AWS_PROFILE", "AWS_REGION", "AWS_ENDPOINT_URL_SIGNIN"]) delete process.env[name];
Object.assign(process.env, env);

const { fromLoginCredentials: ours } = await import(pathToFileURL(join(packageDir, "dist", "index.js")).href);
const { fromLoginCredentials: official } = await load("@aws-sdk/credential-provider-login");
const { startEmulator } = await load("@awslogin/emulator");

const emulator = await startEmulator({ autoApprove: true });
try {
  // As `awslogin login --endpoint-url <emulator>`: the endpoint is recorded in the cache.
  await signIn(env, "bench", ["--endpoint-url", emulator.url]);
  const subjects = {
    "@awslogin/credential-provider": ours({ profile: "bench" }),
    "@aws-sdk/credential-provider-login": official({ profile: "bench" }),
  };
  const first = await Promise.all(Object.values(subjects).map((provider) => provider()));
  if (first[0].accessKeyId !== first[1].accessKeyId) throw new Error("the providers disagree");

  const samples = Object.fromEntries(Object.keys(subjects).map((name) => [name, []]));
  const block = 100;
  for (const provider of Object.values(subjects)) for (let i = 0; i < 200; i++) await provider(); // warm up
  for (let done = 0; done < calls; done += block) {
    for (const [name, provider] of Object.entries(subjects)) {
      for (let i = 0; i < block; i++) {
        const start = process.hrtime.bigint();
        await provider();
        samples[name].push(Number(process.hrtime.bigint() - start) / 1000);
      }
    }
  }
  const refreshes = emulator.stats().tokenRequests.refresh_token;
  if (refreshes !== 0) throw new Error(`expected no refresh, saw ${refreshes}`);

  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
    return { median: at(0.5), p10: at(0.1), p90: at(0.9) };
  };
  const results = Object.fromEntries(Object.entries(samples).map(([name, xs]) => [name, stats(xs)]));
  console.log(`warm provider call, ${samples[Object.keys(subjects)[0]].length} calls each (µs per call)`);
  console.log(`${"".padEnd(36)}${"median".padStart(9)}${"p10".padStart(9)}${"p90".padStart(9)}`);
  for (const [name, r] of Object.entries(results)) {
    console.log(
      `${name.padEnd(36)}${r.median.toFixed(2).padStart(9)}${r.p10.toFixed(2).padStart(9)}${r.p90.toFixed(2).padStart(9)}`,
    );
  }
  const [mine, theirs] = Object.values(results);
  console.log(`ratio (official / ours, medians): ${(theirs.median / mine.median).toFixed(1)}×`);
} finally {
  await emulator.close();
  remove();
}
