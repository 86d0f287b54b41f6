/**
 * Where the AWS Sign-In service of a region lives, and how endpoint overrides apply.
 * @see PROTOCOL.md §1
 */
import { AwsLoginError } from "./errors.js";
import { SIGNIN_PATH } from "./protocol.js";

/** What the endpoint rules need to know about a partition (botocore partitions.json outputs). @see PROTOCOL.md §1 */
export interface Partition {
  name: string;
  dnsSuffix: string;
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

/** The partition a region belongs to; unknown regions fall back to `aws`, as the SDKs' `aws.partition` does. @see PROTOCOL.md §1 */
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

/** Where an endpoint came from, in precedence order. @see PROTOCOL.md §1 */
export type SignInEndpointSource = "flag" | "env-signin" | "env" | "partition";

/** A resolved Sign-In endpoint: `baseUrl` for the browser URLs, `tokenUrl` for `CreateOAuth2Token`. @see PROTOCOL.md §1 */
export interface SignInEndpoint {
  /** `scheme://host[:port]` — the path of an override is dropped, as the CLI does. */
  baseUrl: string;
  /** The full endpoint URL (trailing slash trimmed) plus `/v1/token`. */
  tokenUrl: string;
  source: SignInEndpointSource;
}

/** The two variables that point Sign-In elsewhere, picked from an environment. @see PROTOCOL.md §1 */
export function signInEndpointEnv(env: Record<string, string | undefined>): {
  AWS_ENDPOINT_URL_SIGNIN: string | undefined;
  AWS_ENDPOINT_URL: string | undefined;
} {
  return { AWS_ENDPOINT_URL_SIGNIN: env.AWS_ENDPOINT_URL_SIGNIN, AWS_ENDPOINT_URL: env.AWS_ENDPOINT_URL };
}

/**
 * Resolves the Sign-In endpoint: `endpointUrl` → `AWS_ENDPOINT_URL_SIGNIN` → `AWS_ENDPOINT_URL` → the partition rules.
 * The caller passes the environment in; this function reads none. @see PROTOCOL.md §1
 */
export function resolveSignInEndpoint(args: {
  region: string;
  endpointUrl?: string;
  env?: { AWS_ENDPOINT_URL_SIGNIN?: string; AWS_ENDPOINT_URL?: string };
}): SignInEndpoint {
  assertRegion(args.region);
  const overrides: [SignInEndpointSource, string | undefined][] = [
    ["flag", args.endpointUrl],
    ["env-signin", args.env?.AWS_ENDPOINT_URL_SIGNIN],
    ["env", args.env?.AWS_ENDPOINT_URL],
  ];
  for (const [source, value] of overrides) {
    if (value === undefined || value.trim() === "") continue;
    return fromOverride(value.trim(), source);
  }
  const baseUrl = `https://${args.region}.${signinSuffixOf(args.region)}`;
  return { baseUrl, tokenUrl: `${baseUrl}${SIGNIN_PATH.token}`, source: "partition" };
}

function signinSuffixOf(region: string): string {
  const entry = partitionEntryOf(region);
  return entry.signinSuffix ?? `signin.${entry.dnsSuffix}`;
}

function fromOverride(value: string, source: SignInEndpointSource): SignInEndpoint {
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
  return { baseUrl: url.origin, tokenUrl: `${url.origin}${path}${SIGNIN_PATH.token}`, source };
}

function assertRegion(region: string): void {
  if (!REGION_PATTERN.test(region)) {
    throw new AwsLoginError(
      "INVALID_ARGUMENT",
      `"${region}" is not a valid AWS region name (expected something like us-east-1). Pass --region or set it in the profile.`,
    );
  }
}

function badOverride(value: string, source: SignInEndpointSource): AwsLoginError {
  const where = {
    flag: "--endpoint-url",
    "env-signin": "AWS_ENDPOINT_URL_SIGNIN",
    env: "AWS_ENDPOINT_URL",
    partition: "the endpoint",
  }[source];
  // A URL with user info may carry a password: never echo it.
  const shown = value.includes("@") ? "" : `; got "${value}"`;
  return new AwsLoginError(
    "INVALID_ARGUMENT",
    `${where} must be an http:// or https:// URL without query or credentials, such as https://127.0.0.1:8080${shown}.`,
  );
}
