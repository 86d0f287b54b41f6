/**
 * Where the AWS Sign-In service of a region lives, and how endpoint overrides apply.
 * @see docs/protocol.md §1
 */
import { AwsLoginError } from "./errors.js";
import { SIGNIN_PATH } from "./protocol.js";
import { type EndpointOverrideSource, resolveEndpointUrl } from "./resolve.js";

/** What the endpoint rules need to know about a partition (botocore partitions.json outputs). @see docs/protocol.md §1 */
export interface Partition {
  /** The partition's name: `aws`, `aws-cn`, `aws-us-gov`, … (the second field of its ARNs). */
  name: string;
  /** Its DNS suffix (`amazonaws.com`, `amazonaws.com.cn`, …). */
  dnsSuffix: string;
  /** Its dual-stack DNS suffix (`api.aws`, …). */
  dualStackDnsSuffix: string;
}

interface PartitionEntry extends Partition {
  regionRegex: RegExp;
  /** Region names that belong to the partition without matching its regex. */
  regions: readonly string[];
  /** The Sign-In host suffix of the current rule set; absent means the generic `signin.{dnsSuffix}`. */
  signinSuffix?: string;
}

// From botocore's partitions.json (aws-cli v2) and the current Sign-In endpoint rule set.
const PARTITIONS: readonly PartitionEntry[] = [
  {
    name: "aws",
    dnsSuffix: "amazonaws.com",
    dualStackDnsSuffix: "api.aws",
    regionRegex: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/,
    regions: ["aws-global"],
    signinSuffix: "signin.aws.amazon.com",
  },
  {
    name: "aws-cn",
    dnsSuffix: "amazonaws.com.cn",
    dualStackDnsSuffix: "api.amazonwebservices.com.cn",
    regionRegex: /^cn-\w+-\d+$/,
    regions: ["aws-cn-global"],
    signinSuffix: "signin.amazonaws.cn",
  },
  {
    name: "aws-us-gov",
    dnsSuffix: "amazonaws.com",
    dualStackDnsSuffix: "api.aws",
    regionRegex: /^us-gov-\w+-\d+$/,
    regions: ["aws-us-gov-global"],
    signinSuffix: "signin.amazonaws-us-gov.com",
  },
  {
    name: "aws-iso",
    dnsSuffix: "c2s.ic.gov",
    dualStackDnsSuffix: "c2s.ic.gov",
    regionRegex: /^us-iso-\w+-\d+$/,
    regions: ["aws-iso-global"],
    signinSuffix: "signin.c2shome.ic.gov",
  },
  {
    name: "aws-iso-b",
    dnsSuffix: "sc2s.sgov.gov",
    dualStackDnsSuffix: "sc2s.sgov.gov",
    regionRegex: /^us-isob-\w+-\d+$/,
    regions: ["aws-iso-b-global"],
    signinSuffix: "signin.sc2shome.sgov.gov",
  },
  {
    name: "aws-iso-e",
    dnsSuffix: "cloud.adc-e.uk",
    dualStackDnsSuffix: "cloud.adc-e.uk",
    regionRegex: /^eu-isoe-\w+-\d+$/,
    regions: [],
    signinSuffix: "signin.csphome.adc-e.uk",
  },
  {
    name: "aws-iso-f",
    dnsSuffix: "csp.hci.ic.gov",
    dualStackDnsSuffix: "csp.hci.ic.gov",
    regionRegex: /^us-isof-\w+-\d+$/,
    regions: ["aws-iso-f-global"],
    signinSuffix: "signin.csphome.hci.ic.gov",
  },
  {
    name: "aws-eusc",
    dnsSuffix: "amazonaws.eu",
    dualStackDnsSuffix: "amazonaws.eu",
    regionRegex: /^eusc-(de)-\w+-\d+$/,
    regions: [],
    signinSuffix: "signin.amazonaws-eusc.eu",
  },
];

const REGION_PATTERN = /^[a-z0-9-]+$/;

/** The partition a region belongs to; unknown regions fall back to `aws`, as the SDKs' `aws.partition` does. @see docs/protocol.md §1 */
export function partitionOf(region: string): Partition {
  const entry = partitionEntryOf(region);
  return { name: entry.name, dnsSuffix: entry.dnsSuffix, dualStackDnsSuffix: entry.dualStackDnsSuffix };
}

function partitionEntryOf(region: string): PartitionEntry {
  assertRegion(region);
  return (
    PARTITIONS.find((p) => p.regions.includes(region)) ??
    PARTITIONS.find((p) => p.regionRegex.test(region)) ??
    PARTITIONS[0]!
  );
}

/**
 * Where an endpoint came from: an override ({@link EndpointOverrideSource}, decided by resolve.ts) or `partition`
 * (the region's). @see docs/protocol.md §1
 */
export type SignInEndpointSource = EndpointOverrideSource | "partition";

