import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSharedConfigFiles } from "@smithy/shared-ini-file-loader";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { parseCredentialsFile } from "../config.js";
import { readProfile, resolveSharedFilePaths } from "./shared-files.js";

const dir = mkdtempSync(join(tmpdir(), "awslogin-shared-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** What the SDK's loader makes of the two files (ignoreCache: its reads are memoized by path). */
async function sdkRead(config: string, credentials: string) {
  n += 1;
  const configFilepath = join(dir, `config-${n}`);
  const filepath = join(dir, `credentials-${n}`);
  writeFileSync(configFilepath, config);
  writeFileSync(filepath, credentials);
  const files = await loadSharedConfigFiles({ configFilepath, filepath, ignoreCache: true });
  return { files, paths: { configPath: configFilepath, credentialsPath: filepath } };
}

const line = fc.oneof(
  fc.constantFrom(
    "[default]",
    "[dev]",
    "[profile dev]",
    "[profile 'dev']",
    '[profile "dev"]',
    "[profile  dev]",
    "[sso-session s]",
    "[services x]",
    "[other dev]",
    "[ dev ]",
    "[]",
    "[__proto__]",
    "login_session = arn:aws:iam::111122223333:user/a",
    "region=eu-west-1",
    "  region = us-west-2",
    "s3 =",
    "  max_concurrent_requests = 10",
    "x = a # comment",
    "y = b;not a comment",
    "; comment",
    "# comment",
    "=novalue",
    "__proto__ = x",
    "",
  ),
  fc.string({ maxLength: 12 }),
);

describe("parseCredentialsFile", () => {
  it("reads the credentials file exactly as the SDK's loadSharedConfigFiles", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 12 }),
        fc.constantFrom("\n", "\r\n"),
        async (lines, eol) => {
          const text = lines.join(eol);
          const { files } = await sdkRead("", text);
          expect(parseCredentialsFile(text)).toEqual(files.credentialsFile);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps [profile dev] apart from [dev], as the SDK does", () => {
    expect(parseCredentialsFile("[profile dev]\na = 1\n[dev]\nb = 2\n")).toEqual({
      "profile.dev": { a: "1" },
      dev: { b: "2" },
    });
  });
});

describe("readProfile", () => {
  it("merges the credentials file over the config file as the SDK's parseKnownFiles", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 10 }),
        fc.array(line, { maxLength: 10 }),
        fc.constantFrom("dev", "default", "s", "other"),
        async (config, credentials, profile) => {
          const { files, paths } = await sdkRead(config.join("\n"), credentials.join("\n"));
          const fromConfig = files.configFile[profile];
          const fromCredentials = files.credentialsFile[profile];
          const expected =
            fromConfig === undefined && fromCredentials === undefined
              ? undefined
              : { ...fromConfig, ...fromCredentials };
          expect(await readProfile(paths, profile)).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("reads a missing or unreadable file as empty, as the SDK does", async () => {
    const paths = { configPath: join(dir, "absent"), credentialsPath: dir };
    expect(await readProfile(paths, "default")).toBeUndefined();
  });
});

describe("resolveSharedFilePaths", () => {
  it("takes the option, then the environment, then ~/.aws, expanding a leading ~/", () => {
    const env = { AWS_CONFIG_FILE: "/env/config", AWS_SHARED_CREDENTIALS_FILE: "~/env/credentials" };
    expect(resolveSharedFilePaths({}, env, "/home/u")).toEqual({
      configPath: "/env/config",
      credentialsPath: "/home/u/env/credentials",
    });
    expect(resolveSharedFilePaths({ configFilepath: "~/c", filepath: "/f" }, env, "/home/u")).toEqual({
      configPath: "/home/u/c",
      credentialsPath: "/f",
    });
    expect(resolveSharedFilePaths({}, { AWS_CONFIG_FILE: "" }, "/home/u")).toEqual({
      configPath: "/home/u/.aws/config",
      credentialsPath: "/home/u/.aws/credentials",
    });
  });
});
