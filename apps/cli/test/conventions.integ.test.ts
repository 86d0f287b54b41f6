import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commands } from "../src/commands.js";
import { createSandbox, runCli, type Sandbox } from "./helpers.js";

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = createSandbox();
});
afterEach(() => {
  sandbox.cleanup();
});

/** Every command id of src/commands.ts, as typed (topic separator " "), plus the autocomplete plugin's. */
const ids = [...Object.keys(commands).map((id) => id.replaceAll(":", " ")), "autocomplete"];

describe("CLI conventions", () => {
  it("knows the commands of this change", () => {
    expect(ids).toEqual(expect.arrayContaining(["status", "logout", "doctor", "login", "autocomplete"]));
  });

  it.each(ids)("`%s --help` has an EXAMPLES section with at least one example", async (id) => {
    const run = await runCli([...id.split(" "), "--help"], sandbox.env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^USAGE\n {2}\$ awslogin /m);
    const examples = run.stdout.split(/^EXAMPLES$/m)[1];
    expect(examples, `no EXAMPLES in:\n${run.stdout}`).toBeDefined();
    expect(examples).toMatch(new RegExp(`^ {2}\\$ (\\S+=\\S+ )?awslogin ${id}\\b`, "m"));
  });

  it("offers --json on the read commands (status, doctor) and a json format on export", async () => {
    for (const id of ["status", "doctor"]) {
      const run = await runCli([id, "--help"], sandbox.env);
      expect(run.stdout).toMatch(/--json\s/);
    }
    const exportHelp = await runCli(["export", "--help"], sandbox.env);
    expect(exportHelp.stdout).toMatch(/--format=<option>[\s\S]*json/);
  });

  it("completes command names and flags in bash through `awslogin autocomplete`", async () => {
    const setup = await runCli(["autocomplete", "bash"], sandbox.env);
    expect(setup.code, setup.stderr).toBe(0);
    expect(setup.stdout).toContain("awslogin autocomplete script bash");
    const script = join(
      sandbox.dir,
      ".cache",
      "awslogin",
      "autocomplete",
      "functions",
      "bash",
      "awslogin.bash",
    );
    expect(existsSync(script)).toBe(true);
    const complete = (words: string[]) =>
      spawnSync(
        "bash",
        [
          "-c",
          `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _awslogin_autocomplete; printf '%s\\n' "\${COMPREPLY[@]}"`,
          "bash",
          script,
          ...words,
        ],
        { encoding: "utf8", env: sandbox.env },
      )
        .stdout.split(/\s+/)
        .filter(Boolean);
    expect(complete(["awslogin", "st"])).toEqual(["status"]);
    expect(complete(["awslogin", "lo"]).sort()).toEqual(["login", "logout"]);
    expect(complete(["awslogin", "logout", "--"]).sort()).toEqual([
      "--all",
      "--local-only",
      "--profile",
      "--revoke",
    ]);
    expect(complete(["awslogin", "doctor", "--"]).sort()).toEqual(["--json", "--profile"]);
  });
});
