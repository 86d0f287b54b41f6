/**
 * The HTTP {@link Transport} on undici, turning socket failures and timeouts into retryable AwsLoginErrors.
 * @see PROTOCOL.md §4.1
 */
import type { Dispatcher } from "undici";
import { AwsLoginError } from "../errors.js";
import type { HttpRequest, HttpResponse, Transport } from "../ports.js";

/** Options of {@link createHttpTransport}. @see PROTOCOL.md §4.1 */
export interface HttpTransportOptions {
  /** An undici dispatcher (proxy agent, mock agent, …); then `connectTimeoutMs` is the dispatcher's business. */
  dispatcher?: Dispatcher;
  /** Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Limit for the response headers and for each pause in the body. Default 30 000 ms. */
  responseTimeoutMs?: number;
  /** Sent as `user-agent`, e.g. `awslogin/1.2.3 md/awslogin`. */
  userAgent?: string;
}

const TIMEOUT_CODES = new Set([
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ETIMEDOUT",
]);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/;

/** A {@link Transport} over undici `request`. @see PROTOCOL.md §4.1 */
export function createHttpTransport(options: HttpTransportOptions = {}): Transport {
  const responseTimeoutMs = options.responseTimeoutMs ?? 30_000;
  // undici is loaded on the first request: most processes that create a transport (every waiter of a refresh storm,
  // every cache hit of the provider) never send one, and loading it is a third of a refresh's start-up.
  let client: Promise<{ request: typeof import("undici").request; dispatcher: Dispatcher }> | undefined;
  const loadClient = () => {
    client ??= import("undici").then(
      ({ Agent, request }) => ({
        request,
        dispatcher:
          options.dispatcher ?? new Agent({ connect: { timeout: options.connectTimeoutMs ?? 10_000 } }),
      }),
      (error: unknown) => {
        client = undefined; // let the next request try again
        throw error;
      },
    );
    return client;
  };
  return {
    async send(req: HttpRequest, sendOptions: { signal?: AbortSignal } = {}): Promise<HttpResponse> {
      const headers = lowerCased(req.headers);
      if (options.userAgent !== undefined && headers["user-agent"] === undefined) {
        headers["user-agent"] = options.userAgent;
      }
      const host = hostOf(req.url);
      try {
        const { request, dispatcher } = await loadClient();
        const response = await request(req.url, {
          method: req.method,
          headers,
          body: req.body,
          dispatcher,
          headersTimeout: responseTimeoutMs,
          bodyTimeout: responseTimeoutMs,
          signal: sendOptions.signal,
        });
        const body = await response.body.text();
        return { status: response.statusCode, headers: lowerCased(response.headers), body };
      } catch (error) {
        throw transportError(error, host, sendOptions.signal);
      }
    },
  };
}

function lowerCased(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function transportError(error: unknown, host: string, signal: AbortSignal | undefined): AwsLoginError {
  if (AwsLoginError.isInstance(error)) return error;
  if (signal?.aborted === true) {
    if (AwsLoginError.isInstance(signal.reason)) return signal.reason;
    return new AwsLoginError("LOGIN_CANCELLED", `The request to ${host} was cancelled.`, { cause: error });
  }
  const code = errorCode(error);
  if (code === "UND_ERR_INVALID_ARG") {
    return new AwsLoginError("INVALID_ARGUMENT", `The request to ${host} is malformed.`, { cause: error });
  }
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new AwsLoginError(
      "TIMEOUT",
      `${host} did not answer in time (${code}). Check the Sign-In endpoint and your network, then try again.`,
      { cause: error, retryable: true },
    );
  }
  if (code !== undefined && TLS_CODE.test(code)) {
    return new AwsLoginError(
      "NETWORK",
      `The TLS connection to ${host} failed (${code}). Check the Sign-In endpoint and any proxy or certificate settings.`,
      { cause: error, retryable: false },
    );
  }
  const reason = code === undefined ? "" : ` (${code})`;
  return new AwsLoginError(
    "NETWORK",
    `Could not reach ${host}${reason}. Check the Sign-In endpoint (--endpoint-url, AWS_ENDPOINT_URL_SIGNIN) and your network connection.`,
    { cause: error, retryable: true },
  );
}

/** The system or undici code of an error, looking through `cause` and AggregateError (happy eyeballs). */
function errorCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== "object" || error === null || depth > 4) return undefined;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  if (typeof code === "string" && code !== "UND_ERR_SOCKET") return code;
  if (error instanceof AggregateError && error.errors.length > 0)
    return errorCode(error.errors[0], depth + 1);
  return errorCode(cause, depth + 1) ?? (typeof code === "string" ? code : undefined);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "the Sign-In endpoint";
  }
}
