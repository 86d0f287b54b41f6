/**
 * Which profile, region, Sign-In endpoint and cache folder apply: one order of resolution, written once, used by
 * the SDK provider, core's profile loader (credential_process, export, exec), login, status and doctor, and the
 * credential_process binary's hot path. Pure: the caller passes the environment, the parsed shared files and
 * the cache record in; nothing is read here. Dependency-free, exported alone as `@awslogin/core/resolve`.
 *
 * Each value comes with the name of the source it came from, so messages (and doctor) can say which setting to
 * change. Blank values (empty or only whitespace) count as unset everywhere, as the SDKs' `||` does.
 * @see docs/protocol.md §1 (endpoints), §6 (cache folder), §7 (profiles and regions), §15 (signInRegion), §16.1
 */
import { join } from "node:path";
import type { ParsedConfig, ProfileValues } from "./config.js";
import { AwsLoginError } from "./errors.js";

// The parsed files that LoginSettingsInput takes, nameable from this entry too (it is published alone).
export type { ParsedConfig, ProfileValues };

/** Where the profile name came from. */
export type ProfileSource = "flag" | "option" | "caller" | "env" | "default";

/**
 * Where the region came from: `recorded` (the cache record's `signInRegion`), `flag` (`--region`), `option` (a
 * library caller's explicit region, such as the provider's `clientConfig.region`), `env` (`AWS_REGION`),
 * `env-default` (`AWS_DEFAULT_REGION`), `credentials-file` / `profile` (the profile's `region` in the
 * credentials / config file) or `caller` (the calling SDK client's region).
 */
export type RegionSource =
  | "recorded"
  | "flag"
  | "option"
  | "env"
  | "env-default"
  | "credentials-file"
  | "profile"
  | "caller";

/**
 * Where an endpoint override came from: `flag` (`--endpoint-url`), `option` (a caller's explicit endpoint, such as
 * the provider's `clientConfig.endpoint`), `env-signin` (`AWS_ENDPOINT_URL_SIGNIN`), `env` (`AWS_ENDPOINT_URL`),
 * `profile-services` (the profile's `services` section, `signin =` sub-section, `endpoint_url`), `recorded` (the
 * cache record, written at login) or `profile` (the profile's own `endpoint_url`). Without any, the region's
 * partition endpoint applies (endpoint.ts).
 */
export type EndpointOverrideSource =
  | "flag"
  | "option"
  | "env-signin"
  | "profile-services"
  | "recorded"
  | "env"
  | "profile";

/** Where the cache folder came from. */
export type CacheDirectorySource = "option" | "env" | "default";

/** A decided value and the source it came from. */
export interface Resolved<S extends string> {
  /** The value as given (a profile name, a region, a URL or a folder), never empty. */
  value: string;
  /** Where it came from, named in errors and in `status`/`doctor` output. */
  source: S;
}

/** What a person typed on a command line (`--profile`, `--region`, `--endpoint-url`). */
export interface SettingFlags {
  /** `--profile`. */
  profile?: string | undefined;
  /** `--region`. */
  region?: string | undefined;
  /** `--endpoint-url`: the Sign-In endpoint. */
  endpointUrl?: string | undefined;
}

/** What a library caller passed explicitly (the provider's `profile` and `clientConfig`, core's load options). */
export interface SettingOptions {
  /** The profile the caller asked for (the provider's `profile`). */
  profile?: string | undefined;
  /** The region the caller asked for. */
  region?: string | undefined;
  /** The Sign-In endpoint the caller asked for (the provider's `clientConfig.endpoint`); wins over every setting. */
  endpointUrl?: string | undefined;
  /** The token cache folder; wins over `AWS_LOGIN_CACHE_DIRECTORY`. */
  cacheDirectory?: string | undefined;
}

/** What the calling AWS SDK client is configured with (the provider's `callerClientConfig`). */
export interface CallerSettings {
  /** The client's profile: after flags and options, before `AWS_PROFILE`. */
  profile?: string | undefined;
  /** The client's region: the last resort for the region, after the environment and the profile. */
  region?: string | undefined;
}

