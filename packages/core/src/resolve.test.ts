import { describe, expect, it } from "vitest";
import { parseConfigFile, parseCredentialsFile } from "./config.js";
import {
  type LoginSettingsInput,
  recordedSettingsOf,
  resolveCacheDirectory,
  resolveEndpointUrl,
  resolveLoginSettings,
  resolveProfile,
  resolveRegion,
} from "./resolve.js";

/** One of each source, all set at once: each row removes the ones above it and checks what wins. */
const CONFIG = parseConfigFile(`
[default]
region = eu-north-1

[profile dev]
login_session = arn:aws:iam::111122223333:user/judy
region = eu-west-1
endpoint_url = https://profile.example
services = local

[profile env-profile]
region = ap-south-1

[services local]
signin =
  endpoint_url = https://services.example
s3 =
  endpoint_url = https://s3.example
`);
const CREDENTIALS = parseCredentialsFile(`
[dev]
region = eu-central-1
`);

type Row<T> = {
  source: string;
  input: Omit<LoginSettingsInput, "env"> & { env?: LoginSettingsInput["env"] };
  want: T;
};

function input(row: Row<unknown>): LoginSettingsInput {
  return { env: {}, ...row.input };
}

describe("resolveProfile: flag → option → caller → AWS_PROFILE → default (the SDK's getProfileName)", () => {
  const rows: Row<{ value: string; source: string }>[] = [
    {
      source: "flag",
      input: {
        flags: { profile: "f" },
        options: { profile: "o" },
        caller: { profile: "c" },
        env: { AWS_PROFILE: "e" },
      },
      want: { value: "f", source: "flag" },
    },
    {
      source: "option",
      input: { options: { profile: "o" }, caller: { profile: "c" }, env: { AWS_PROFILE: "e" } },
      want: { value: "o", source: "option" },
    },
    {
      source: "caller",
      input: { caller: { profile: "c" }, env: { AWS_PROFILE: "e" } },
      want: { value: "c", source: "caller" },
    },
    { source: "environment", input: { env: { AWS_PROFILE: "e" } }, want: { value: "e", source: "env" } },
    { source: "default", input: {}, want: { value: "default", source: "default" } },
    // The SDK's `||`: an empty name is none, at every level (the CLI used to keep an empty --profile).
    {
      source: "empty flag and option count as none",
      input: { flags: { profile: "" }, options: { profile: "" }, env: { AWS_PROFILE: "" } },
      want: { value: "default", source: "default" },
    },
    // botocore reads AWS_DEFAULT_PROFILE; the JS, Rust and Go SDKs do not, nor do we.
    {
      source: "AWS_DEFAULT_PROFILE is not read",
      input: { env: { AWS_DEFAULT_PROFILE: "x" } },
      want: { value: "default", source: "default" },
    },
  ];
  it.each(rows)("$source", (row) => {
    expect(resolveProfile(input(row))).toEqual(row.want);
  });
});

