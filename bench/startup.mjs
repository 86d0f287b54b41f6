#!/usr/bin/env node
// Cold start of `awslogin --version` next to a bare `node -e 0`, measured in the same run, interleaved
// so that machine noise hits both alike. Usage: node bench/startup.mjs [runs=30]
import { join } from "node:path";
import { median, resultLine, timeOnce } from "./fixtures/timing.mjs";

const root = new URL("..", import.meta.url).pathname;
const runs = Number(process.argv[2] ?? 30);
// A clean environment: variables such as NODE_EXTRA_CA_CERTS add tens of ms to every Node start-up and
// would hide the difference being measured.
const env = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production" };

const subjects = {
  "node -e 0": [process.execPath, ["-e", "0"]],
  "awslogin --version": [process.execPath, [join(root, "apps", "cli", "bin", "run.js"), "--version"]],
};

const samples = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
for (const subject of Object.values(subjects)) timeOnce(subject, env); // warm the file cache
for (let i = 0; i < runs; i++) {
  for (const [name, subject] of Object.entries(subjects)) samples[name].push(timeOnce(subject, env).ms);
}
const baseline = median(samples["node -e 0"]);
console.log(`startup, ${runs} runs each (median / min / max, ms)`);
for (const [name, xs] of Object.entries(samples)) console.log(resultLine(name, xs, baseline, 22));
