import { describe, expect, it } from "vitest";
import { parseConfigFile, parseCredentialsFile, setProfileValues } from "./config.js";
import { hasUnprintable } from "./printable.js";

describe("config editor: no value from outside can inject into ~/.aws/config", () => {
  const hostile = [
    "arn:aws:sts::111122223333:assumed-role/R/s\u001b]52;c;ZXZpbA==\u0007",
    "arn:aws:sts::111122223333:assumed-role/R/s\u001b[2J",
    "arn:aws:sts::111122223333:assumed-role/R/s\n[profile evil]\ncredential_process = sh -c id",
    "arn:aws:sts::111122223333:assumed-role/R/s\r[default]",
    "arn:aws:sts::111122223333:assumed-role/R/s\u0085[profile evil]",
    "arn:aws:sts::111122223333:assumed-role/R/s\u2028[profile evil]",
    "arn:aws:sts::111122223333:assumed-role/R/s\u0000",
    "arn:aws:sts::111122223333:assumed-role/R/s\u202egnp.exe",
  ];
  it.each(hostile)("refuses login_session %j and changes nothing", (value) => {
    const before = "[profile dev]\nregion = us-east-1\n";
    expect(() => setProfileValues(before, "dev", { login_session: value })).toThrow(
      expect.objectContaining({
        code: "INVALID_ARGUMENT",
        message: expect.toSatisfy((message: string) => !hasUnprintable(message)),
      }),
    );
  });

  it("refuses a key with control characters", () => {
    expect(() => setProfileValues("", "dev", { "k\u001bx": "v" })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });

  it("still writes an ordinary ARN", () => {
    const text = setProfileValues("", "dev", {
      login_session: "arn:aws:iam::111122223333:user/a+b=c,d.e@f-g",
    });
    expect(parseConfigFile(text).dev).toEqual({
      login_session: "arn:aws:iam::111122223333:user/a+b=c,d.e@f-g",
    });
  });
});

describe("config readers: names from files never touch a prototype", () => {
  const names = ["__proto__", "constructor", "hasOwnProperty", "toString", "valueOf", "prototype"];

  it.each(names)("sections and keys named %s pollute nothing and parse into prototype-free maps", (name) => {
    const text = [
      `[${name}]`,
      "polluted = yes",
      `[profile ${name}]`,
      "polluted = yes",
      ...names.map((key) => `${key} = yes`),
      "[profile dev]",
      ...names.map((key) => `${key} = yes`),
    ].join("\n");
    const config = parseConfigFile(text);
    const credentials = parseCredentialsFile(text);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
    for (const parsed of [config, credentials, ...Object.values(config), ...Object.values(credentials)]) {
      expect(Object.getPrototypeOf(parsed)).toBeNull();
    }
  });

  it("finds profiles named like Object.prototype members, and only those the file has", () => {
    const config = parseConfigFile(
      "[profile constructor]\nlogin_session = a\n[profile hasOwnProperty]\nlogin_session = b\n",
    );
    expect(config.constructor).toEqual({ login_session: "a" });
    expect(config.hasOwnProperty).toEqual({ login_session: "b" });
    expect(config.toString).toBeUndefined();
    expect(config.valueOf).toBeUndefined();
  });
});

describe("config editor: a file the SDKs read as empty", () => {
  it.each(["[__proto__]\nk = v\n", "[profile dev]\nregion = x\n[profile __proto__]\n"])(
    "refuses to add a profile to %j (the SDKs would find none of it)",
    (text) => {
      expect(() =>
        setProfileValues(text, "dev", { login_session: "arn:aws:iam::111122223333:user/a" }),
      ).toThrow(
        expect.objectContaining({
          code: "CONFIG_MALFORMED",
          message: expect.stringContaining("[__proto__] section"),
        }),
      );
    },
  );
});
