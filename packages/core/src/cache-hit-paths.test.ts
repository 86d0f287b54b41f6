import { describe, expect, it } from "vitest";
import { configPathOf, credentialsPathOf, resolveCacheHitFiles } from "./cache-hit-paths.js";
import { resolveConfigFilePath } from "./node/config-files.js";
import { resolveSharedFilePaths } from "./node/shared-files.js";
import { resolveLoginCacheDirectory } from "./token-cache.js";

const HOMES = ["/home/u", "/home/u/", "/"];
const FILE_FORMS = [undefined, "", "/etc/aws.conf", "~/cfg", "~\\cfg", "~user/cfg", "rel/cfg", "~"];

describe("the cache-hit path looks where core looks, or leaves the question to core", () => {
  it("config file: as resolveConfigFilePath (binary, export) and resolveSharedFilePaths (provider)", () => {
    for (const homeDir of HOMES) {
      for (const AWS_CONFIG_FILE of FILE_FORMS) {
        const env = { AWS_CONFIG_FILE };
        const hot = configPathOf(env, homeDir);
        if (AWS_CONFIG_FILE?.startsWith("~\\")) {
          expect(hot, "the two core readers disagree: core decides").toBeUndefined();
          continue;
        }
        expect(hot, String(AWS_CONFIG_FILE)).toBe(resolveConfigFilePath({ env, homeDir }));
        expect(hot, String(AWS_CONFIG_FILE)).toBe(resolveSharedFilePaths({}, env, homeDir).configPath);
      }
    }
  });

  it("config and credentials files named by option or variable, as resolveSharedFilePaths", () => {
    for (const homeDir of HOMES) {
      for (const variable of FILE_FORMS) {
        for (const option of FILE_FORMS) {
          const env = { AWS_CONFIG_FILE: variable, AWS_SHARED_CREDENTIALS_FILE: variable };
          const options = { configFilepath: option, filepath: option };
          const core = resolveSharedFilePaths(options, env, homeDir);
          const chosen = option ?? (variable || undefined);
          const expected = (path: string) => (chosen?.startsWith("~\\") ? undefined : path);
          expect(configPathOf(env, homeDir, options)).toBe(expected(core.configPath));
          expect(credentialsPathOf(env, homeDir, options)).toBe(expected(core.credentialsPath));
        }
      }
    }
  });

  it("login cache folder: core's one resolver, every form (variables and ~user included)", () => {
    for (const homeDir of HOMES) {
      for (const dir of [
        undefined,
        "",
        "/var/cache/l",
        "~",
        "~/c",
        "~\\c",
        "rel",
        "/a/~b",
        "$HOME/c",
        "$" + "{HOME}/c",
        "~other/c",
      ]) {
        const env = { AWS_LOGIN_CACHE_DIRECTORY: dir, HOME: homeDir };
        expect(resolveCacheHitFiles(env, homeDir)?.cacheDirectory, String(dir)).toBe(
          resolveLoginCacheDirectory({ env, homeDir }),
        );
      }
    }
  });
});
