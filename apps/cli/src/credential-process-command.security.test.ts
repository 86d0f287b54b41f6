import { describe, expect, it } from "vitest";
import { credentialProcessCommand } from "./credential-process-command.js";

// The line is run through a shell by the JS and Go SDKs and split by botocore's shlex: a profile name that a shell
// reads specially would run something else or break the line (issue 7 §1b's class, for the INI file).
describe("the credential_process line written by configure credential-process", () => {
  const env = { PATH: "" };

  it.each(["dev $(id)", "a;b", "a b", "a`b`", 'a"b', "a%PATH%", "a\nb", "a&b", "a|b", "a'b"])(
    "refuses the profile name %j",
    (profile) => {
      expect(() => credentialProcessCommand(profile, env)).toThrow(
        expect.objectContaining({ code: "INVALID_ARGUMENT" }),
      );
    },
  );

  it.each(["dev", "team.prod-admin", "user@example.com", "a_b+c=d,e:f/g"])(
    "writes %j as it is",
    (profile) => {
      expect(credentialProcessCommand(profile, env)).toMatch(
        new RegExp(`--profile ${profile.replace(/[.+]/g, "\\$&")}$`),
      );
    },
  );
});
