#!/usr/bin/env node
// Cold start of `awslogin --version` next to a bare `node -e 0`, measured in the same run, interleaved
// so that machine noise hits both alike. Usage: node bench/startup.mjs [runs=30]
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const runs = Number(process.argv[2] ?? 30);
// A clean environment: variables such as NODE_EXTRA_CA_CERTS add tens of ms to every Node start-up and
// would hide the difference being measured.
const env = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production" };

export const subjects = {
  "node -e 0": [process.execPath, ["-e", "0"]],
  "awslogin --version": [process.execPath, [join(root, "apps", "cli", "bin", "run.js"), "--version"]],
};

function timeOnce([command, args]) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const samples = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
for (const subject of Object.values(subjects)) timeOnce(subject); // warm the file cache
for (let i = 0; i < runs; i++) {
  for (const [name, subject] of Object.entries(subjects)) samples[name].push(timeOnce(subject));
}
const baseline = median(samples["node -e 0"]);
console.log(`startup, ${runs} runs each (median / min / max, ms)`);
for (const [name, xs] of Object.entries(samples)) {
  const m = median(xs);
  console.log(
    `${name.padEnd(22)} ${m.toFixed(1).padStart(7)} ${Math.min(...xs)
      .toFixed(1)
      .padStart(7)} ${Math.max(...xs)
      .toFixed(1)
      .padStart(7)}   ${(m / baseline).toFixed(2)}× node -e 0`,
  );
}