/** A resolved Sign-In endpoint: `baseUrl` for the browser URLs, `tokenUrl` for `CreateOAuth2Token`. @see docs/protocol.md §1 */
export interface SignInEndpoint {
  /** `scheme://host[:port]` — the path of an override is dropped, as the CLI does. */
  baseUrl: string;
  /** The full endpoint URL (trailing slash trimmed) plus `/v1/token`. */
  tokenUrl: string;
  /** Which setting the endpoint came from, named in errors and in `status`/`doctor`. */
  source: SignInEndpointSource;
  /** Plain http to a host that is not loopback, allowed by the opt-in: warn on every use ({@link insecureEndpointWarning}). */
  insecureHttp?: true;
}

/** The opt-in that lets tokens go over plain http to a host that is not loopback. Loud on purpose. */
export const ALLOW_INSECURE_HTTP_ENV = "AWSLOGIN_ALLOW_INSECURE_HTTP_ENDPOINT";

/** The variables that point Sign-In elsewhere, and the insecure-http opt-in. */
export interface SignInEndpointEnv {
  /** The service-specific endpoint override, as the SDKs read it; wins over `AWS_ENDPOINT_URL`. */
  AWS_ENDPOINT_URL_SIGNIN?: string | undefined;
  /** The global endpoint override of the SDKs; used for Sign-In only for records awslogin did not write. */
  AWS_ENDPOINT_URL?: string | undefined;
  /** `1`/`true` allows plain http beyond loopback ({@link ALLOW_INSECURE_HTTP_ENV}); anything else refuses it. */
  AWSLOGIN_ALLOW_INSECURE_HTTP_ENDPOINT?: string | undefined;
  /** `true` turns the two overrides above off, as in the SDKs (an explicit endpoint still applies). */
  AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?: string | undefined;
}

/** The variables that point Sign-In elsewhere (and the insecure-http opt-in), picked from an environment. @see docs/protocol.md §1 */
export function signInEndpointEnv(env: Record<string, string | undefined>): {
  AWS_ENDPOINT_URL_SIGNIN: string | undefined;
  AWS_ENDPOINT_URL: string | undefined;
  AWSLOGIN_ALLOW_INSECURE_HTTP_ENDPOINT: string | undefined;
  AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: string | undefined;
} {
  return {
    AWS_ENDPOINT_URL_SIGNIN: env.AWS_ENDPOINT_URL_SIGNIN,
    AWS_ENDPOINT_URL: env.AWS_ENDPOINT_URL,
    AWSLOGIN_ALLOW_INSECURE_HTTP_ENDPOINT: env[ALLOW_INSECURE_HTTP_ENV],
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS,
  };
}

/** Whether the environment opts in to plain http beyond loopback (`1` or `true`). */
export function insecureHttpAllowed(env: SignInEndpointEnv | undefined): boolean {
  const value = env?.AWSLOGIN_ALLOW_INSECURE_HTTP_ENDPOINT?.trim().toLowerCase();
  return value === "1" || value === "true";
}

/**
 * Builds the Sign-In endpoint: `endpointUrl` (from `endpointSource`, as resolve.ts decided it), else the environment's
 * overrides in resolve.ts's order (`AWS_ENDPOINT_URL_SIGNIN` → `AWS_ENDPOINT_URL`, both off when the environment's
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is `true`), else the partition rules.
 * Plain http is refused (INSECURE_ENDPOINT) unless the host is loopback or `allowInsecureHttp` / the environment's
 * opt-in says otherwise. The caller passes the environment in; this function reads none. @see docs/protocol.md §1
 */
export function resolveSignInEndpoint(args: {
  region: string;
  endpointUrl?: string;
  /** Where `endpointUrl` came from, for messages; default `flag`. */
  endpointSource?: SignInEndpointSource;
  env?: SignInEndpointEnv;
  /** `--allow-insecure-http-endpoint`; the environment's opt-in counts too. */
  allowInsecureHttp?: boolean;
}): SignInEndpoint {
  assertRegion(args.region);
  const allowInsecure = args.allowInsecureHttp === true || insecureHttpAllowed(args.env);
  const explicit = args.endpointUrl?.trim();
  const override =
    explicit !== undefined && explicit !== ""
      ? { value: explicit, source: args.endpointSource ?? "flag" }
      : resolveEndpointUrl({ env: { ...args.env } });
  if (override !== undefined && override.source !== "partition") {
    return fromOverride(override.value, override.source, allowInsecure);
  }
  const baseUrl = `https://${args.region}.${signinSuffixOf(args.region)}`;
  return { baseUrl, tokenUrl: `${baseUrl}${SIGNIN_PATH.token}`, source: "partition" };
}

function signinSuffixOf(region: string): string {
  const entry = partitionEntryOf(region);
  return entry.signinSuffix ?? `signin.${entry.dnsSuffix}`;
}

/** A host name (as `URL.hostname` spells it) that never leaves this machine: 127.0.0.0/8, `[::1]`, `localhost`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === "localhost" || host === "[::1]" || host === "::1") return true;
  // URL parsing has already turned 0x7f.1, 2130706433 and the like into dotted decimal.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** How a source is named in messages. */
