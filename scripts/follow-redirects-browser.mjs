#!/usr/bin/env node
// A browser stand-in for BROWSER=...: follows the redirects of the authorize URL (the emulator in
// --auto-approve mode redirects straight to the loopback callback). Used by the demo and the tests.
// With FAKE_BROWSER_LOG=FILE it records each page it saw, one JSON line each.
import { appendFileSync } from "node:fs";

const url = process.argv.at(-1);
const log = process.env.FAKE_BROWSER_LOG;
const record = (entry) => {
  if (log) appendFileSync(log, `${JSON.stringify(entry)}\n`);
};
record({ argv: process.argv.slice(2) });
let next = url;
for (let hop = 0; hop < 10 && next; hop++) {
  const response = await fetch(next, { redirect: "manual" });
  const body = await response.text();
  record({ url: next, status: response.status, body: body.slice(0, 2000) });
  const location = response.headers.get("location");
  next = location ? new URL(location, next).toString() : undefined;
}