describe("resolveRegion: recorded → flag → option → AWS_REGION → AWS_DEFAULT_REGION → credentials file → config → caller", () => {
  const all = {
    recorded: { signInRegion: "us-west-2", writtenByAwslogin: true },
    flags: { profile: "dev", region: "ca-central-1" },
    options: { region: "sa-east-1" },
    caller: { region: "af-south-1" },
    env: { AWS_REGION: "me-south-1", AWS_DEFAULT_REGION: "ap-east-1" },
    config: CONFIG,
    credentials: CREDENTIALS,
  };
  const rows: Row<{ value: string; source: string } | undefined>[] = [
    // The session lives in its signInRegion: nothing redirects its refresh (JS SDK 3.972, aws-cli#10613).
    { source: "recorded at login", input: all, want: { value: "us-west-2", source: "recorded" } },
    {
      source: "flag",
      input: { ...all, recorded: undefined },
      want: { value: "ca-central-1", source: "flag" },
    },
    {
      source: "option",
      input: { ...all, recorded: undefined, flags: { profile: "dev" } },
      want: { value: "sa-east-1", source: "option" },
    },
    {
      source: "environment (AWS_REGION)",
      input: { ...all, recorded: undefined, flags: { profile: "dev" }, options: {} },
      want: { value: "me-south-1", source: "env" },
    },
    {
      source: "environment (AWS_DEFAULT_REGION, as the AWS CLI v2 reads it)",
      input: {
        ...all,
        recorded: undefined,
        flags: { profile: "dev" },
        options: {},
        env: { AWS_DEFAULT_REGION: "ap-east-1" },
      },
      want: { value: "ap-east-1", source: "env-default" },
    },
    {
      source: "credentials file (over the config file, as parseKnownFiles merges)",
      input: { ...all, recorded: undefined, flags: { profile: "dev" }, options: {}, env: {} },
      want: { value: "eu-central-1", source: "credentials-file" },
    },
    {
      source: "profile (config file)",
      input: {
        ...all,
        recorded: undefined,
        flags: { profile: "dev" },
        options: {},
        env: {},
        credentials: {},
      },
      want: { value: "eu-west-1", source: "profile" },
    },
    {
      source: "profile named by AWS_PROFILE",
      input: { config: CONFIG, env: { AWS_PROFILE: "env-profile" } },
      want: { value: "ap-south-1", source: "profile" },
    },
    {
      source: "caller's client region",
      input: { flags: { profile: "none" }, caller: { region: "af-south-1" }, config: CONFIG },
      want: { value: "af-south-1", source: "caller" },
    },
    // Behaviour change, noted: the provider used to put the profile's region before AWS_REGION (the JS SDK's
    // provider does); every other place, the AWS CLI (which wrote any record without signInRegion) and the SDKs'
    // general rule put the environment first.
    {
      source: "environment beats the profile (was: profile first in the provider)",
      input: { flags: { profile: "dev" }, env: { AWS_REGION: "me-south-1" }, config: CONFIG },
      want: { value: "me-south-1", source: "env" },
    },
    {
      source: "blank values count as unset; values are trimmed",
      input: {
        recorded: { signInRegion: "", writtenByAwslogin: false },
        flags: { region: " " },
        env: { AWS_REGION: " eu-west-3 " },
      },
      want: { value: "eu-west-3", source: "env" },
    },
    {
      source: "none: no default (NO_REGION, or login asks)",
      input: { flags: { profile: "none" } },
      want: undefined,
    },
  ];
  it.each(rows)("$source", (row) => {
    expect(resolveRegion(input(row))).toEqual(row.want);
  });
});