export function endpointSourceName(source: SignInEndpointSource): string {
  return {
    flag: "--endpoint-url",
    "env-signin": "AWS_ENDPOINT_URL_SIGNIN",
    env: "AWS_ENDPOINT_URL",
    "profile-services": "the profile's services section (signin endpoint_url)",
    recorded: "the endpoint recorded in the cache file at login",
    profile: "the profile's endpoint_url",
    option: "the endpoint option (clientConfig.endpoint)",
    partition: "the region's endpoint",
  }[source];
}

/**
 * A URL fit to print: scheme, host, port and path only. User info, query and fragment may carry secrets (a planted
 * `?token=`) and are dropped; a value that is not a URL is cut at `?` or `#`, and not shown at all if it has an `@`.
 */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    const path = url.pathname === "/" ? "" : url.pathname;
    if (url.host !== "") return JSON.stringify(`${url.protocol}//${url.host}${path}`);
  } catch {
    // not a URL: fall through
  }
  const cut = value.split(/[?#]/, 1)[0] ?? "";
  if (cut.includes("@")) return "(not shown: it may hold credentials)";
  return JSON.stringify(cut.length > 200 ? `${cut.slice(0, 200)}…` : cut);
}

/** The warning printed on every use of an endpoint allowed by the insecure-http opt-in. */
export function insecureEndpointWarning(endpoint: SignInEndpoint): string {
  return (
    `the Sign-In endpoint ${redactUrl(endpoint.baseUrl)} (${endpointSourceName(endpoint.source)}) is plain http: ` +
    "authorization codes, refresh tokens and credentials cross the network unencrypted, readable and reusable by " +
    `anyone on the path. It is allowed only because of ${ALLOW_INSECURE_HTTP_ENV} or --allow-insecure-http-endpoint; ` +
    "use an https:// endpoint."
  );
}

/** The longest endpoint URL taken from any setting; real ones are a few dozen characters. */
export const MAX_ENDPOINT_URL_LENGTH = 2048;

function fromOverride(value: string, source: SignInEndpointSource, allowInsecure: boolean): SignInEndpoint {
  if (value.length > MAX_ENDPOINT_URL_LENGTH) throw badOverride(value, source);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badOverride(value, source);
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.host === "")
    throw badOverride(value, source);
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    throw badOverride(value, source);
  }
  const path = url.pathname.replace(/\/+$/, "");
  const endpoint: SignInEndpoint = {
    baseUrl: url.origin,
    tokenUrl: `${url.origin}${path}${SIGNIN_PATH.token}`,
    source,
  };
  if (url.protocol === "https:" || isLoopbackHost(url.hostname)) return endpoint;
  if (!allowInsecure) throw insecureEndpoint(url, source);
  return { ...endpoint, insecureHttp: true };
}

function assertRegion(region: string): void {
  if (!REGION_PATTERN.test(region)) {
    throw new AwsLoginError(
      "INVALID_ARGUMENT",
      `"${region}" is not a valid AWS region name (expected something like us-east-1). Pass --region or set it in the profile.`,
    );
  }
}

function insecureEndpoint(url: URL, source: SignInEndpointSource): AwsLoginError {
  const shown = redactUrl(url.href);
  const where = endpointSourceName(source);
  const fix =
    source === "recorded"
      ? "Sign in again with an https:// endpoint"
      : `Use an https:// endpoint in ${where} (plain http is only for 127.0.0.1, [::1] and localhost)`;
  return new AwsLoginError(
    "INSECURE_ENDPOINT",
    `Refusing to send tokens over plain http to ${shown} (${where}): anyone on the network path could read and reuse them. ${fix}, or, only on a network you trust, set ${ALLOW_INSECURE_HTTP_ENV}=1.`,
    source === "recorded" ? { remedy: { kind: "sign-in" } } : {},
  );
}

function badOverride(value: string, source: SignInEndpointSource): AwsLoginError {
  const shown =
    value.length > MAX_ENDPOINT_URL_LENGTH ? `a value of ${value.length} characters` : redactUrl(value);
  if (source === "recorded") {
    // A bad value from a file is not a usage error: the user typed nothing wrong.
    return new AwsLoginError(
      "CACHE_MALFORMED",
      `The endpoint recorded in the cache file at login (${shown}) is not an http:// or https:// URL without query or credentials. Sign in again.`,
      { remedy: { kind: "sign-in" } },
    );
  }
  if (source === "profile-services" || source === "profile") {
    return new AwsLoginError(
      "CONFIG_MALFORMED",
      `${endpointSourceName(source)} in the config file must be an http:// or https:// URL of at most ${MAX_ENDPOINT_URL_LENGTH} characters, without query or credentials, such as https://127.0.0.1:8080; got ${shown}. Correct it in the config file.`,
    );
  }
  return new AwsLoginError(
    "INVALID_ARGUMENT",
    `${endpointSourceName(source)} must be an http:// or https:// URL without query or credentials, such as https://127.0.0.1:8080; got ${shown}.`,
  );
}