/** What a cache record says about its session (written at login). */
export interface RecordedSettings {
  /** The region the session was created in (`signInRegion`). */
  signInRegion?: string | null | undefined;
  /** The endpoint awslogin signed in at (`awslogin.endpoint`), when not the partition's. */
  endpoint?: string | undefined;
  /** awslogin wrote the record (it has an `awslogin` object): then it knows its endpoint. */
  writtenByAwslogin: boolean;
}

/** Everything the order of resolution looks at. Every field but `env` is optional. */
export interface LoginSettingsInput {
  /** Command-line flags, first of all. */
  flags?: SettingFlags | undefined;
  /** A library caller's explicit options, after the flags. */
  options?: SettingOptions | undefined;
  /** The calling SDK client's settings. */
  caller?: CallerSettings | undefined;
  /** The environment (`AWS_PROFILE`, `AWS_REGION`, `AWS_ENDPOINT_URL_SIGNIN`, `AWS_LOGIN_CACHE_DIRECTORY`, …). */
  env: Readonly<Record<string, string | undefined>>;
  /** The config file, parsed (`parseConfigFile`): the profile's section and its `services` section. */
  config?: ParsedConfig | undefined;
  /** The credentials file, parsed (`parseCredentialsFile`): its keys override the config file's. */
  credentials?: Readonly<Record<string, ProfileValues>> | undefined;
  /** The cache record of the profile's session, when it has been read. */
  recorded?: RecordedSettings | undefined;
  /** The home folder, for the default cache folder and `~` in `AWS_LOGIN_CACHE_DIRECTORY`. */
  homeDir?: string | undefined;
}

/** All four decisions. */
export interface LoginSettings {
  /** The profile; always decided (`default` at the latest). */
  profile: Resolved<ProfileSource>;
  /** The region; undefined when nothing names one (a login then uses `us-east-1`). */
  region: Resolved<RegionSource> | undefined;
  /** Undefined: no override, the region's partition endpoint applies. */
  endpoint: Resolved<EndpointOverrideSource> | undefined;
  /** The token cache folder; always decided (`~/.aws/login/cache` at the latest). */
  cacheDirectory: Resolved<CacheDirectorySource>;
}

type Candidate<S extends string> = readonly [S, string | undefined];

function isSet(value: string | null | undefined): value is string {
  return typeof value === "string" && value.trim() !== "";
}

function firstSet<S extends string>(candidates: readonly Candidate<S>[]): Resolved<S> | undefined {
  for (const [source, value] of candidates) {
    if (isSet(value)) return { value, source };
  }
  return undefined;
}

