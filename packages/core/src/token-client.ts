/**
 * Sends one `CreateOAuth2Token` request with a DPoP proof, retrying throttling, server and transport failures.
 * @see RFC 9449 §4–§5, docs/protocol.md §4
 */

import { createDpopProof, type DpopKey } from "./dpop.js";
import { AwsLoginError, hasErrorCode } from "./errors.js";
import { createState } from "./pkce.js";
import type { Clock, Random, Transport } from "./ports.js";
import { errorFromTokenResponse, parseTokenResponse, type TokenGrant, type TokenResponse } from "./token.js";

/** Options of {@link requestToken}. @see docs/protocol.md §4.1 */
export interface RequestTokenArgs {
  transport: Transport;
  /** The full token URL; it is also the proof's `htu`, unchanged. */
  tokenUrl: string;
  /** A body from `authorizationCodeRequest` or `refreshTokenRequest`. */
  body: object;
  dpopKey: DpopKey;
  clock: Clock;
  random: Random;
  grant: TokenGrant;
  /** Named in error messages that tell the user to log in again. */
  profile?: string;
  /** Attempts in total, including the first. Default 3. */
  maxAttempts?: number;
  /** Cap of the first back-off; it doubles per attempt. Default 200 ms. */
  baseDelayMs?: number;
  /** Upper bound of any back-off, `retry-after` included. Default 2000 ms. */
  maxDelayMs?: number;
  /** Cancels the request and any back-off; its reason, when an AwsLoginError, is what rejects. */
  signal?: AbortSignal;
}

const RETRYABLE = ["THROTTLED", "SERVER_ERROR", "NETWORK", "TIMEOUT"] as const;

/**
 * POSTs the token request with a fresh DPoP proof (new `jti`, current `iat`) on every attempt, and retries
 * retryable failures with capped exponential back-off and full jitter. @see RFC 9449 §4.2, docs/protocol.md §4.1–§4.4
 */
export async function requestToken(args: RequestTokenArgs): Promise<TokenResponse> {
  const maxAttempts = Math.max(1, Math.floor(args.maxAttempts ?? 3));
  const baseDelayMs = args.baseDelayMs ?? 200;
  const maxDelayMs = args.maxDelayMs ?? 2000;
  const body = JSON.stringify(args.body);

  for (let attempt = 1; ; attempt++) {
    throwIfAborted(args.signal);
    const proof = createDpopProof({
      key: args.dpopKey,
      method: "POST",
      url: args.tokenUrl,
      iat: Math.floor(args.clock.now() / 1000),
      jti: createState(args.random),
    });
    let failure: AwsLoginError;
    let retryAfterMs: number | undefined;
    try {
      const response = await args.transport.send(
        {
          method: "POST",
          url: args.tokenUrl,
          headers: { "content-type": "application/json", accept: "application/json", dpop: proof },
          body,
        },
        { signal: args.signal },
      );
      if (response.status >= 200 && response.status < 300)
        return parseTokenResponse(response.body, args.grant);
      failure = errorFromTokenResponse(response, { grant: args.grant, profile: args.profile });
      retryAfterMs = parseRetryAfter(response.headers["retry-after"]);
    } catch (error) {
      if (!hasErrorCode(error, "NETWORK", "TIMEOUT")) throw error;
      failure = error;
    }
    // A TLS failure is a NETWORK error that retrying cannot fix: it says so with `retryable: false`.
    if (!hasErrorCode(failure, ...RETRYABLE) || !failure.retryable || attempt >= maxAttempts) throw failure;
    throwIfAborted(args.signal);
    try {
      await args.clock.sleep(
        backoffMs({ attempt, baseDelayMs, maxDelayMs, retryAfterMs, random: args.random }),
        args.signal,
      );
    } catch (error) {
      throwIfAborted(args.signal);
      throw error;
    }
  }
}

/** Full jitter: uniform in [0, min(max, base·2^(attempt−1))); a numeric `retry-after` wins, capped at max. */
function backoffMs(args: {
  attempt: number;
  baseDelayMs: number;
  maxDelayMs: number;
  retryAfterMs: number | undefined;
  random: Random;
}): number {
  if (args.retryAfterMs !== undefined) return Math.min(args.retryAfterMs, args.maxDelayMs);
  const cap = Math.min(args.maxDelayMs, args.baseDelayMs * 2 ** (args.attempt - 1));
  const bytes = args.random.bytes(4);
  const fraction =
    (((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0)) >>> 0;
  return Math.floor((fraction / 2 ** 32) * cap);
}

/** `retry-after` in delay-seconds; HTTP dates are ignored because reading them would need the clock's skew. */
function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return Math.round(Number(value) * 1000);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted !== true) return;
  if (AwsLoginError.isInstance(signal.reason)) throw signal.reason;
  throw new AwsLoginError("LOGIN_CANCELLED", "The token request was cancelled.", { cause: signal.reason });
}
