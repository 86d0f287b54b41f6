import { getProfile, parseConfigFile } from "@awslogin/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readProfile } from "./profile-reader.js";

/** The oracle: core's reader, itself held equal to the AWS SDK for JavaScript's. */
function coreView(text: string, profile: string): Record<string, string | undefined> | undefined {
  return getProfile(parseConfigFile(text), profile);
}

function hotView(text: string, profile: string): Record<string, string> | undefined {
  const lookup = readProfile(text, profile);
  return lookup.kind === "found" ? lookup.values : undefined;
}

const PROFILES = ["default", "dev", "a.b", "p@q", "constructor", "__proto__"];

const FILES: Record<string, string> = {
  "written by awslogin login":
    "[profile dev]\nlogin_session = arn:aws:iam::111122223333:user/alice\nregion = us-east-1\n",
  "default, bare": "[default]\nlogin_session = arn:aws:iam::1:user/d\nregion = eu-west-1\n",
  "[profile default] wins over [default]":
    "[default]\nlogin_session = bare\nregion = r1\n[profile default]\nlogin_session = prefixed\n",
  "an empty [profile default] does not": "[default]\nlogin_session = bare\n[profile default]\n# nothing\n",
  "comments and CRLF":
    "# top\r\n[profile dev] ; c\r\nlogin_session = arn:x ; trailing\r\nregion=us-west-2#glued\r\n",
  "bare [dev] is ignored": "[dev]\nlogin_session = nope\n",
  "[profile.dev] counts as dev (SDK quirk)": "[profile.dev]\nlogin_session = dotted\n",
  "quoted names": "[profile \"dev\"]\nlogin_session = dq\n[profile 'a.b']\nregion = ap-south-1\n",
  "two spaces: ignored": "[profile  dev]\nlogin_session = two\n",
  "sub-properties":
    "[profile dev]\ns3 =\n  login_session = nested\n  max = 1\nlogin_session = top\nregion = r\n",
  "indented continuation after sub-property": "[profile dev]\nfoo =\n login_session = nested\n",
  "duplicate keys: last wins": "[profile dev]\nlogin_session = one\n[profile dev]\nlogin_session = two\n",
  "poisoned file": "[profile dev]\nlogin_session = x\n[__proto__]\nregion = y\n",
  "profile __proto__": "[profile __proto__]\nlogin_session = x\n",
  "key __proto__ only": "[profile dev]\n__proto__ = x\n",
  "keys before any section": "login_session = orphan\n[profile dev]\nregion = r\n",
  "other section types": "[sso-session dev]\nlogin_session = s\n[services dev]\nregion = x\n",
  "value with =": "[profile dev]\nlogin_session = a=b=c\n",
  "empty file": "",
};

describe("readProfile agrees with core's parseConfigFile", () => {
  for (const [name, text] of Object.entries(FILES)) {
    it(name, () => {
      for (const profile of PROFILES)
        expect(hotView(text, profile), profile).toEqual(coreView(text, profile));
    });
  }

  it("on generated files (property)", () => {
    const name = fc.constantFrom("default", "dev", "a.b", "x");
    const header = fc.oneof(
      name.map((n) => `[profile ${n}]`),
      fc.constant("[default]"),
      name.map((n) => `[profile "${n}"]`),
      name.map((n) => `[ profile ${n} ]`),
      name.map((n) => `[profile.${n}]`),
      name.map((n) => `[${n}]`),
      fc.constantFrom("[sso-session dev]", "[services x]", "[__proto__]", "[]", "[profile]"),
    );
    const key = fc.constantFrom("login_session", "region", "s3", "__proto__", "a");
    const value = fc.constantFrom("", "v", "arn:aws:iam::1:user/u", "x=y", "#nope", "a ;b", " spaced ");
    const indent = fc.constantFrom("", " ", "\t");
    const comment = fc.constantFrom("", " # c", ";c", "\t;x");
    const entry = fc
      .tuple(indent, key, fc.constantFrom("=", " = ", "= "), value, comment)
      .map((p) => p.join(""));
    const line = fc.oneof(
      { weight: 2, arbitrary: header },
      { weight: 6, arbitrary: entry },
      { weight: 1, arbitrary: fc.constantFrom("", "# comment", "garbage", "  ") },
    );
    const file = fc
      .tuple(fc.array(line, { maxLength: 14 }), fc.constantFrom("\n", "\r\n"))
      .map(([l, eol]) => l.join(eol));
    fc.assert(
      fc.property(file, fc.constantFrom("default", "dev", "a.b", "x"), (text, profile) => {
        expect(hotView(text, profile)).toEqual(coreView(text, profile));
      }),
      { numRuns: 3000 },
    );
  });
});
