import { resolveConfigFilePath } from "@awslogin/core/node";
import { describe, expect, it } from "vitest";
import { configPathOf } from "./paths.js";

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
});