describe("resolveEndpointUrl: flag → option → AWS_ENDPOINT_URL_SIGNIN → AWS_ENDPOINT_URL* → services → recorded → endpoint_url* (*not for a record awslogin wrote)", () => {
  const env = {
    AWS_ENDPOINT_URL_SIGNIN: "https://env-signin.example",
    AWS_ENDPOINT_URL: "https://env.example",
  };
  const foreign = { writtenByAwslogin: false };
  const ours = { writtenByAwslogin: true, endpoint: "https://recorded.example" };
  const rows: Row<{ value: string; source: string } | undefined>[] = [
    {
      source: "flag",
      input: {
        flags: { profile: "dev", endpointUrl: "https://flag.example" },
        options: { endpointUrl: "https://o.example" },
        env,
        config: CONFIG,
        recorded: ours,
      },
      want: { value: "https://flag.example", source: "flag" },
    },
    {
      source: "option",
      input: {
        flags: { profile: "dev" },
        options: { endpointUrl: "https://o.example" },
        env,
        config: CONFIG,
        recorded: ours,
      },
      want: { value: "https://o.example", source: "option" },
    },
    {
      source: "environment (AWS_ENDPOINT_URL_SIGNIN)",
      input: { flags: { profile: "dev" }, env, config: CONFIG, recorded: ours },
      want: { value: "https://env-signin.example", source: "env-signin" },
    },
    {
      source: "environment (AWS_ENDPOINT_URL) beats the services section without a record (botocore's order)",
      input: { flags: { profile: "dev" }, env: { AWS_ENDPOINT_URL: "https://env.example" }, config: CONFIG },
      want: { value: "https://env.example", source: "env" },
    },
    {
      source:
        "profile's services section (signin endpoint_url), not another service's, over the profile's endpoint_url",
      input: { flags: { profile: "dev" }, config: CONFIG },
      want: { value: "https://services.example", source: "profile-services" },
    },
    {
      source:
        "profile's services section beats the record; AWS_ENDPOINT_URL does not redirect a record awslogin wrote",
      input: {
        flags: { profile: "dev" },
        env: { AWS_ENDPOINT_URL: "https://env.example" },
        config: CONFIG,
        recorded: ours,
      },
      want: { value: "https://services.example", source: "profile-services" },
    },
    {
      source: "services named in the credentials file's section (the SDKs merge it over the config file's)",
      input: {
        flags: { profile: "plain" },
        config: parseConfigFile(
          "[profile plain]\nregion = eu-west-1\n[services creds]\nsignin =\n  endpoint_url = https://creds.example\n",
        ),
        credentials: parseCredentialsFile("[plain]\nservices = creds\n"),
      },
      want: { value: "https://creds.example", source: "profile-services" },
    },
    {
      source: "a services section without a signin sub-section falls through to the profile's endpoint_url",
      input: {
        flags: { profile: "dev" },
        config: parseConfigFile(
          "[profile dev]\nservices = s3only\nendpoint_url = https://profile.example\n[services s3only]\ns3 =\n  endpoint_url = https://s3.example\n",
        ),
      },
      want: { value: "https://profile.example", source: "profile" },
    },
    {
      source: "recorded at login (beats the global settings for a record awslogin wrote)",
      input: {
        flags: { profile: "env-profile" },
        env: { AWS_ENDPOINT_URL: "https://env.example" },
        config: CONFIG,
        recorded: ours,
      },
      want: { value: "https://recorded.example", source: "recorded" },
    },
    {
      source: "environment (AWS_ENDPOINT_URL) for a record of the official tools",
      input: {
        flags: { profile: "dev" },
        env: { AWS_ENDPOINT_URL: "https://env.example" },
        config: parseConfigFile("[profile dev]\nendpoint_url = https://profile.example\n"),
        recorded: foreign,
      },
      want: { value: "https://env.example", source: "env" },
    },
    {
      source: "environment (AWS_ENDPOINT_URL) at login (no record)",
      input: { env: { AWS_ENDPOINT_URL: "https://env.example" } },
      want: { value: "https://env.example", source: "env" },
    },
    {
      source: "profile's endpoint_url (config file)",
      input: {
        flags: { profile: "dev" },
        config: parseConfigFile("[profile dev]\nendpoint_url = https://profile.example\n"),
        recorded: foreign,
      },
      want: { value: "https://profile.example", source: "profile" },
    },
    {
      source: "profile's endpoint_url (credentials file over config file)",
      input: {
        flags: { profile: "dev" },
        config: parseConfigFile("[profile dev]\nendpoint_url = https://profile.example\n"),
        credentials: parseCredentialsFile("[dev]\nendpoint_url = https://credentials.example\n"),
      },
      want: { value: "https://credentials.example", source: "profile" },
    },
    {
      source: "global settings never redirect a record awslogin wrote without an endpoint (its region's)",
      input: {
        flags: { profile: "dev" },
        env: { AWS_ENDPOINT_URL: "https://env.example" },
        config: parseConfigFile("[profile dev]\nendpoint_url = https://profile.example\n"),
        recorded: { writtenByAwslogin: true },
      },
      want: undefined,
    },
    {
      source: "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true turns off environment and profile, not the record",
      input: {
        flags: { profile: "dev" },
        env: { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "TRUE" },
        config: CONFIG,
        recorded: ours,
      },
      want: { value: "https://recorded.example", source: "recorded" },
    },
    {
      source: "ignore_configured_endpoint_urls in the profile; the environment's false wins over it",
      input: {
        flags: { profile: "dev" },
        env: { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "false", AWS_ENDPOINT_URL: "https://env.example" },
        config: parseConfigFile("[profile dev]\nignore_configured_endpoint_urls = true\n"),
      },
      want: { value: "https://env.example", source: "env" },
    },
    {
      source: "ignore_configured_endpoint_urls in the profile",
      input: {
        flags: { profile: "dev", endpointUrl: "" },
        env: { AWS_ENDPOINT_URL: "https://env.example" },
        config: parseConfigFile("[profile dev]\nignore_configured_endpoint_urls = true\n"),
      },
      want: undefined,
    },
    {
      source: "a services name without its section is not looked at when an earlier source decides",
      input: {
        flags: { profile: "dev" },
        env: { AWS_ENDPOINT_URL_SIGNIN: "https://env-signin.example" },
        config: parseConfigFile("[profile dev]\nservices = missing\n"),
      },
      want: { value: "https://env-signin.example", source: "env-signin" },
    },
    {
      source: "ignore_configured_endpoint_urls turns off a missing services section too",
      input: {
        flags: { profile: "dev" },
        env: { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" },
        config: parseConfigFile("[profile dev]\nservices = missing\n"),
      },
      want: undefined,
    },
    { source: "default: none (the partition's endpoint)", input: {}, want: undefined },
  ];
  it.each(rows)("$source", (row) => {
    expect(resolveEndpointUrl(input(row))).toEqual(row.want);
  });

  it.each([
    ["no such section", "[profile dev]\nservices = missing\n"],
    ["a section without settings", "[profile dev]\nservices = missing\n[services missing]\nsignin =\n"],
  ])("refuses a services name with %s (botocore's InvalidConfigError), saying what to add", (_, text) => {
    const run = () =>
      resolveEndpointUrl({ flags: { profile: "dev" }, env: {}, config: parseConfigFile(text) });
    expect(run).toThrow(expect.objectContaining({ code: "CONFIG_MALFORMED" }));
    expect(run).toThrow(/services = "missing".*\[services missing\].*remove services from the profile/);
  });
});

describe("resolveCacheDirectory: option → AWS_LOGIN_CACHE_DIRECTORY (expandvars + expanduser) → ~/.aws/login/cache", () => {
  const rows: {
    source: string;
    options?: { cacheDirectory?: string };
    env: Record<string, string>;
    want: { value: string; source: string };
  }[] = [
    {
      source: "option",
      options: { cacheDirectory: "/opt/c" },
      env: { AWS_LOGIN_CACHE_DIRECTORY: "/e" },
      want: { value: "/opt/c", source: "option" },
    },
    { source: "environment", env: { AWS_LOGIN_CACHE_DIRECTORY: "/e" }, want: { value: "/e", source: "env" } },
    {
      source: "environment with ~",
      env: { AWS_LOGIN_CACHE_DIRECTORY: "~/c" },
      want: { value: "/home/u/c", source: "env" },
    },
    {
      source: "environment with $VAR",
      env: { AWS_LOGIN_CACHE_DIRECTORY: "$X/c", X: "/x" },
      want: { value: "/x/c", source: "env" },
    },
    {
      source: "environment with an unset braced variable stays",
      env: { AWS_LOGIN_CACHE_DIRECTORY: "$" + "{NOPE}/c" },
      want: { value: "$" + "{NOPE}/c", source: "env" },
    },
    {
      source: "environment with ~user stays",
      env: { AWS_LOGIN_CACHE_DIRECTORY: "~other/c" },
      want: { value: "~other/c", source: "env" },
    },
    { source: "default", env: {}, want: { value: "/home/u/.aws/login/cache", source: "default" } },
    {
      source: "empty variable is the default",
      env: { AWS_LOGIN_CACHE_DIRECTORY: "" },
      want: { value: "/home/u/.aws/login/cache", source: "default" },
    },
  ];
  it.each(rows)("$source", (row) => {
    expect(
      resolveCacheDirectory({
        ...(row.options ? { options: row.options } : {}),
        env: row.env,
        homeDir: "/home/u",
      }),
    ).toEqual(row.want);
  });
});

describe("resolveLoginSettings", () => {
  it("gives all four decisions with their sources", () => {
    expect(
      resolveLoginSettings({
        env: { AWS_PROFILE: "dev", AWS_LOGIN_CACHE_DIRECTORY: "/c" },
        config: CONFIG,
        homeDir: "/home/u",
        recorded: recordedSettingsOf({
          signInRegion: "us-east-2",
          awslogin: { endpoint: "https://r.example" },
        }),
      }),
    ).toEqual({
      profile: { value: "dev", source: "env" },
      region: { value: "us-east-2", source: "recorded" },
      endpoint: { value: "https://services.example", source: "profile-services" },
      cacheDirectory: { value: "/c", source: "env" },
    });
  });

  it("reads the record's facts: signInRegion, awslogin.endpoint, who wrote it", () => {
    expect(recordedSettingsOf({})).toEqual({ signInRegion: undefined, writtenByAwslogin: false });
    expect(recordedSettingsOf({ signInRegion: null, awslogin: { endpoint: 3 } })).toEqual({
      signInRegion: null,
      writtenByAwslogin: true,
    });
  });
});
