#!/usr/bin/env node
// `awslogin serve` under load: rounds of 500 concurrent credential requests (keep-alive off, as each SDK client
// opens its own connection), requests per second and latency percentiles, printed next to the cost of one
// `awslogin-credential-process` call (a cache hit, the cheapest a credential_process tool can get) measured in the
// same run. No network: a throwaway HOME holds a cache hit with an hour left.
// Usage: node bench/serve.mjs [rounds=10] [concurrency=500]   (build first: pnpm exec turbo run build --filter=@awslogin/cli...)
import { spawn } from "node:child_process";
import { request } from "node:http";
import { join } from "node:path";
import { createCacheHitHome } from "./fixtures/cache-hit-home.mjs";
import { median, timeOnce } from "./fixtures/timing.mjs";

const root = new URL("..", import.meta.url).pathname;
const rounds = Number(process.argv[2] ?? 10);
const concurrency = Number(process.argv[3] ?? 500);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error("rounds must be a positive integer");
if (!Number.isInteger(concurrency) || concurrency < 1)
  throw new Error("concurrency must be a positive integer");

const { env, record, remove } = createCacheHitHome();
const cli = join(root, "apps", "cli", "bin", "run.js");
const binary = join(root, "apps", "credential-process", "dist", "main.cjs");

/** Starts `awslogin serve` and resolves with its port and token once it prints them. */
function startServe() {
  const child = spawn(process.execPath, [cli, "serve", "--profile", "bench"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`awslogin serve exited (${code})`)));
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const url = out.match(/AWS_CONTAINER_CREDENTIALS_FULL_URI='([^']+)'/)?.[1];
      const token = out.match(/AWS_CONTAINER_AUTHORIZATION_TOKEN='([^']+)'/)?.[1];
      if (url !== undefined && token !== undefined) resolve({ child, url: new URL(url), token });
    });
  });
}

/** One request as an SDK sends it; resolves with its latency in ms. */
function fetchOnce(url, token) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        headers: { authorization: token },
        agent: false,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          body += chunk;
        });
        res.on("end", () => {
          if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}: ${body}`));
          if (JSON.parse(body).AccessKeyId !== record.accessToken.accessKeyId)
            return reject(new Error("not the cached credentials"));
          resolve(Number(process.hrtime.bigint() - start) / 1e6);
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

let serve;
try {
  serve = await startServe();
  // Warm-up: the first request may find the credentials still loading.
  await fetchOnce(serve.url, serve.token);
  const latencies = [];
  let requests = 0;
  let busyMs = 0;
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    const batch = await Promise.all(
      Array.from({ length: concurrency }, () => fetchOnce(serve.url, serve.token)),
    );
    busyMs += Number(process.hrtime.bigint() - start) / 1e6;
    requests += batch.length;
    latencies.push(...batch);
  }

  const processSamples = [];
  timeOnce([process.execPath, [binary, "--profile", "bench"]], env); // warm the file cache
  for (let i = 0; i < 20; i++)
    processSamples.push(timeOnce([process.execPath, [binary, "--profile", "bench"]], env).ms);
  const perProcess = median(processSamples);

  const perSecond = requests / (busyMs / 1000);
  console.log(
    `awslogin serve: ${rounds} rounds of ${concurrency} concurrent requests (new connection each), node ${process.version}`,
  );
  console.log(
    `${"".padEnd(34)} ${"req/s".padStart(8)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"max ms".padStart(8)}`,
  );
  console.log(
    `${"awslogin serve (container endpoint)".padEnd(34)} ${perSecond.toFixed(0).padStart(8)} ${percentile(
      latencies,
      50,
    )
      .toFixed(1)
      .padStart(8)} ${percentile(latencies, 99).toFixed(1).padStart(8)} ${Math.max(...latencies)
      .toFixed(1)
      .padStart(8)}`,
  );
  console.log(
    `${"awslogin-credential-process (hit)".padEnd(34)} ${(1000 / perProcess).toFixed(0).padStart(8)} ${perProcess
      .toFixed(1)
      .padStart(8)} ${percentile(processSamples, 99).toFixed(1).padStart(8)} ${Math.max(...processSamples)
      .toFixed(1)
      .padStart(8)}   (one process at a time, 20 runs)`,
  );
} finally {
  serve?.child.kill("SIGTERM");
  remove();
}
