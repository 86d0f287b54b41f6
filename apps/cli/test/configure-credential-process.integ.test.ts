import { execFile } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parseConfigFile } from "@awslogin/core";
import { DEFAULT_IDENTITY } from "@awslogin/emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSandbox, runCli, type Sandbox } from "./helpers.js";

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = createSandbox();
  // `pnpm exec` puts the workspace's node_modules/.bin (with awslogin-credential-process) on PATH: take it off,
  // and any global `awslogin` too, so each test decides what is on PATH.
  sandbox.env.PATH = (sandbox.env.PATH ?? "")
    .split(delimiter)
    .filter((directory) => !BINS.some((bin) => existsSync(join(directory, bin))))
    .join(delimiter);
});
afterEach(() => sandbox.cleanup());

const BINS = ["awslogin-credential-process", "awslogin"];
const CLI_BIN = fileURLToPath(new URL("../bin/run.js", import.meta.url));
const SCRIPT = realpathSync(createRequire(import.meta.url).resolve("@awslogin/credential-process/bin"));
const LOGIN = `[profile dev]\nlogin_session = ${DEFAULT_IDENTITY}\nregion = eu-west-1\n`;

function writeConfig(text: string): void {
  mkdirSync(dirname(sandbox.configPath), { recursive: true });
  writeFileSync(sandbox.configPath, text);
}

