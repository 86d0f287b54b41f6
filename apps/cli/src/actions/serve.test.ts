import { AwsLoginError } from "@awslogin/core/errors";
import { describe, expect, it } from "vitest";
import { describeEndpointError, exportLines } from "./serve.js";

describe("describeEndpointError", () => {
  it("a session that needs a new sign-in is a 403 (the JS SDK shows Code and Message of a 4xx) naming the command", () => {
    const error = new AwsLoginError("TOKEN_EXPIRED", "The session has ended. Sign in again.", {
      remedy: { kind: "sign-in", profile: "dev" },
    });
    expect(describeEndpointError(error, "dev")).toEqual({
      status: 403,
      code: "TOKEN_EXPIRED",
      message:
        "awslogin serve, profile dev: The session has ended. Sign in again. Run `awslogin login --profile dev`.",
    });
  });

  it.each(["NETWORK", "TIMEOUT", "THROTTLED", "SERVER_ERROR", "LOCK_TIMEOUT"] as const)(
    "%s may pass by itself: 503, which the SDKs retry",
    (code) => {
      expect(describeEndpointError(new AwsLoginError(code, "Try again."), "dev")).toMatchObject({
        status: 503,
        code,
      });
    },
  );

  it("anything else is a 500; an error that is not awslogin's says nothing of itself", () => {
    expect(describeEndpointError(new AwsLoginError("CONFIG_MALFORMED", "Bad config."), "dev").status).toBe(
      500,
    );
    const foreign = describeEndpointError(new Error("secret detail /home/x"), "dev");
    expect(foreign).toEqual({
      status: 500,
      code: "InternalError",
      message: "awslogin serve, profile dev: the credentials could not be loaded.",
    });
  });

  it("escapes terminal controls from outside values in the message", () => {
    const error = new AwsLoginError("CONFIG_MALFORMED", "Bad value \u001b]0;owned\u0007 in the config.");
    const message = describeEndpointError(error, "dev").message;
    expect([...message].filter((c) => c.charCodeAt(0) < 0x20)).toEqual([]);
  });
});

describe("exportLines", () => {
  it("quotes each value for a POSIX shell, as `awslogin export` does", () => {
    expect(
      exportLines([
        ["A", "it's"],
        ["B", "$(rm -rf ~)"],
      ]),
    ).toBe("export A='it'\\''s'\nexport B='$(rm -rf ~)'\n");
  });
});
