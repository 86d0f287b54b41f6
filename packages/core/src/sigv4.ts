/**
 * AWS Signature Version 4 for the few signed calls core makes (Sign-In's revoke and introspection, STS AssumeRole):
 * a header-signed request, the payload hashed whole. Written from the public specification, not from an SDK, so that
 * the emulator's verifier (the AWS SDK's own signer) checks it independently.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 * @see docs/protocol.md §16
 */
import { createHash, createHmac } from "node:crypto";
import { AwsLoginError } from "./errors.js";
import type { HttpRequest } from "./ports.js";

/** The AWS credentials a request is signed with. */
export interface SigV4Credentials {
  /** The access key id (`ASIA…` for temporary credentials). */
  accessKeyId: string;
  /** The secret access key; only ever used as HMAC key material, never sent. */
  secretAccessKey: string;
  /** The session token of temporary credentials, sent as `X-Amz-Security-Token`. */
  sessionToken?: string;
}

/** What a signature is scoped to. */
export interface SigV4Options {
  /** The signing name of the service: `signin` for Sign-In's IAM-authorised operations, `sts` for STS. */
  service: string;
  /** The region of the credential scope (`us-east-1`). */
  region: string;
  /** The credentials to sign with. */
  credentials: SigV4Credentials;
  /** The signing time in milliseconds since the epoch (from the Clock port). */
  now: number;
}

const ALGORITHM = "AWS4-HMAC-SHA256";
/** Headers a proxy or the HTTP stack may add, drop or rewrite; signing them would break the signature. */
const UNSIGNED = new Set([
  "authorization",
  "user-agent",
  "x-amzn-trace-id",
  "expect",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "te",
  "proxy-authorization",
]);
const SCOPE_PART = /^[a-z0-9-]{1,64}$/;

/**
 * Returns a copy of `request` signed with SigV4 in its headers: `X-Amz-Date`, `X-Amz-Security-Token` (temporary
 * credentials) and `Authorization`; the payload hash is signed but not sent (only S3 wants it as a header). The `Host` header is signed with the URL's
 * host (and port, when not the scheme's default) but not added: the HTTP client sends exactly that value.
 * Throws an AwsLoginError INVALID_ARGUMENT for a service or region that cannot form a credential scope.
 */
export function signRequest(request: HttpRequest, options: SigV4Options): HttpRequest {
  const { service, region, credentials } = options;
  if (!SCOPE_PART.test(service) || !SCOPE_PART.test(region)) {
    throw new AwsLoginError("INVALID_ARGUMENT", "A request cannot be signed for this service or region.");
  }
  const url = new URL(request.url);
  const amzDate = amzDateOf(options.now);
  const day = amzDate.slice(0, 8);
  const body = request.body ?? "";
  const payloadHash = sha256Hex(body);

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    if (lower === "host" || lower === "authorization" || lower.startsWith("x-amz-")) continue;
    headers[name] = value;
  }
  headers["X-Amz-Date"] = amzDate;
  if (credentials.sessionToken !== undefined) headers["X-Amz-Security-Token"] = credentials.sessionToken;

  const signed = new Map<string, string>([["host", url.host]]);
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (UNSIGNED.has(lower)) continue;
    signed.set(lower, value.trim().replace(/\s+/g, " "));
  }
  const names = [...signed.keys()].sort();
  const canonicalRequest = [
    request.method,
    canonicalPath(url.pathname),
    canonicalQuery(url.searchParams),
    ...names.map((name) => `${name}:${signed.get(name)}`),
    "",
    names.join(";"),
    payloadHash,
  ].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
  const key = signingKey(credentials.secretAccessKey, day, region, service);
  const signature = createHmac("sha256", key).update(stringToSign, "utf8").digest("hex");
  headers.Authorization =
    `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, ` +
    `SignedHeaders=${names.join(";")}, Signature=${signature}`;
  return { ...request, headers };
}

/** The derived key: HMAC chain over date, region, service and the terminator. */
function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  let key = createHmac("sha256", `AWS4${secret}`).update(day, "utf8").digest();
  for (const part of [region, service, "aws4_request"])
    key = createHmac("sha256", key).update(part, "utf8").digest();
  return key;
}

function amzDateOf(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** RFC 3986 unreserved characters stay; everything else is percent-encoded in upper-case hex, as SigV4 requires. */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Every service but S3 signs the path normalised (empty and `.` segments dropped, `..` applied) and encoded once
 * more, segment by segment (the URL holds it encoded once).
 */
function canonicalPath(pathname: string): string {
  const segments: string[] = [];
  for (const segment of pathname.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && pathname.endsWith("/") ? "/" : "";
  return `/${segments.map(uriEncode).join("/")}${trailing}`;
}

function canonicalQuery(params: URLSearchParams): string {
  return [...params]
    .map(([key, value]) => [uriEncode(key), uriEncode(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join("&");
}
