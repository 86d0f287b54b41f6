/**
 * Test-side client pieces, written independently of core: DPoP proofs (node:crypto), PKCE, and thin
 * wrappers around fetch against a started emulator.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, randomUUID, sign } from "node:crypto";
import { CLIENT_ID } from "@awslogin/core";
import type { Emulator } from "../src/index.js";

export interface DpopKey {
  privateKey: KeyObject;
  jwk: { kty: "EC"; crv: "P-256"; x: string; y: string };
}

export function newDpopKey(): DpopKey {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const { x, y } = publicKey.export({ format: "jwk" });
  return { privateKey, jwk: { kty: "EC", crv: "P-256", x: x!, y: y! } };
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

export interface ProofOptions {
  htu: string;
  htm?: string;
  /** Seconds. */
  iat?: number;
  jti?: string;
  /** Replaces the JOSE header entirely. */
  header?: Record<string, unknown>;
  /** Serialises header and payload verbatim (to test key order / whitespace tolerance). */
  rawHeader?: string;
  rawPayload?: string;
}

/** A DPoP proof: ES256 over header.payload, raw r||s signature. @see RFC 9449 §4.2 */
export function dpopProof(key: DpopKey, options: ProofOptions): string {
  const header =
    options.rawHeader ?? JSON.stringify(options.header ?? { typ: "dpop+jwt", alg: "ES256", jwk: key.jwk });
  const payload =
    options.rawPayload ??
    JSON.stringify({
      htm: options.htm ?? "POST",
      htu: options.htu,
      iat: options.iat ?? Math.floor(Date.now() / 1000),
      jti: options.jti ?? randomUUID(),
    });
  const input = `${b64url(header)}.${b64url(payload)}`;
  const signature = sign("sha256", Buffer.from(input), { key: key.privateKey, dsaEncoding: "ieee-p1363" });
  return `${input}.${b64url(signature)}`;
}

export function newPkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString("base64url").slice(0, 64);
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export const LOOPBACK = "http://127.0.0.1:53412/oauth/callback";

export interface AuthorizeParams {
  flow?: "same-device" | "cross-device";
  state?: string;
  challenge?: string;
  redirectUri?: string;
  overrides?: Record<string, string | undefined>;
}

/** The authorize URL as the AWS CLI builds it (docs/protocol.md §2.2). */
export function authorizeUrl(emu: Emulator, params: AuthorizeParams = {}): string {
  const crossDevice = params.flow === "cross-device";
  const query: Record<string, string | undefined> = {
    response_type: "code",
    client_id: crossDevice ? CLIENT_ID.crossDevice : CLIENT_ID.sameDevice,
    state: params.state ?? randomUUID(),
    code_challenge_method: "SHA-256",
    scope: "openid",
    redirect_uri: params.redirectUri ?? (crossDevice ? `${emu.url}/v1/sessions/confirmation` : LOOPBACK),
    code_challenge: params.challenge ?? newPkce().challenge,
    ...params.overrides,
  };
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, value);
  return `${emu.url}/v1/authorize?${search}`;
}

/** GET without following redirects. */
export function get(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { redirect: "manual", headers });
}

/** Runs an auto-approved authorize and returns the code from the redirect. */
export async function authorizeCode(
  emu: Emulator,
  params: AuthorizeParams & { state?: string } = {},
): Promise<{ code: string; state: string; location: URL }> {
  const state = params.state ?? randomUUID();
  const res = await get(authorizeUrl(emu, { ...params, state }));
  if (res.status !== 302) throw new Error(`authorize answered ${res.status}: ${await res.text()}`);
  const location = new URL(res.headers.get("location")!);
  return { code: location.searchParams.get("code")!, state: location.searchParams.get("state")!, location };
}

export interface TokenCallResult {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

export interface TokenCallOptions {
  key?: DpopKey;
  /** A ready-made DPoP header value; `null` sends none. */
  dpop?: string | null;
  /** Seconds, for the proof's iat. */
  iat?: number;
  contentType?: string;
  rawBody?: string;
}

/** POST /v1/token with a fresh DPoP proof. */
export async function tokenCall(
  emu: Emulator,
  body: Record<string, unknown>,
  options: TokenCallOptions = {},
): Promise<TokenCallResult> {
  const headers: Record<string, string> = { "content-type": options.contentType ?? "application/json" };
  const dpop =
    options.dpop === undefined
      ? dpopProof(options.key ?? newDpopKey(), { htu: `${emu.url}/v1/token`, iat: options.iat })
      : options.dpop;
  if (dpop !== null) headers.dpop = dpop;
  const res = await fetch(`${emu.url}/v1/token`, {
    method: "POST",
    headers,
    body: options.rawBody ?? JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

export interface LoginResult {
  key: DpopKey;
  verifier: string;
  redirectUri: string;
  clientId: string;
  answer: {
    accessToken: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
    tokenType: string;
    expiresIn: number;
    refreshToken: string;
    idToken?: string;
  };
}

/** Authorize (auto-approve) + code exchange. */
export async function login(
  emu: Emulator,
  options: { key?: DpopKey; flow?: "same-device" | "cross-device"; iat?: number } = {},
): Promise<LoginResult> {
  const key = options.key ?? newDpopKey();
  const { verifier, challenge } = newPkce();
  const crossDevice = options.flow === "cross-device";
  const redirectUri = crossDevice ? `${emu.url}/v1/sessions/confirmation` : LOOPBACK;
  const clientId = crossDevice ? CLIENT_ID.crossDevice : CLIENT_ID.sameDevice;
  const { code } = await authorizeCode(emu, { flow: options.flow, challenge, redirectUri });
  const result = await tokenCall(
    emu,
    { clientId, grantType: "authorization_code", code, codeVerifier: verifier, redirectUri },
    { key, iat: options.iat },
  );
  if (result.status !== 200)
    throw new Error(`token answered ${result.status}: ${JSON.stringify(result.json)}`);
  return { key, verifier, redirectUri, clientId, answer: result.json as unknown as LoginResult["answer"] };
}

/** One refresh call. */
export function refreshCall(
  emu: Emulator,
  refreshToken: string,
  key: DpopKey,
  options: { clientId?: string; iat?: number } = {},
): Promise<TokenCallResult> {
  return tokenCall(
    emu,
    { clientId: options.clientId ?? CLIENT_ID.sameDevice, refreshToken, grantType: "refresh_token" },
    { key, iat: options.iat },
  );
}

/** A controllable clock for `now` injection. */
export function fakeClock(start = Date.now()): {
  now: () => number;
  advance: (ms: number) => void;
  sec: () => number;
} {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    sec: () => Math.floor(t / 1000),
  };
}
