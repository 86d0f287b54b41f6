/**
 * `pnpm release --dry-run` as a maintainer reads it: the first versions the pending changesets give and the order of
 * publishing. A peer dependency bumped by changesets would turn a dependent's minor into a major (the CLI's optional
 * peer, the emulator, once did: 0.0.0 → 1.0.0), so the plan itself is tested.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { ROOT } from "./registry.js";

const run = promisify(execFile);

it("the first release is 0.1.0 for every package, published dependencies (and the CLI's peer) first", async () => {
  const { stdout } = await run(process.execPath, ["scripts/release.mjs", "--dry-run"], { cwd: ROOT });
  const plan = [...stdout.matchAll(/^\s+\d+\. (\S+)\s+(\S+) → (\S+) \((\w+)\)$/gm)].map(
    ([, name, from, to, type]) => ({ name, from, to, type }),
  );
  expect(plan.map((step) => step.name)).toEqual([
    "@awslogin/core",
    "@awslogin/credential-process",
    "@awslogin/emulator",
    "@awslogin/cli",
    "@awslogin/credential-provider",
  ]);
  for (const step of plan)
    expect(step, step.name).toMatchObject({ from: "0.0.0", to: "0.1.0", type: "minor" });
});