/** An own key only: a profile named `constructor` is no prototype method. */
function own(record: Readonly<Record<string, ProfileValues | undefined>> | undefined, key: string) {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * The profile: flag → option → the calling client's profile → `AWS_PROFILE` → `default`. An empty name counts as
 * none, as the SDK's `getProfileName` (`init.profile || AWS_PROFILE || "default"`, `@smithy/core/config`) reads it.
 * `AWS_DEFAULT_PROFILE` (botocore only) is not read: the JS SDK, the Rust SDK and the Go SDK ignore it.
 */
export function resolveProfile(input: LoginSettingsInput): Resolved<ProfileSource> {
  const candidates: Candidate<ProfileSource>[] = [
    ["flag", input.flags?.profile],
    ["option", input.options?.profile],
    ["caller", input.caller?.profile],
    ["env", input.env.AWS_PROFILE],
  ];
  for (const [source, value] of candidates) {
    // Names are not trimmed: the SDKs look them up as written.
    if (value !== undefined && value !== "") return { value, source };
  }
  return { value: "default", source: "default" };
}

/**
 * The profile's keys as the SDKs see them: the config file's section, overridden key by key by the credentials
 * file's (`parseKnownFiles`), each value with the file it came from. @see docs/protocol.md §7
 */
function profileValue(
  input: LoginSettingsInput,
  profile: string,
  key: string,
): Candidate<"credentials-file" | "profile">[] {
  return [
    ["credentials-file", own(input.credentials, profile)?.[key]],
    ["profile", own(input.config, profile)?.[key]],
  ];
}

/**
 * The region. A recorded `signInRegion` wins: the session lives there, and its refresh token is refused in any
 * other region (the JS SDK's provider spreads it over everything, `@aws-sdk/credential-provider-login`
 * 3.972; aws-cli#10613). Then, as the AWS SDKs and the AWS CLI v2 resolve `region` (sdkref "AWS Region",
 * feature-region.html): flag → option → `AWS_REGION` → `AWS_DEFAULT_REGION` (AWS CLI v2) → the profile's `region`
 * (credentials file over config file) → the calling client's region. No default: a refresh without one is
 * NO_REGION, and login asks (or says NO_REGION without a terminal).
 */
export function resolveRegion(input: LoginSettingsInput): Resolved<RegionSource> | undefined {
  const profile = resolveProfile(input).value;
  const found = firstSet<RegionSource>([
    ["recorded", input.recorded?.signInRegion ?? undefined],
    ["flag", input.flags?.region],
    ["option", input.options?.region],
    ["env", input.env.AWS_REGION],
    ["env-default", input.env.AWS_DEFAULT_REGION],
    ...profileValue(input, profile, "region"),
    ["caller", input.caller?.region],
  ]);
  return found === undefined ? undefined : { value: found.value.trim(), source: found.source };
}

/** A key of the profile, the credentials file's (when set) over the config file's. */
function profileKey(input: LoginSettingsInput, profile: string, key: string): string | undefined {
  return firstSet(profileValue(input, profile, key))?.value;
}

/** `true` / `false` as the SDKs read a boolean setting; anything else counts as unset. */
function booleanSetting(value: string | undefined): boolean | undefined {
  const text = value?.trim().toLowerCase();
  return text === "true" ? true : text === "false" ? false : undefined;
}

/**
 * Whether configured endpoint URLs are ignored: `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, else the profile's
 * `ignore_configured_endpoint_urls` (sdkref "Service-specific endpoints", feature-ss-endpoints.html).
 */
function ignoresConfiguredEndpoints(input: LoginSettingsInput, profile: string): boolean {
  const fromEnv = booleanSetting(input.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS);
  if (fromEnv !== undefined) return fromEnv;
  return booleanSetting(profileKey(input, profile, "ignore_configured_endpoint_urls")) === true;
}

/** The longest `services` name looked up; a longer one is named in the error cut to this length. */
const MAX_SERVICES_NAME = 256;

/**
 * The `[services NAME]` section's `signin =` sub-section `endpoint_url` the profile names, if any. A profile that
 * names a section the file does not have (or has without any setting) is refused, as botocore does
 * (`ConfiguredEndpointProvider._get_services_config`, InvalidConfigError), but only when the lookup gets that far.
 * @see docs/protocol.md §16.1
 */
function servicesEndpoint(input: LoginSettingsInput, profile: string): string | undefined {
  const name = profileKey(input, profile, "services");
  if (!isSet(name)) return undefined;
  const section = own(input.config, `services.${name.trim()}`);
  if (section === undefined || Object.keys(section).length === 0) {
    const shown = JSON.stringify(name.trim().slice(0, MAX_SERVICES_NAME));
    throw new AwsLoginError(
      "CONFIG_MALFORMED",
      `Profile ${JSON.stringify(profile)} names services = ${shown}, but the config file has no [services ${shown.slice(1, -1)}] section with settings. Add that section (a "signin =" line, then an indented "endpoint_url = https://…"), or remove services from the profile.`,
    );
  }
  return section["signin.endpoint_url"];
}

/**
 * The Sign-In endpoint override, or undefined for the region's partition endpoint. As the SDKs and botocore
 * (`ConfiguredEndpointProvider`; sdkref feature-ss-endpoints.html; docs/protocol.md §16.1): flag → option →
 * `AWS_ENDPOINT_URL_SIGNIN` → `AWS_ENDPOINT_URL` → the profile's `services` section (`signin` → `endpoint_url`) →
 * the profile's `endpoint_url`. The endpoint recorded at login keeps the place it has always had: after the
 * Sign-In-specific settings (`AWS_ENDPOINT_URL_SIGNIN`, the `services` section) and before the global ones; and a
 * record awslogin wrote knows its endpoint (recorded, or its region's), so the global settings (meant for
 * LocalStack and the like, not for Sign-In) never redirect it — records of the official tools follow them, as
 * those tools do. `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` / `ignore_configured_endpoint_urls` turn off the
 * environment and profile settings, never a flag, an option or the record.
 * Throws CONFIG_MALFORMED when the lookup reaches a `services` name whose section does not exist.
 */
export function resolveEndpointUrl(input: LoginSettingsInput): Resolved<EndpointOverrideSource> | undefined {
  const profile = resolveProfile(input).value;
  const configured = !ignoresConfiguredEndpoints(input, profile);
  const recorded = input.recorded;
  const globalAllowed = configured && recorded?.writtenByAwslogin !== true;
  // Lazily, in order: a later source is looked at (and a missing services section refused) only when needed.
  const candidates: [EndpointOverrideSource, () => string | undefined][] = [
    ["flag", () => input.flags?.endpointUrl],
    ["option", () => input.options?.endpointUrl],
    ["env-signin", () => (configured ? input.env.AWS_ENDPOINT_URL_SIGNIN : undefined)],
    ["env", () => (globalAllowed ? input.env.AWS_ENDPOINT_URL : undefined)],
    ["profile-services", () => (configured ? servicesEndpoint(input, profile) : undefined)],
    ["recorded", () => recorded?.endpoint],
    ["profile", () => (globalAllowed ? profileKey(input, profile, "endpoint_url") : undefined)],
  ];
  for (const [source, read] of candidates) {
    const value = read();
    if (isSet(value)) return { value: value.trim(), source };
  }
  return undefined;
}

/**
 * The login token cache folder: option → `AWS_LOGIN_CACHE_DIRECTORY` (with `$VAR` / `${VAR}` and a leading `~`
 * expanded, as botocore's `get_login_token_cache_directory` does with `expandvars` + `expanduser`) →
 * `~/.aws/login/cache`. @see docs/protocol.md §6
 */
export function resolveCacheDirectory(
  input: Pick<LoginSettingsInput, "options" | "env"> & { homeDir: string },
): Resolved<CacheDirectorySource> {
  const option = input.options?.cacheDirectory;
  if (option !== undefined && option !== "") return { value: option, source: "option" };
  const configured = input.env.AWS_LOGIN_CACHE_DIRECTORY;
  if (configured) {
    return { value: expandUser(expandVars(configured, input.env), input.homeDir), source: "env" };
  }
  return { value: join(input.homeDir, ".aws", "login", "cache"), source: "default" };
}

/** All four decisions at once (the home folder is needed for the cache folder). */
export function resolveLoginSettings(input: LoginSettingsInput & { homeDir: string }): LoginSettings {
  return {
    profile: resolveProfile(input),
    region: resolveRegion(input),
    endpoint: resolveEndpointUrl(input),
    cacheDirectory: resolveCacheDirectory(input),
  };
}

/** The recorded facts of a cache record (`signInRegion`, `awslogin.endpoint`, whether awslogin wrote it). */
export function recordedSettingsOf(record: {
  signInRegion?: string | null | undefined;
  awslogin?: Record<string, unknown> | undefined;
}): RecordedSettings {
  const endpoint = record.awslogin?.endpoint;
  return {
    signInRegion: record.signInRegion,
    writtenByAwslogin: record.awslogin !== undefined,
    ...(typeof endpoint === "string" ? { endpoint } : {}),
  };
}

/** Python's `posixpath.expandvars`: `$NAME` / `${NAME}` of set variables; everything else stays as written. */
function expandVars(path: string, env: Readonly<Record<string, string | undefined>>): string {
  return path.replace(/\$([A-Za-z0-9_]+|\{[^}]*\})/g, (whole, name: string) => {
    const value = env[name.startsWith("{") ? name.slice(1, -1) : name];
    return value === undefined ? whole : value;
  });
}

/** Python's `expanduser` for `~` and `~/…` (`~user` needs a user database, so it stays as written). */
function expandUser(path: string, homeDir: string): string {
  if (!path.startsWith("~")) return path;
  const rest = path.slice(1);
  if (rest !== "" && !rest.startsWith("/") && !rest.startsWith("\\")) return path;
  return homeDir.replace(/[/\\]+$/, "") + rest || "/";
}