describe("awslogin configure credential-process", () => {
  it("writes PROFILE-process with node and the script by absolute path, quoted, and the region; keeps the rest", async () => {
    writeConfig(`# my settings\n${LOGIN}\n[profile other] ; keep\noutput = json\n`);
    const run = await runCli(["configure", "credential-process", "--profile", "dev"], sandbox.env);
    expect(run.code, run.stderr).toBe(0);
    const line = `"${process.execPath}" "${SCRIPT}" --profile dev`;
    expect(run.stdout).toContain(`credential_process = ${line}`);
    expect(readFileSync(sandbox.configPath, "utf8")).toBe(
      `# my settings\n${LOGIN}\n[profile other] ; keep\noutput = json\n\n[profile dev-process]\ncredential_process = ${line}\nregion = eu-west-1\n`,
    );
    // Running the line as the JS/Go SDKs do (through a shell) prints the process JSON or fails with one line.
    await expect(promisify(execFile)("/bin/sh", ["-c", line], { env: sandbox.env })).rejects.toMatchObject({
      code: 1,
      stdout: "",
      stderr: expect.stringMatching(/^awslogin-credential-process: .+ \[CACHE_MISSING\]\n$/),
    });
  });

  it("writes a credential_process profile for a role profile on top of a login profile, with the role's region", async () => {
    const ROLE =
      "[profile admin]\nrole_arn = arn:aws:iam::444455556666:role/Admin\nsource_profile = dev\nregion = ap-southeast-2\n";
    writeConfig(`${LOGIN}${ROLE}`);
    const run = await runCli(["configure", "credential-process", "--profile", "admin"], sandbox.env);
    expect(run.code, run.stderr).toBe(0);
    const line = `"${process.execPath}" "${SCRIPT}" --profile admin`;
    expect(readFileSync(sandbox.configPath, "utf8")).toBe(
      `${LOGIN}${ROLE}\n[profile admin-process]\ncredential_process = ${line}\nregion = ap-southeast-2\n`,
    );
  });

  it("refuses a role profile whose chain does not reach a login profile, changing nothing", async () => {
    const text =
      "[profile keys]\naws_access_key_id = AKIAEXAMPLE\n[profile admin]\nrole_arn = arn:aws:iam::444455556666:role/Admin\nsource_profile = keys\n";
    writeConfig(text);
    const run = await runCli(["configure", "credential-process", "--profile", "admin"], sandbox.env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("ends at profile keys");
    expect(readFileSync(sandbox.configPath, "utf8")).toBe(text);
  });

  it("names the binary when it is on PATH, and --name picks the profile", async () => {
    writeConfig(LOGIN);
    const bin = join(sandbox.dir, "bin");
    mkdirSync(bin);
    symlinkSync(SCRIPT, join(bin, "awslogin-credential-process"));
    symlinkSync(CLI_BIN, join(bin, "awslogin"));
    const env = { ...sandbox.env, PATH: `${bin}:${sandbox.env.PATH}` };
    const run = await runCli(["configure", "credential-process", "-p", "dev", "--name", "tf"], env);
    expect(run.code, run.stderr).toBe(0);
    expect(parseConfigFile(readFileSync(sandbox.configPath, "utf8")).tf).toEqual({
      credential_process: "awslogin-credential-process --profile dev",
      region: "eu-west-1",
    });
  });

  it("is idempotent, and leaves out the region when the login profile has none", async () => {
    writeConfig(`[default]\nlogin_session = ${DEFAULT_IDENTITY}\n`);
    const first = await runCli(["configure", "credential-process"], sandbox.env);
    expect(first.code, first.stderr).toBe(0);
    const text = readFileSync(sandbox.configPath, "utf8");
    const second = await runCli(["configure", "credential-process"], sandbox.env);
    expect(second.code, second.stderr).toBe(0);
    expect(readFileSync(sandbox.configPath, "utf8")).toBe(text);
    expect(parseConfigFile(text)["default-process"]).toEqual({
      credential_process: `"${process.execPath}" "${SCRIPT}" --profile default`,
    });
  });

  it("refuses a profile that gets credentials another way, leaving the file byte for byte", async () => {
    for (const other of [
      "aws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = x",
      "credential_process = /usr/local/bin/other-tool",
      `login_session = ${DEFAULT_IDENTITY}`,
      "role_arn = arn:aws:iam::1:role/r\nsource_profile = dev",
      "sso_session = corp",
    ]) {
      const original = `${LOGIN}\n[profile dev-process]\n${other}\n`;
      writeConfig(original);
      const run = await runCli(["configure", "credential-process", "--profile", "dev"], sandbox.env);
      expect(run.code, other).toBe(1);
      expect(run.stderr).toMatch(
        /^awslogin: Profile dev-process already gets credentials another way .+\[PROFILE_HAS_OTHER_CREDENTIALS\]\n$/,
      );
      expect(readFileSync(sandbox.configPath, "utf8")).toBe(original);
    }
  });

  it("needs a login profile", async () => {
    writeConfig("[profile keys]\nregion = us-east-1\n");
    const missing = await runCli(["configure", "credential-process", "--profile", "nope"], sandbox.env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("[PROFILE_NOT_FOUND]");
    const notLogin = await runCli(["configure", "credential-process", "--profile", "keys"], sandbox.env);
    expect(notLogin.code).toBe(1);
    expect(notLogin.stderr).toContain("[PROFILE_NOT_LOGIN]");
    const same = await runCli(
      ["configure", "credential-process", "--profile", "keys", "--name", "keys"],
      sandbox.env,
    );
    expect(same.code).toBe(2);
    expect(same.stderr).toContain("[INVALID_ARGUMENT]");
    expect(readFileSync(sandbox.configPath, "utf8")).toBe("[profile keys]\nregion = us-east-1\n");
  });

  it("with only the CLI on PATH, writes `awslogin credential-process`, which runs the same binary", async () => {
    writeConfig(LOGIN);
    const bin = join(sandbox.dir, "bin");
    mkdirSync(bin);
    symlinkSync(CLI_BIN, join(bin, "awslogin"));
    const env = { ...sandbox.env, PATH: `${bin}${delimiter}${sandbox.env.PATH}` };
    const run = await runCli(["configure", "credential-process", "-p", "dev"], env);
    expect(run.code, run.stderr).toBe(0);
    const line = "awslogin credential-process --profile dev";
    expect(parseConfigFile(readFileSync(sandbox.configPath, "utf8"))["dev-process"]).toEqual({
      credential_process: line,
      region: "eu-west-1",
    });
    await expect(promisify(execFile)("/bin/sh", ["-c", line], { env })).rejects.toMatchObject({
      code: 1,
      stdout: "",
      stderr: expect.stringMatching(/^awslogin-credential-process: .+ \[CACHE_MISSING\]\n$/),
    });
    // Written by this command, so a second run replaces it in place rather than refusing the profile.
    const again = await runCli(["configure", "credential-process", "-p", "dev"], env);
    expect(again.code, again.stderr).toBe(0);
  });

  it("one package owns each command: the CLI `awslogin` alone (npx can pick it), the binary's package `awslogin-credential-process`", async () => {
    const read = (url: URL) => JSON.parse(readFileSync(url, "utf8")) as { bin: Record<string, string> };
    expect(read(new URL("../package.json", import.meta.url)).bin).toEqual({ awslogin: "./bin/run.js" });
    expect(read(new URL("../../credential-process/package.json", import.meta.url)).bin).toEqual({
      "awslogin-credential-process": "./dist/main.cjs",
    });
    expect(statSync(CLI_BIN).mode & 0o111).not.toBe(0);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [CLI_BIN, "credential-process", "--help"],
      {
        env: sandbox.env,
      },
    );
    expect(stdout).toContain("Usage: awslogin-credential-process [--profile PROFILE]");
  });
});
