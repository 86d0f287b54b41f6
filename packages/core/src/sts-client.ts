/**
 * STS AssumeRole through the Transport port, signed with core's SigV4 signer: the request body, where STS is for a
 * region (and its overrides), and a strict reading of the XML answer (bounded, every value checked).
 * @see docs/protocol.md §17.1
 */
import { isCredentialValue } from "./credential-format.js";
import { isLoopbackHost, partitionOf } from "./endpoint.js";
import { AwsLoginError } from "./errors.js";
import type { Clock, Transport } from "./ports.js";
import { printable } from "./printable.js";
import { parseRfc3339 } from "./rfc3339.js";
import type { RoleCredentials } from "./role-profile.js";
import { type SigV4Credentials, signRequest } from "./sigv4.js";

/** An STS answer longer than this is not one (a real AssumeRole answer is about 2 KiB). */
const MAX_RESPONSE_CHARS = 64 * 1024;

/** What one AssumeRole call sends. */
export interface AssumeRoleRequest {
  /** The STS endpoint's base URL (`https://sts.us-east-1.amazonaws.com`), see {@link stsEndpointFor}. */
  endpoint: string;
  /** The signing region. */
  region: string;
  /** The credentials the call is signed with (the login session's, or the previous role's). */
  credentials: SigV4Credentials;
  /** The role to assume. */
  roleArn: string;
  /** The role session name (`[\w+=,.@-]{2,64}`). */
  roleSessionName: string;
  /** Seconds, 900–43200; STS's default (1 hour) when absent. */
  durationSeconds?: number;
  /** The role's external id. */
  externalId?: string;
  /** The MFA device and its current code. */
  mfa?: { serialNumber: string; tokenCode: string };
}

/**
 * STS's base URL for `region`: an override (`AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, or the profile's, passed in
 * by the caller) when given, else the regional endpoint of the region's partition. Plain http is accepted only for a
 * loopback host (an emulator); INSECURE_ENDPOINT otherwise. INVALID_ARGUMENT for an override that is not a URL.
 */
