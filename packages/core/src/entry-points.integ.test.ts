/**
 * Core is shipped once: the built entry points share one copy of each module (ESM and CJS chunks), so an error thrown
 * by `@awslogin/core/node` is `instanceof` the AwsLoginError of `@awslogin/core` and of `@awslogin/core/errors`, in a
 * fresh process that imports the built package by name as an app does.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));

const probe = `const env = { AWS_CONFIG_FILE: "/nonexistent/config", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/creds" };
const error = await node.loadProfileCredentials({ profile: "nope", env }).catch((e) => e);
process.stdout.write(JSON.stringify({
  code: error.code,
  fromRoot: error instanceof root.AwsLoginError,
  fromErrors: error instanceof errors.AwsLoginError,
  sameClass: root.AwsLoginError === errors.AwsLoginError,
  isInstance: errors.AwsLoginError.isInstance(error),
  name: error.constructor.name,
}));`;

const scripts = {
  esm: [
    "--input-type=module",
    "-e",
    `const root = await import("@awslogin/core");
const node = await import("@awslogin/core/node");
const errors = await import("@awslogin/core/errors");
${probe}`,
  ],
  cjs: [
    "-e",
    `const root = require("@awslogin/core");
const node = require("@awslogin/core/node");
const errors = require("@awslogin/core/errors");
(async () => { ${probe} })();`,
  ],
};

describe.each(["esm", "cjs"] as const)("the built package from %s", (format) => {
  it("an error of @awslogin/core/node is instanceof @awslogin/core's and @awslogin/core/errors' AwsLoginError", async () => {
    const { stdout } = await run(process.execPath, scripts[format], { cwd: packageDir, timeout: 20_000 });
    expect(JSON.parse(stdout)).toEqual({
      code: "PROFILE_NOT_FOUND",
      fromRoot: true,
      fromErrors: true,
      sameClass: true,
      isInstance: true,
      name: "AwsLoginError",
    });
  });
});
