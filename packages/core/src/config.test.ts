import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSharedConfigFiles } from "@smithy/shared-ini-file-loader";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  assertLoginCapableProfile,
  findOtherCredentialKeys,
  getProfile,
  OTHER_CREDENTIAL_KEYS,
  type ParsedConfig,
  parseConfigFile,
  setProfileValues,
} from "./config.js";

let directory: string;
let counter = 0;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "awslogin-config-"));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** The oracle: what the AWS SDK for JavaScript reads from this text as the config file. */
async function sdkParse(text: string): Promise<ParsedConfig> {
  const configFilepath = join(directory, `config-${counter++}`);
  await writeFile(configFilepath, text);
  const { configFile } = await loadSharedConfigFiles({
    filepath: join(directory, "no-such-credentials-file"),
    configFilepath,
    ignoreCache: true,
  });
  await rm(configFilepath);
  return configFile as ParsedConfig;
}

// ---- generators of config files with the quirks the SDK's parser has ----

const space = fc.constantFrom("", " ", "  ", "\t");
const comment = fc.constantFrom("", " # note", " ; note", "\t#x", "#glued", " #", " ;; x = y");
const profileName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("default", "a") },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "dev-1",
      "x.y",
      "p@q",
      "123",
      "constructor",
      "hasOwnProperty",
      "toString",
      "new-one",
    ),
  },
);
const bareName = fc.constantFrom(
  "bare",
  "default",
  "profile.a",
  "profile.x.y",
  "sso-session.s",
  "foo.bar",
  "",
  " ",
);
const header: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 1, arbitrary: fc.constantFrom("[__proto__]", "[profile __proto__]") },
    { weight: 16, arbitrary: profileName.map((n) => `[profile ${n}]`) },
    { weight: 8, arbitrary: fc.constant("[default]") },
    { weight: 4, arbitrary: profileName.map((n) => `[profile "${n}"]`) },
    { weight: 4, arbitrary: profileName.map((n) => `[profile '${n}']`) },
    { weight: 4, arbitrary: profileName.map((n) => `[profile  ${n}]`) },
    { weight: 4, arbitrary: profileName.map((n) => `[ profile ${n} ]`) },
    { weight: 4, arbitrary: profileName.map((n) => `[profile\t${n}]`) },
    { weight: 4, arbitrary: profileName.map((n) => `[profile "${n}']`) },
    { weight: 4, arbitrary: profileName.map((n) => `[${n}]`) },
    { weight: 4, arbitrary: bareName.map((n) => `[${n}]`) },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        "[sso-session my-sso]",
        "[services dev]",
        "[unknown thing]",
        "[profile a b]",
        "[profile]",
      ),
    },
  )
  .chain((h) => fc.tuple(space, comment).map(([lead, c]) => `${lead}${h}${c}`));
const keyOther = fc.constantFrom(
  "s3",
  "aws_access_key_id",
  "role_arn",
  "max_concurrent_requests",
  "constructor",
  "__proto__",
  "hasOwnProperty",
  "toString",
  "a.b",
  "k#1",
  "sso_session",
);
const key = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom("region", "login_session", "output") },
  { weight: 1, arbitrary: keyOther },
);
const value = fc.constantFrom(
  "",
  "us-east-1",
  "arn:aws:iam::0123456789012:user/Admin",
  "a=b",
  "v#x",
  "v ;c",
  "  spaced  ",
  "json",
  "10",
);
const entry = fc
  .tuple(fc.constantFrom("", "", " ", "  ", "\t"), key, space, space, value, comment)
  .map(([indent, k, before, after, v, c]) => `${indent}${k}${before}=${after}${v}${c}`);
const otherLine = fc.constantFrom(
  "",
  "   ",
  "# a comment",
  "; another comment",
  "  # indented comment",
  "no equals sign here",
  "= value without a key",
  "[unclosed",
  "]",
  "\ufeff# bom",
);
const line = fc.oneof(
  { weight: 2, arbitrary: header },
  { weight: 5, arbitrary: entry },
  { weight: 2, arbitrary: otherLine },
);
const configText = fc
  .tuple(
    fc.array(line, { maxLength: 30, size: "medium" }),
    fc.constantFrom("\n", "\r\n"),
    fc.constantFrom("", "\n", "\r\n", "\n\n"),
  )
  .map(([lines, eol, end]) => lines.join(eol) + (lines.length > 0 ? end : ""));