export function stsEndpointFor(region: string, override?: string): string {
  if (override === undefined || override.trim() === "") {
    return `https://sts.${region}.${partitionOf(region).dnsSuffix}`;
  }
  let url: URL;
  try {
    url = new URL(override.trim());
  } catch {
    throw new AwsLoginError("INVALID_ARGUMENT", "The STS endpoint override is not a URL.");
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    throw new AwsLoginError(
      "INSECURE_ENDPOINT",
      `The STS endpoint ${url.protocol}//${url.host} is not https; plain http is accepted only for 127.0.0.1.`,
    );
  }
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    throw new AwsLoginError(
      "INVALID_ARGUMENT",
      "The STS endpoint override must be a plain URL (no user, query or fragment).",
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

function formEncode(params: Array<[string, string]>): string {
  // awsQuery bodies are form-encoded as RFC 3986 unreserved characters, the way the AWS SDKs write them.
  return params
    .map(
      ([k, v]) =>
        `${k}=${encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`,
    )
    .join("&");
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeXmlText(text: string): string | undefined {
  if (text.includes("<") || text.includes("]]>")) return undefined;
  let bad = false;
  const decoded = text.replace(/&([a-z]+|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (_, name: string) => {
    if (name.startsWith("#x")) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith("#")) return String.fromCodePoint(Number(name.slice(1)));
    const value = ENTITIES[name];
    if (value === undefined) bad = true;
    return value ?? "";
  });
  return bad || decoded.includes("&") ? undefined : decoded;
}

/** The text of the one element `name` inside `xml`; undefined when absent, repeated, or holding markup. */
function elementText(xml: string, name: string): string | undefined {
  const pattern = new RegExp(`<${name}>([^<]*)</${name}>`, "g");
  const matches = [...xml.matchAll(pattern)];
  if (matches.length !== 1) return undefined;
  return decodeXmlText(matches[0]![1]!);
}

function badResponse(what: string): AwsLoginError {
  return new AwsLoginError("BAD_RESPONSE", `STS answered AssumeRole with ${what}.`, { retryable: false });
}

function errorOf(status: number, body: string, roleArn: string): AwsLoginError {
  const code = /^\s*(?:<\?xml[^>]*\?>\s*)?<ErrorResponse[\s>]/.test(body)
    ? elementText(body, "Code")
    : undefined;
  const message = code === undefined ? undefined : elementText(body, "Message");
  const said = message === undefined ? "" : ` STS said: ${printable(message, 300)}`;
  switch (code) {
    case "AccessDenied":
      if (message !== undefined && /MultiFactorAuthentication/i.test(message)) {
        return new AwsLoginError(
          "MFA_CODE_INVALID",
          `STS refused the MFA code for role ${roleArn}. Enter the current code of the MFA device.${said}`,
          { status },
        );
      }
      return new AwsLoginError(
        "ROLE_ACCESS_DENIED",
        `STS refused to let the session assume role ${roleArn}: the role's trust policy, its external_id or mfa_serial do not admit it.${said}`,
        { status },
      );
    case "ExpiredToken":
    case "InvalidClientTokenId":
      // The source credentials ended between the freshness check and the call (the login session was ended, or
      // its credentials expired while a refresh failed): the same ended session a refresh reports.
      return new AwsLoginError(
        "TOKEN_EXPIRED",
        `Your login session has ended: STS no longer accepts its credentials for role ${roleArn} (${code}). Sign in again.`,
        { status, remedy: { kind: "sign-in" } },
      );
    case "SignatureDoesNotMatch":
      return new AwsLoginError(
        "ROLE_ACCESS_DENIED",
        `STS did not accept the source credentials' signature for role ${roleArn} (${code}). Sign in again.`,
        { status, remedy: { kind: "sign-in" } },
      );
    case "ValidationError":
    case "MalformedPolicyDocument":
    case "RegionDisabledException":
      return new AwsLoginError(
        "ROLE_REQUEST_INVALID",
        `STS refused the AssumeRole request for role ${roleArn} (${code}); check duration_seconds, role_session_name and the other keys of the profile.${said}`,
        { status },
      );
    case "Throttling":
    case "ThrottlingException":
      return new AwsLoginError("THROTTLED", "STS throttled AssumeRole. Try again shortly.", {
        status,
        retryable: true,
      });
    default:
      if (status >= 500) {
        return new AwsLoginError(
          "SERVER_ERROR",
          `STS failed to answer AssumeRole (HTTP ${status}). Try again.`,
          {
            status,
            retryable: true,
          },
        );
      }
      return new AwsLoginError(
        "BAD_RESPONSE",
        `STS refused AssumeRole for role ${roleArn} with HTTP ${status}${code === undefined ? "" : ` (${printable(code, 64)})`}.${said}`,
        { status },
      );
  }
}

/**
 * Calls STS AssumeRole once (no retries: the caller holds a lock and 40 processes wait on it; a retryable error
 * says so). Rejects with an AwsLoginError: ROLE_ACCESS_DENIED (trust, ExternalId or a bad signature), TOKEN_EXPIRED
 * (STS no longer accepts the source credentials: sign in again),
 * MFA_CODE_INVALID, ROLE_REQUEST_INVALID, THROTTLED / SERVER_ERROR (retryable), BAD_RESPONSE (an answer that is not
 * STS's, or holds a value of the wrong form), and the transport's NETWORK / TIMEOUT.
 */
export async function assumeRole(
  deps: { transport: Transport; clock: Clock },
  request: AssumeRoleRequest,
  signal?: AbortSignal,
): Promise<RoleCredentials> {
  const params: Array<[string, string]> = [
    ["Action", "AssumeRole"],
    ["Version", "2011-06-15"],
    ["RoleArn", request.roleArn],
    ["RoleSessionName", request.roleSessionName],
  ];
  if (request.durationSeconds !== undefined)
    params.push(["DurationSeconds", String(request.durationSeconds)]);
  if (request.externalId !== undefined) params.push(["ExternalId", request.externalId]);
  if (request.mfa !== undefined) {
    params.push(["SerialNumber", request.mfa.serialNumber], ["TokenCode", request.mfa.tokenCode]);
  }
  const signed = signRequest(
    {
      method: "POST",
      url: `${request.endpoint}/`,
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: formEncode(params),
    },
    { service: "sts", region: request.region, credentials: request.credentials, now: deps.clock.now() },
  );
  const response = await deps.transport.send(signed, signal === undefined ? {} : { signal });
  if (response.body.length > MAX_RESPONSE_CHARS) throw badResponse("an answer too long to be STS's");
  if (response.status !== 200) throw errorOf(response.status, response.body, request.roleArn);
  const body = response.body;
  if (
    !/^\s*(?:<\?xml[^>]*\?>\s*)?<AssumeRoleResponse[\s>]/.test(body) ||
    !/<\/AssumeRoleResponse>\s*$/.test(body)
  ) {
    throw badResponse("something that is not an AssumeRoleResponse");
  }
  const accessKeyId = elementText(body, "AccessKeyId");
  const secretAccessKey = elementText(body, "SecretAccessKey");
  const sessionToken = elementText(body, "SessionToken");
  const expiration = elementText(body, "Expiration");
  const arn = elementText(body, "Arn");
  const assumedRoleId = elementText(body, "AssumedRoleId");
  if (!isCredentialValue("accessKeyId", accessKeyId)) throw badResponse("no valid AccessKeyId");
  if (!isCredentialValue("secretAccessKey", secretAccessKey)) throw badResponse("no valid SecretAccessKey");
  if (!isCredentialValue("sessionToken", sessionToken)) throw badResponse("no valid SessionToken");
  const expiresAt = expiration === undefined ? undefined : parseRfc3339(expiration);
  if (expiresAt === undefined) throw badResponse("no valid Expiration");
  if (!isCredentialValue("arn", arn)) throw badResponse("no valid AssumedRoleUser Arn");
  const accountId = /^arn:[^:]+:sts::(\d{12}):assumed-role\//.exec(arn)?.[1];
  if (accountId === undefined) throw badResponse("an AssumedRoleUser Arn that is not an assumed-role ARN");
  return {
    accessKeyId,
    secretAccessKey,
    sessionToken,
    expiresAt,
    accountId,
    assumedRoleArn: arn,
    ...(isCredentialValue("opaque", assumedRoleId) && assumedRoleId.length <= 256 ? { assumedRoleId } : {}),
  };
}
