/**
 * What `awslogin-credential-process` writes on stderr reaches a terminal through the SDKs and the AWS CLI, which show
 * it as it is: a value from outside (here, a profile name from the environment or argv) must not be able to clear the
 * screen, write the clipboard (OSC 52) or forge a second line (issue 7 §6).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSandbox, runCredentialProcess, type Sandbox } from "./helpers.js";

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = createSandbox();
});
afterEach(() => sandbox.cleanup());

const HOSTILE = "dev\u001b]52;c;cHduZWQ=\u0007\u001b[2J\nawslogin-credential-process: forged line\u202e";
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for the characters that must not be printed raw.
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/;

describe("awslogin-credential-process stderr", () => {
  it.each([
    ["AWS_PROFILE", [] as string[], { AWS_PROFILE: HOSTILE }],
    ["--profile", ["--profile", HOSTILE], {}],
    ["an unknown argument", [HOSTILE], {}],
  ])("a hostile profile name from %s is printed escaped, on one line", async (_source, args, extra) => {
    const run = await runCredentialProcess(args, { ...sandbox.env, ...extra });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe("");
    expect(run.stderr).not.toMatch(RAW);
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain("\\u001b]52;c;cHduZWQ=\\u0007");
  });
});
