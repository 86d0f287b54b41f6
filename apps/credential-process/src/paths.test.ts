import { resolveLoginCacheDirectory } from "@awslogin/core";
import { resolveConfigFilePath } from "@awslogin/core/node";
import { describe, expect, it } from "vitest";
import { cacheDirectoryOf, configPathOf } from "./paths.js";

const HOMES = ["/home/u", "/home/u/", "/"];

describe("the hot path looks where core looks", () => {
  it("config file", () => {
    for (const homeDir of HOMES) {
      for (const AWS_CONFIG_FILE of [
        undefined,
        "",
        "/etc/aws.conf",
        "~/cfg",
        "~\\cfg",
        "~user/cfg",
        "rel/cfg",
        "~",
      ]) {
        const env = { AWS_CONFIG_FILE };
        expect(configPathOf(env, homeDir), String(AWS_CONFIG_FILE)).toBe(
          resolveConfigFilePath({ env, homeDir }),
        );
      }
    }
  });

  it("login cache folder, or undefined where core expands variables or ~user", () => {
    for (const homeDir of HOMES) {
      for (const dir of [undefined, "", "/var/cache/l", "~", "~/c", "~\\c", "rel", "/a/~b"]) {
        const env = { AWS_LOGIN_CACHE_DIRECTORY: dir };
        expect(cacheDirectoryOf(env, homeDir), String(dir)).toBe(
          resolveLoginCacheDirectory({ env, homeDir }),
        );
      }
      for (const dir of ["$HOME/c", "$" + "{HOME}/c", "~other/c"]) {
        expect(cacheDirectoryOf({ AWS_LOGIN_CACHE_DIRECTORY: dir, HOME: homeDir }, homeDir)).toBeUndefined();
      }
    }
  });
});
