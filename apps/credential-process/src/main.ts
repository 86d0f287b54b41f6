#!/usr/bin/env node
/**
 * `awslogin-credential-process [--profile P]`: prints a login session's credentials in the
 * `credential_process` format, refreshing them when 5 minutes or less are left.
 *
 * Start-up is the whole cost of a cache hit, so this file loads only node:fs, node:path and node:os (no
 * crypto, no streams: see core's sha256.ts and writeStdout): `readCacheHit` (`@awslogin/core/cache-hit`, bundled)
 * reads the profile with core's dependency-free config reader, hashes the session and checks the cache file; this
 * prints to fd 1. Anything else (a refresh, a missing or doubtful file, every error message) goes through
 * core's full path in `refresh.cjs`, required only then.
 * @see docs/protocol.md §6, §8, §9
 */
import { writeSync } from "node:fs";
import { join } from "node:path";
import { readCacheHit } from "@awslogin/core/cache-hit";
import { printable } from "@awslogin/core/printable";
import { resolveProfile } from "@awslogin/core/resolve";
import { formatProcess } from "./formats.js";

declare const __VERSION__: string;

const NAME = "awslogin-credential-process";

const USAGE = `Usage: ${NAME} [--profile PROFILE]

Prints the credentials of an awslogin / \`aws login\` profile as a credential_process JSON document
(the output of \`aws configure export-credentials --format process\`), refreshing them when due.
A role profile (role_arn + source_profile down to a login profile) gives the assumed role's credentials,
from the AWS CLI's assume-role cache (~/.aws/cli/cache) or assumed again when due.
The profile defaults to AWS_PROFILE, then "default".

Use it from ~/.aws/config for tools that do not understand login_session:
  [profile dev-process]
  credential_process = ${NAME} --profile dev

or let \`awslogin configure credential-process --profile dev\` write that profile.
`;

type Parsed = { profile: string | undefined } | { exit: number; out?: string; err?: string };

function parseArgs(args: readonly string[]): Parsed {
  const usageError = (problem: string): Parsed => ({
    exit: 2,
    err: `${NAME}: ${problem}. Usage: ${NAME} [--profile PROFILE] [INVALID_ARGUMENT]\n`,
  });
  let profile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--help" || arg === "-h") return { exit: 0, out: USAGE };
    if (arg === "--version") return { exit: 0, out: `${__VERSION__}\n` };
    let value: string | undefined;
    if (arg.startsWith("--profile=")) value = arg.slice("--profile=".length);
    else if (arg === "--profile" || arg === "-p") value = args[++i];
    else return usageError(`unknown argument ${JSON.stringify(arg)}`);
    if (!value) return usageError(`${arg.replace(/=.*/s, "")} needs a profile name`);
    profile = value;
  }
  return { profile };
}

/**
 * Writes to fd 1 directly: touching `process.stdout` builds a stream (and on a pipe, a socket), which costs
 * more than everything else a cache hit does. Falls back to the stream when the pipe is non-blocking and full.
 * Calls `done` once everything is written.
 */
function writeStdout(text: string, done: () => void = () => {}): void {
  const bytes = Buffer.from(text, "utf8");
  let offset = 0;
  try {
    while (offset < bytes.length) offset += writeSync(1, bytes, offset);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EAGAIN") {
      process.stdout.write(bytes.subarray(offset), () => done());
      return;
    }
    fail(`could not write the credentials to stdout (${code ?? "unknown error"}).`);
  }
  done();
}

/** Long enough for any message of ours; the parts that came from outside are bounded where they are built. */
const STDERR_LINE_LIMIT = 4096;

/**
 * One line on stderr, written at once (the process may exit right after). The SDKs show it to their users as it is,
 * so whatever came from outside (a profile name, a file, a server's answer) is shown with its control characters
 * escaped: one line, and nothing a terminal would act on.
 */
function warn(line: string): void {
  try {
    writeSync(2, `${NAME}: ${printable(line, STDERR_LINE_LIMIT)}\n`);
  } catch {
    // Nobody is listening: nothing better to do.
  }
}

function fail(line: string, exitCode = 1): void {
  warn(line);
  process.exitCode = exitCode;
}

function main(): void {
  const parsed = parseArgs(process.argv.slice(2));
  if ("exit" in parsed) {
    if (parsed.out !== undefined) process.stdout.write(parsed.out);
    if (parsed.err !== undefined)
      process.stderr.write(`${printable(parsed.err.trimEnd(), STDERR_LINE_LIMIT)}\n`);
    process.exitCode = parsed.exit;
    return;
  }
  const env = process.env;
  const profile = resolveProfile({ flags: { profile: parsed.profile }, env }).value;
  const hit = readCacheHit(profile, env, undefined, undefined, undefined, { roleProfiles: true });
  if (hit !== undefined) {
    writeStdout(formatProcess(hit.credentials));
    return;
  }

  let slow: typeof import("./refresh.js");
  try {
    slow = require("./refresh.cjs") as typeof import("./refresh.js");
  } catch (error) {
    fail(
      `could not load ${join(__dirname, "refresh.cjs")} (${(error as Error).message}). Reinstall awslogin.`,
    );
    return;
  }
  slow.loadCredentials({ profile, env, onWarning: (line) => warn(`warning: ${line}`) }).then(
    // Leave at once: the HTTP agent of a refresh would otherwise keep the process alive for seconds.
    (credentials) => writeStdout(formatProcess(credentials), () => process.exit()),
    (error: unknown) => {
      fail(slow.describeFailure(error));
      process.exit();
    },
  );
}

main();
