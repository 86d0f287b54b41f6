/**
 * The interfaces through which core's drivers reach the outside world. Node implementations live in
 * `src/node/`; tests inject fakes. Nothing in core outside `src/node/` touches fs, net, http, env or the clock.
 */

/** Wall clock. `now()` returns milliseconds since the epoch. */
export interface Clock {
  /** The current time in milliseconds since the Unix epoch (as `Date.now()`). */
  now(): number;
}

/** Randomness: `bytes(n)` returns n cryptographically random bytes. */
export interface Random {
  /** `length` bytes from a cryptographically secure source (PKCE verifiers, OAuth state, DPoP `jti`). */
  bytes(length: number): Uint8Array;
}

/** One HTTP exchange, as the token client needs it. */
export interface HttpRequest {
  /** The HTTP method; the token endpoint takes POST. */
  method: "GET" | "POST";
  /** The absolute URL (https, or http to loopback or with the opt-in). */
  url: string;
  /** Request headers (`Content-Type`, `DPoP`, `User-Agent`). */
  headers: Record<string, string>;
  /** The request body as text (JSON for the token endpoint). */
  body?: string;
}

/** The answer to one {@link HttpRequest}, read whole. Every status resolves; only transport failures reject. */
export interface HttpResponse {
  /** The HTTP status code. */
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The response body decoded as UTF-8. */
  body: string;
}

/** Sends one request. Rejects with an AwsLoginError NETWORK or TIMEOUT on transport failure. */
export interface Transport {
  /**
   * Sends `request` and reads the whole answer. Rejects with an AwsLoginError: NETWORK or TIMEOUT (retryable unless
   * retrying cannot help, as after a TLS failure); when `signal` aborts, its reason if that is an AwsLoginError, else
   * LOGIN_CANCELLED.
   */
  send(request: HttpRequest, options?: { signal?: AbortSignal }): Promise<HttpResponse>;
}
