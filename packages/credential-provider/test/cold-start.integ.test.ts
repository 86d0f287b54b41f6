/**
 * What importing the built provider and its first call load, in a fresh Node process as an app meets them: a cache
 * hit loads `@awslogin/core/cache-hit` and nothing heavy (no zod, no undici, no refresh path); anything else imports
 * core's full path, which decides, refreshes and explains as before. zod is bundled into core's dist (a chunk of
 * it), so a module "holds zod" when it is zod's own file or a file of core's dist with zod's code in it.
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "@awslogin/emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSandbox, type Sandbox, setExpiresIn, signIn } from "./helpers.js";

const run = promisify(execFile);
const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));
const LOG_MODULES = fileURLToPath(new URL("./fixtures/log-modules.mjs", import.meta.url));
/** Modules a cache hit must not load: zod, undici, core's full entry points and the provider's refresh path. */
const HEAVY =
  /[\\/]node_modules[\\/](zod|undici)[\\/]|[\\/]core[\\/]dist[\\/](index|node[\\/]index)\.c?js$|refresh-path/;
/** What every zod build defines: its base schema class, made by zod's `$constructor`. */
const ZOD_MARKER = '$constructor("$ZodType"';

/** Whether a loaded module (a path, or an ESM URL) holds zod: zod's own file, or a file of core's dist bundling it. */
function holdsZod(module: string): boolean {
  if (/[\\/]node_modules[\\/]zod[\\/]/.test(module)) return true;
  if (module.startsWith("node:")) return false;
  const path = module.startsWith("file:") ? fileURLToPath(module) : module;
  return /[\\/]core[\\/]dist[\\/]/.test(path) && readFileSync(path, "utf8").includes(ZOD_MARKER);
}

let emulator: Emulator;
let sandbox: Sandbox;

beforeEach(async () => {
  sandbox = createSandbox();
  sandbox.activate({ AWS_ENDPOINT_URL: "http://127.0.0.1:9" });
  emulator = await startEmulator({ autoApprove: true });
  await signIn(emulator, sandbox, { profile: "dev" });
  writeFileSync(
    sandbox.configPath,
    `${readFileSync(sandbox.configPath, "utf8")}\n[profile plain]\nregion = eu-west-1\n`,
  );
});

afterEach(async () => {
  await emulator.close();
  sandbox.cleanup();
});

interface Outcome {
  /** The credentials' access key id, or the rejection's code and tryNextLink. */
  answer: { accessKeyId: string } | { code: string; tryNextLink: boolean };
  /** Every module file the process loaded (ESM: resolved URLs; CJS: require.cache). */
  modules: string[];
}

/** One call of the built provider (ESM or CJS entry) for `profile`, in a child Node process. */
async function callInChild(format: "esm" | "cjs", profile: string): Promise<Outcome> {
  const log = join(sandbox.dir, `modules-${format}-${profile}.log`);
  writeFileSync(log, "");
  const report = `(answer) => process.stdout.write(JSON.stringify({ answer, modules: MODULES() }))`;
  const call = `fromLoginCredentials({ profile: ${JSON.stringify(profile)} })().then(
    (c) => (${report})({ accessKeyId: c.accessKeyId }),
    (e) => (${report})({ code: e.code, tryNextLink: e.tryNextLink }),
  );`;
  const args =
    format === "esm"
      ? [
          "--import",
          LOG_MODULES,
          "--input-type=module",
          "-e",
          `import { readFileSync } from "node:fs";
const MODULES = () => readFileSync(${JSON.stringify(log)}, "utf8").split("\\n").filter(Boolean);
const { fromLoginCredentials } = await import(${JSON.stringify(new URL(`file://${dist("index.js")}`).href)});
${call}`,
        ]
      : [
          "-e",
          `const MODULES = () => Object.keys(require.cache);
const { fromLoginCredentials } = require(${JSON.stringify(dist("index.cjs"))});
${call}`,
        ];
  const { stdout } = await run(process.execPath, args, {
    env: { ...process.env, AWSLOGIN_MODULE_LOG: log },
    timeout: 30_000,
  });
  return JSON.parse(stdout) as Outcome;
}

describe.each(["esm", "cjs"] as const)("the built provider (%s) in a fresh process", (format) => {
  it("a cache hit loads @awslogin/core/cache-hit, and no zod, undici or refresh path", async () => {
    const expected = JSON.parse(readFileSync(sandbox.cachePath(DEFAULT_IDENTITY), "utf8")).accessToken;
    const { answer, modules } = await callInChild(format, "dev");
    expect(answer).toEqual({ accessKeyId: expected.accessKeyId });
    expect(modules.some((m) => /[\\/]core[\\/]dist[\\/]cache-hit\.c?js$/.test(m))).toBe(true);
    expect(modules.filter((m) => HEAVY.test(m) || holdsZod(m))).toEqual([]);
    expect(emulator.stats().tokenRequests.refresh_token).toBe(0);
  });

  it("a refresh due imports the full path (zod, undici) and refreshes against the service", async () => {
    setExpiresIn(sandbox.cachePath(DEFAULT_IDENTITY), 60);
    const { answer, modules } = await callInChild(format, "dev");
    const refreshed = JSON.parse(readFileSync(sandbox.cachePath(DEFAULT_IDENTITY), "utf8")).accessToken;
    expect(answer).toEqual({ accessKeyId: refreshed.accessKeyId });
    expect(emulator.stats().tokenRequests.refresh_token).toBe(1);
    expect(modules.some(holdsZod)).toBe(true);
    expect(modules.some((m) => /[\\/]node_modules[\\/]undici[\\/]/.test(m))).toBe(true);
  });

  it("a profile without login_session: the full path's typed error, tryNextLink true", async () => {
    const { answer, modules } = await callInChild(format, "plain");
    expect(answer).toEqual({ code: "PROFILE_NOT_LOGIN", tryNextLink: true });
    expect(modules.some(holdsZod)).toBe(true);
  });
});
