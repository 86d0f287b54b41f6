/**
 * The browser half of the login: the authorize URL, the loopback callback and the cross-device verification code.
 * @see RFC 6749 §4.1, RFC 8252 §7.3, docs/protocol.md §2–§3
 */
import { Buffer } from "node:buffer";
import { AwsLoginError } from "./errors.js";
import type { CallbackQuery } from "./machines/login.js";
import { clientIdFor, LOOPBACK_CALLBACK_PATH, type LoginFlow, PKCE_METHOD, SIGNIN_PATH } from "./protocol.js";

/** The same-device redirect URI for a loopback listener on `port`. @see RFC 8252 §7.3, docs/protocol.md §2.2 */
export function loopbackRedirectUri(port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new AwsLoginError("INVALID_ARGUMENT", `${port} is not a valid TCP port for the login callback.`);
  }
  return `http://127.0.0.1:${port}${LOOPBACK_CALLBACK_PATH}`;
}

/** The cross-device redirect URI: the service's own confirmation page. @see docs/protocol.md §3 */
export function crossDeviceRedirectUri(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, "")}${SIGNIN_PATH.confirmation}`;
}

/**
 * The `/v1/authorize` URL, byte for byte as the AWS CLI builds it: fixed parameter order, botocore percent-encoding,
 * `code_challenge` appended last as is. @see RFC 6749 §4.1.1, RFC 7636 §4.3, docs/protocol.md §2.2
 */
export function buildAuthorizeUrl(args: {
  baseUrl: string;
  flow: LoginFlow;
  state: string;
  codeChallenge: string;
  redirectUri: string;
}): string {
  if (!/^[A-Za-z0-9_-]{43,128}$/.test(args.codeChallenge)) {
    throw new AwsLoginError(
      "INVALID_ARGUMENT",
      "The PKCE code challenge must be 43–128 base64url characters.",
    );
  }
  const params: [string, string][] = [
    ["response_type", "code"],
    ["client_id", clientIdFor(args.flow)],
    ["state", args.state],
    ["code_challenge_method", PKCE_METHOD],
    ["scope", "openid"],
    ["redirect_uri", args.redirectUri],
  ];
  const query = params.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join("&");
  return `${args.baseUrl.replace(/\/+$/, "")}${SIGNIN_PATH.authorize}?${query}&code_challenge=${args.codeChallenge}`;
}

/** What arrived at the loopback listener: a code, an error, or an unrelated request (e.g. `/favicon.ico`). @see docs/protocol.md §2.3 */
export type AuthorizeCallback = CallbackQuery;

/**
 * Classifies a request to the loopback listener the way the CLI does: `error` wins, then `code`+`state`; anything
 * else is ignored. The caller compares `state`. @see RFC 6749 §4.1.2, docs/protocol.md §2.3
 */
export function parseAuthorizeCallback(url: URL): AuthorizeCallback {
  const query = url.searchParams;
  const error = query.get("error");
  const state = query.get("state") ?? undefined;
  if (error !== null) {
    return { kind: "error", state, error, description: query.get("error_description") ?? undefined };
  }
  const code = query.get("code");
  if (code !== null && code !== "" && state !== undefined && state !== "")
    return { kind: "code", state, code };
  return { kind: "none" };
}

/** The code the cross-device confirmation page shows: standard base64 (padded) of `state=…&code=…`. @see docs/protocol.md §3 */
export function encodeVerificationCode(state: string, code: string): string {
  const text = `state=${percentEncode(state)}&code=${percentEncode(code)}`;
  return Buffer.from(text, "utf8").toString("base64");
}

/** Decodes a pasted verification code back into `state` and `code`. @see docs/protocol.md §3 */
export function decodeVerificationCode(text: string): { state: string; code: string } {
  const compact = text.replace(/\s+/g, "");
  const unpadded = compact.replace(/=+$/, "");
  if (unpadded === "" || !/^[A-Za-z0-9+/]+$/.test(unpadded) || unpadded.length % 4 === 1) {
    throw badVerificationCode();
  }
  const bytes = Buffer.from(unpadded, "base64");
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw badVerificationCode();
  }
  const state = params.get("state");
  const code = params.get("code");
  if (state === null || state === "" || code === null || code === "") throw badVerificationCode();
  return { state, code };
}

/** botocore `percent_encode`: UTF-8, then escape everything but `A-Za-z0-9-._~` (so `:` and `/` are escaped too). */
function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function badVerificationCode(): AwsLoginError {
  return new AwsLoginError(
    "BAD_VERIFICATION_CODE",
    "That is not a valid authorization code. Copy the whole code shown on the browser page after you sign in and paste it again.",
  );
}
