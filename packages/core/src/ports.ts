/**
 * The interfaces through which core's drivers reach the outside world. Node implementations live in
 * `src/node/`; tests inject fakes. Nothing in core outside `src/node/` touches fs, net, http, env or the clock.
 */

/** Wall clock. `now()` returns milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

/** Randomness: `bytes(n)` returns n cryptographically random bytes. */
export interface Random {
  bytes(length: number): Uint8Array;
}

/** One HTTP exchange, as the token client needs it. */
export interface HttpRequest {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

/** Sends one request. Rejects with an AwsLoginError NETWORK or TIMEOUT on transport failure. */
export interface Transport {
  send(request: HttpRequest, options?: { signal?: AbortSignal }): Promise<HttpResponse>;
}
