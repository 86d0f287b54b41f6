/**
 * The HTTP {@link Transport} on undici, turning socket failures and timeouts into retryable AwsLoginErrors.
 * @see docs/protocol.md §4.1
 */
import type { Dispatcher } from "undici";
import { AwsLoginError } from "../errors.js";
import type { HttpRequest, HttpResponse, Transport } from "../ports.js";

/** Options of {@link createHttpTransport}. @see docs/protocol.md §4.1 */
export interface HttpTransportOptions {
  /** An undici dispatcher (proxy agent, mock agent, …); then `connectTimeoutMs` is the dispatcher's business. */
  dispatcher?: Dispatcher;
  /** Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Limit for the response headers and for each pause in the body. Default 30 000 ms. */
  responseTimeoutMs?: number;
  /** Sent as `user-agent`, e.g. `awslogin/1.2.3 md/awslogin`. */
  userAgent?: string;
  /**
   * The largest response body read, in bytes (default 65 536); past it the request is
   * aborted with a retryable BAD_RESPONSE, so an endpoint that streams without end cannot exhaust memory.
   */
  maxBodyBytes?: number;
  /** Extra certificate authorities for TLS, added to Node's own: `AWS_CA_BUNDLE` or the profile's `ca_bundle`. */
  caBundle?: CaBundle;
  /**
   * Where `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` (either case; lower case wins, as curl) are read; default
   * `process.env`. Ignored with `dispatcher`.
   */
  env?: Record<string, string | undefined>;
}

/** A PEM file of extra CAs and the setting that named it, for messages. */
export interface CaBundle {
  /** The PEM file's path; read when the transport is created (CA_BUNDLE_INVALID when it cannot be used). */
  path: string;
  /** `AWS_CA_BUNDLE`, or `ca_bundle of profile NAME`. */
  source: string;
}

/** A token answer is a few KB; anything near this is not one. */
export const MAX_RESPONSE_BODY_BYTES = 64 * 1024;

/**
 * The CA bundle the AWS CLI would use: `AWS_CA_BUNDLE`, then the profile's `ca_bundle`; undefined when neither is
 * set. @see https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html
 */
export function resolveCaBundle(
  env: Record<string, string | undefined>,
  profile: { name: string; caBundle: string | undefined },
): CaBundle | undefined {
  const fromEnv = env.AWS_CA_BUNDLE?.trim();
  if (fromEnv) return { path: fromEnv, source: "AWS_CA_BUNDLE" };
  const fromProfile = profile.caBundle?.trim();
  if (fromProfile) return { path: fromProfile, source: `ca_bundle of profile ${profile.name}` };
  return undefined;
}

const TIMEOUT_CODES = new Set([
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ETIMEDOUT",
]);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/;

/** A {@link Transport} over undici `request`. @see docs/protocol.md §4.1 */
export function createHttpTransport(options: HttpTransportOptions = {}): Transport {
  const responseTimeoutMs = options.responseTimeoutMs ?? 30_000;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_RESPONSE_BODY_BYTES;
  // undici is loaded on the first request: most processes that create a transport (every waiter of a refresh storm,
  // every cache hit of the provider) never send one, and loading it is a third of a refresh's start-up.
  let client: Promise<{ request: typeof import("undici").request; dispatcher: Dispatcher }> | undefined;
  const loadClient = () => {
    client ??= Promise.all([import("undici"), loadCa(options.caBundle)]).then(
      ([undici, ca]) => ({
        request: undici.request,
        dispatcher:
          options.dispatcher ??
          createDispatcher(undici, options.env ?? process.env, {
            timeout: options.connectTimeoutMs ?? 10_000,
            ...(ca === undefined ? {} : { ca }),
          }),
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
        const body = await readCapped(response, maxBodyBytes, host);
        return { status: response.statusCode, headers: lowerCased(response.headers), body };
      } catch (error) {
        throw transportError(error, host, sendOptions.signal);
      }
    },
  };
}

/**
 * A plain Agent, or undici's EnvHttpProxyAgent when a proxy is set. Proxies are given explicitly so `env` (not
 * only process.env) decides; the same TLS options apply to the tunnelled connection and to an https proxy.
 */
function createDispatcher(
  undici: typeof import("undici"),
  env: Record<string, string | undefined>,
  tls: { timeout: number; ca?: string[] },
): Dispatcher {
  const httpProxy = env.http_proxy ?? env.HTTP_PROXY ?? "";
  const httpsProxy = env.https_proxy ?? env.HTTPS_PROXY ?? "";
  if (httpProxy === "" && httpsProxy === "") return new undici.Agent({ connect: tls });
  return new undici.EnvHttpProxyAgent({
    connect: tls,
    requestTls: tls,
    proxyTls: tls,
    // Plain http goes to the proxy in absolute form, as curl and the AWS CLI send it, not through CONNECT.
    proxyTunnel: false,
    httpProxy,
    httpsProxy,
    noProxy: env.no_proxy ?? env.NO_PROXY ?? "",
  });
}

/** Node's own roots plus the bundle's certificates; undefined without a bundle (Node's defaults then). */
async function loadCa(bundle: CaBundle | undefined): Promise<string[] | undefined> {
  if (bundle === undefined) return undefined;
  const [{ readFile }, { X509Certificate }, { rootCertificates }] = await Promise.all([
    import("node:fs/promises"),
    import("node:crypto"),
    import("node:tls"),
  ]);
  const fix = `Point ${bundle.source} at a readable PEM file of CA certificates, or unset it.`;
  let text: string;
  try {
    text = await readFile(bundle.path, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new AwsLoginError(
      "CA_BUNDLE_INVALID",
      `The CA bundle ${bundle.path} (${bundle.source}) could not be read${typeof code === "string" ? ` (${code})` : ""}. ${fix}`,
      { cause: error, path: bundle.path },
    );
  }
  const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  const invalid = (detail: string, cause?: unknown) =>
    new AwsLoginError(
      "CA_BUNDLE_INVALID",
      `The CA bundle ${bundle.path} (${bundle.source}) ${detail}. ${fix}`,
      { cause, path: bundle.path },
    );
  if (pems.length === 0) throw invalid("holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
  for (const pem of pems) {
    try {
      new X509Certificate(pem);
    } catch (error) {
      throw invalid("holds a certificate that cannot be parsed", error);
    }
  }
  return [...rootCertificates, ...pems];
}

/**
 * The body as text, reading at most `limit` bytes: past it the socket is destroyed and the failure is transient
 * (retryable BAD_RESPONSE), so callers with valid cached credentials keep serving them.
 */
async function readCapped(response: Dispatcher.ResponseData, limit: number, host: string): Promise<string> {
  const tooLarge = () =>
    new AwsLoginError(
      "BAD_RESPONSE",
      `${host} sent an answer larger than ${Math.round(limit / 1024)} KiB, which no Sign-In answer is; it was not read. Check the Sign-In endpoint and any proxy, then try again.`,
      { retryable: true, status: response.statusCode },
    );
  const declared = Number(response.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    response.body.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      response.body.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
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
      `The TLS connection to ${host} failed (${code}). Check the Sign-In endpoint, any proxy, and AWS_CA_BUNDLE or the profile's ca_bundle if it uses a private CA.`,
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