const valuesToSet = fc
  .record(
    {
      login_session: fc.constantFrom(
        "arn:aws:sts::012345678901:assumed-role/Admin/admin",
        "arn:aws:iam::1:user/x",
      ),
      region: fc.constantFrom("us-west-2", "eu-central-1"),
      output: fc.constantFrom("json", "text#1"),
    },
    { requiredKeys: [] },
  )
  .map((values) => values as Record<string, string>);

function isPoisoned(text: string): boolean {
  const headers = text.split(/\r?\n/).map((l) => (l.split(/(^|\s)[;#]/)[0] ?? "").trim());
  return headers.includes("[__proto__]") || headers.includes("[profile __proto__]");
}

describe("parseConfigFile reads what the AWS SDK reads", () => {
  it("property: deep-equals @smithy/shared-ini-file-loader's configFile on generated files", async () => {
    await fc.assert(
      fc.asyncProperty(configText, async (text) => {
        expect(parseConfigFile(text)).toEqual(await sdkParse(text));
      }),
      { numRuns: Number(process.env.RUNS ?? 400) },
    );
  });

  it.each([
    ["[default]\nregion = us-east-1\n", { default: { region: "us-east-1" } }],
    [
      "[profile a]\nregion=eu-west-1 # comment\noutput = json;not-a-comment\n",
      { a: { region: "eu-west-1", output: "json;not-a-comment" } },
    ],
    ["[a]\nregion = x\n[profile b]\nregion = y\n", { b: { region: "y" } }],
    ["[default]\nregion = a\nout = o\n[profile default]\nregion = b\n", { default: { region: "b" } }],
    ["[profile default]\n[default]\nregion = a\n", { default: { region: "a" } }],
    ["[profile a]\nregion = 1\n[profile a]\nregion = 2\noutput = j\n", { a: { region: "2", output: "j" } }],
    ['[profile "q"]\nk = v\n[profile.r]\nk = w\n', { q: { k: "v" }, r: { k: "w" } }],
    ["[profile  two]\nk = v\n[profile a b]\nk = v\n", {}],
    [
      "[sso-session s]\nsso_region = us-east-1\n[services dev]\ns3 =\n  endpoint_url = http://x\n",
      {
        "sso-session.s": { sso_region: "us-east-1" },
        "services.dev": { "s3.endpoint_url": "http://x" },
      },
    ],
    [
      "[profile a]\ns3 =\n  max = 10\nregion = r\n  after = 1\n",
      { a: { "s3.max": "10", region: "r", after: "1" } },
    ],
    ["[profile a]\n__proto__ = x\n", { a: {} }],
    ["[profile a]\nregion = x\n[__proto__]\nk = v\n", {}],
    ["region = orphan\n[profile a]\n", {}],
    ["[default]\r\nregion = crlf\r\n", { default: { region: "crlf" } }],
  ])("%j", async (text, expected) => {
    expect(parseConfigFile(text)).toEqual(expected);
    expect(await sdkParse(text)).toEqual(expected);
  });

  it("creates no profile for a quoted __proto__ name (where the SDK would replace its result's prototype)", () => {
    const config = parseConfigFile('[profile "__proto__"]\npolluted = yes\n[profile a]\nk = v\n');
    expect(config).toEqual({ a: { k: "v" } });
    // Prototype-free: no name from a file can reach Object.prototype's members.
    expect(Object.getPrototypeOf(config)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("getProfile only finds own profiles", () => {
    const config = parseConfigFile("[profile a]\nk = v\n");
    expect(getProfile(config, "a")).toEqual({ k: "v" });
    expect(getProfile(config, "b")).toBeUndefined();
    expect(getProfile(config, "constructor")).toBeUndefined();
    expect(getProfile(config, "toString")).toBeUndefined();
  });
});

describe("setProfileValues", () => {
  it("property: the SDK then reads the old config with just those keys changed, and every other line stays, in order", async () => {
    await fc.assert(
      fc.asyncProperty(
        configText,
        fc.constantFrom(
          "default",
          "a",
          "default",
          "a",
          "dev-1",
          "x.y",
          "new-one",
          "123",
          "constructor",
          "toString",
        ),
        valuesToSet,
        async (text, profile, values) => {
          if (isPoisoned(text)) {
            // The SDK reads nothing from such a file: writing a profile into it would only pretend to work.
            expect(await sdkParse(text)).toEqual({});
            expect(() => setProfileValues(text, profile, values)).toThrow(/\[__proto__\] section/);
            return;
          }
          const edited = setProfileValues(text, profile, values);
          const before = await sdkParse(text);
          const after = await sdkParse(edited);
          expect(parseConfigFile(edited)).toEqual(after);
          if (Object.keys(values).length === 0) {
            expect(edited).toBe(text);
          } else {
            expect(after).toEqual({
              ...before,
              [profile]: { ...(Object.hasOwn(before, profile) ? before[profile] : {}), ...values },
            });
          }
          const oldLines = text.split(/\r?\n/);
          const newLines = edited.split(/\r?\n/);
          const replaceable = new RegExp(`^\\s*(${Object.keys(values).join("|") || "(?!)"})\\s*=`);
          let j = 0;
          for (const oldLine of oldLines) {
            if (replaceable.test(oldLine)) continue;
            const found = newLines.indexOf(oldLine, j);
            expect(found, `line ${JSON.stringify(oldLine)} kept in order`).toBeGreaterThanOrEqual(0);
            j = found + 1;
          }
          if (text.includes("\r\n") && !text.replace(/\r\n/g, "").includes("\n")) {
            expect(edited.replace(/\r\n/g, "")).not.toContain("\n");
          }
        },
      ),
      { numRuns: Number(process.env.RUNS ?? 400) },
    );
  });

  it("keeps comments, blank lines, other keys and sections byte for byte", () => {
    const text = [
      "# my AWS config",
      "",
      "[default]",
      "; default region",
      "region = us-east-1   # the usual one",
      "output=json",
      "",
      "[profile work]  # work account",
      "sso_session = corp",
      "",
      "# trailing comment",
      "",
    ].join("\n");
    const edited = setProfileValues(text, "default", {
      login_session: "arn:aws:iam::0123456789012:user/Admin",
      region: "eu-west-1",
    });
    expect(edited).toBe(
      [
        "# my AWS config",
        "",
        "[default]",
        "; default region",
        "region = eu-west-1   # the usual one",
        "output=json",
        "login_session = arn:aws:iam::0123456789012:user/Admin",
        "",
        "[profile work]  # work account",
        "sso_session = corp",
        "",
        "# trailing comment",
        "",
      ].join("\n"),
    );
  });

  it("appends a missing section after one blank line, keeping CRLF", () => {
    expect(setProfileValues("[default]\r\nregion = us-east-1\r\n", "dev", { login_session: "arn" })).toBe(
      "[default]\r\nregion = us-east-1\r\n\r\n[profile dev]\r\nlogin_session = arn\r\n",
    );
    expect(setProfileValues("[default]\nregion = x", "dev", { login_session: "arn" })).toBe(
      "[default]\nregion = x\n\n[profile dev]\nlogin_session = arn\n",
    );
    expect(setProfileValues("# only a comment\n\n", "default", { region: "r" })).toBe(
      "# only a comment\n\n[default]\nregion = r\n",
    );
    expect(setProfileValues("", "default", { login_session: "arn", region: "r" })).toBe(
      "[default]\nlogin_session = arn\nregion = r\n",
    );
  });

  it("inserts after the section's last entry, even when the file has no final newline", () => {
    expect(setProfileValues("[profile a]\nregion = r", "a", { login_session: "s" })).toBe(
      "[profile a]\nregion = r\nlogin_session = s\n",
    );
    expect(setProfileValues("[profile a]\n# c\n[profile b]\n", "a", { login_session: "s" })).toBe(
      "[profile a]\nlogin_session = s\n# c\n[profile b]\n",
    );
    expect(setProfileValues("[profile a]\ns3 =\n  max = 1\n", "a", { region: "r" })).toBe(
      "[profile a]\ns3 =\n  max = 1\nregion = r\n",
    );
  });

  it("replaces every occurrence the SDK reads (the first in place, duplicates too), but not sub-properties", () => {
    const text = "[profile a]\nregion = 1\n[profile a]\n  region = 2 ; dup\nservices =\n  region = sub\n";
    expect(setProfileValues(text, "a", { region: "new" })).toBe(
      "[profile a]\nregion = new\n[profile a]\n  region = new ; dup\nservices =\n  region = sub\n",
    );
  });

  it("writes to [profile default] when that is what the SDK reads for default", () => {
    const text = "[default]\nregion = a\n[profile default]\noutput = json\n";
    const edited = setProfileValues(text, "default", { region: "b" });
    expect(edited).toBe("[default]\nregion = a\n[profile default]\noutput = json\nregion = b\n");
    expect(parseConfigFile(edited).default).toEqual({ output: "json", region: "b" });
    // An empty [profile default] does not shadow [default], so [default] is edited.
    expect(setProfileValues("[profile default]\n[default]\nregion = a\n", "default", { region: "b" })).toBe(
      "[profile default]\n[default]\nregion = b\n",
    );
  });

  it('treats [profile "a"] and [profile.a] as profile a, and ignores sections the SDK ignores', () => {
    expect(setProfileValues('[profile "a"]\nk = v\n', "a", { k: "w" })).toBe('[profile "a"]\nk = w\n');
    expect(setProfileValues("[profile.a]\n", "a", { k: "w" })).toBe("[profile.a]\nk = w\n");
    expect(setProfileValues("[profile  a]\nk = v\n", "a", { k: "w" })).toBe(
      "[profile  a]\nk = v\n\n[profile a]\nk = w\n",
    );
  });

  it("returns the text unchanged when there is nothing to set", () => {
    expect(setProfileValues("[default]\r\nx=1", "default", {})).toBe("[default]\r\nx=1");
  });

  it.each([
    [{ login_session: "a\nb" }, "single line"],
    [{ region: "" }, "would not read it back"],
    [{ region: "  padded" }, "would not read it back"],
    [{ region: "a #b" }, "would not read it back"],
    [{ "a=b": "x" }, "would not read it back"],
    [{ "": "x" }, "would not read it back"],
    [{ "[x": "y]" }, "would not read it back"],
    [JSON.parse('{"__proto__": "x"}') as Record<string, string>, "would not read it back"],
  ])("refuses %j with INVALID_ARGUMENT", (values, message) => {
    expect(() => setProfileValues("[default]\n", "default", values)).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining(message) }),
    );
  });

  it.each(["my profile", "a]b", "", "__proto__", "x\ny"])("refuses the profile name %j", (name) => {
    expect(() => setProfileValues("", name, { region: "r" })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });
});

describe("other credentials (docs/protocol.md §7, §12.11)", () => {
  it("lists the keys in a fixed order", () => {
    expect(OTHER_CREDENTIAL_KEYS).toContain("web_identity_token_file");
    expect(findOtherCredentialKeys({ region: "r", credential_process: "x", aws_access_key_id: "A" })).toEqual(
      ["aws_access_key_id", "credential_process"],
    );
    expect(findOtherCredentialKeys({ region: "r", login_session: "s" })).toEqual([]);
  });

  it.each([
    ["[profile p]\nweb_identity_token_file = /t\n", "web_identity_token_file"],
    [
      "[profile p]\nsso_session = s\nsso_account_id = 1\nsso_role_name = r\n",
      "sso_account_id, sso_role_name",
    ],
    ["[profile p]\naws_access_key_id = AKIA\n", "aws_access_key_id"],
    ["[profile p]\nrole_arn = arn\nsource_profile = x\n", "role_arn"],
    ["[profile p]\ncredential_process = aws configure export-credentials\n", "credential_process"],
    ["[profile p]\nsso_start_url = https://x\n", "sso_start_url"],
  ])("refuses a profile with other credentials: %j", (text, keys) => {
    const call = () => assertLoginCapableProfile("p", getProfile(parseConfigFile(text), "p"));
    expect(call).toThrow(
      expect.objectContaining({
        code: "PROFILE_HAS_OTHER_CREDENTIALS",
        message: expect.stringContaining(`(${keys})`),
      }),
    );
    expect(call).toThrow("Use another profile");
    expect(call).toThrow(expect.objectContaining({ message: expect.not.stringContaining("AKIA") }));
  });

  it("accepts a new profile, a plain one and a login one", () => {
    expect(() => assertLoginCapableProfile("p", undefined)).not.toThrow();
    expect(() => assertLoginCapableProfile("p", { region: "r", login_session: "s" })).not.toThrow();
  });
});
