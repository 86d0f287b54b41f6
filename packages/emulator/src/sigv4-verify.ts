/**
 * Verification of AWS Signature Version 4 on STS calls: parse the Authorization header and re-sign the
 * request with the issued secret using @smithy/signature-v4 (sts.ts compares the result in constant time).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";

/** The parts of an `AWS4-HMAC-SHA256` Authorization header. */
export interface SigV4Authorization {
  accessKeyId: string;
  /** Credential scope: `yyyymmdd/region/service/aws4_request`. */
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** The request as received, for re-signing. */
export interface SignedRequest {
  method: string;
  url: URL;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256\s+(.*)$/s;

/** Parses the Authorization header; returns a problem description when it is malformed. */
export function parseSigV4Authorization(value: string): SigV4Authorization | { problem: string } {
  const match = AUTHORIZATION.exec(value.trim());
  if (!match) return { problem: "Authorization header must use the AWS4-HMAC-SHA256 algorithm." };
  const fields = new Map<string, string>();
  for (const part of match[1]!.split(",")) {
    const index = part.indexOf("=");
    if (index < 0) continue;
    fields.set(part.slice(0, index).trim(), part.slice(index + 1).trim());
  }
  const credential = fields.get("Credential");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (!credential || !signedHeaders || !signature) {
    return {
      problem: "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.",
    };
  }
  const scope = credential.split("/");
  if (scope.length !== 5 || scope[4] !== "aws4_request" || !/^\d{8}$/.test(scope[1]!)) {
    return { problem: "Credential should be scoped to a valid region, service and aws4_request terminator." };
  }
  if (!/^[0-9a-f]{64}$/.test(signature)) return { problem: "Signature must be 64 lower-case hex digits." };
  const [accessKeyId, date, region, service] = scope as [string, string, string, string, string];
  return {
    accessKeyId,
    date,
    region,
    service,
    signedHeaders: signedHeaders.split(";").map((name) => name.trim().toLowerCase()),
    signature,
  };
}

/** Parses an `x-amz-date` value (`yyyymmddThhmmssZ`). */
export function parseAmzDate(value: string | undefined): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? "");
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

/** Recomputes the signature of `request` with `credentials`, over exactly the headers the client signed. */
export async function computeSigV4Signature(
  request: SignedRequest,
  auth: SigV4Authorization,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string },
  signingDate: Date,
): Promise<string> {
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of request.url.searchParams) {
    const existing = query[name];
    if (existing === undefined) query[name] = value;
    else query[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  const rebuilt = new HttpRequest({
    method: request.method,
    protocol: request.url.protocol,
    hostname: request.url.hostname,
    port: request.url.port ? Number(request.url.port) : undefined,
    path: request.url.pathname,
    query,
    headers,
    body: request.body.length > 0 ? new Uint8Array(request.body) : undefined,
  });
  const signer = new SignatureV4({ service: auth.service, region: auth.region, credentials, sha256: Sha256 });
  const signed = new Set(auth.signedHeaders);
  // The signer adds these itself; keep them out of the canonical request unless the client signed them.
  const generated = ["x-amz-date", "x-amz-security-token", "x-amz-content-sha256"].filter(
    (h) => !signed.has(h),
  );
  const result = await signer.sign(rebuilt, {
    signingDate,
    signableHeaders: signed,
    unsignableHeaders: new Set(generated),
  });
  const authorization = String(result.headers.authorization ?? "");
  return /Signature=([0-9a-f]{64})/.exec(authorization)?.[1] ?? "";
}
