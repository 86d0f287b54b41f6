/**
 * The container credentials endpoint of `awslogin serve` and `exec --serve`: an HTTP server on 127.0.0.1 only that
 * answers the SDKs' container provider (AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN)
 * with a profile's credentials, one path per profile: `/profiles/<name>`.
 * @see docs/protocol.md §17.2
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { ServedCredentials } from "./credential-cache.js";

/** The only address the endpoint listens on. */
export const SERVE_HOST = "127.0.0.1";

/** Where each profile is served. */
export const PROFILE_PATH_PREFIX = "/profiles/";

/**
 * Limits that keep a local flood (every user of the machine can connect to 127.0.0.1) from starving the tools
 * that use the endpoint. An SDK sends one short GET with a few headers and waits at most 1–2 s for the answer.
 */
export const SERVE_LIMITS = {
  /** Connections held at once; past it, the oldest one without a request in progress is closed. */
  maxConnections: 1024,
  /** Time to send a request's headers (slowloris). */
  headersTimeoutMs: 5_000,
  /** Time to send a whole request. */
  requestTimeoutMs: 10_000,
  /** A connection without traffic for this long is closed. */
  idleTimeoutMs: 30_000,
  /** An SDK's URL is the printed one: a path and a profile name. */
  maxUrlLength: 1024,
  /** An SDK sends a handful of short headers; a token file holds at most 1 KiB. */
  maxHeaderSize: 8192,
} as const;

/** What the endpoint answers when credentials cannot be had: an HTTP status and the SDKs' `Code`/`Message`. */
export interface EndpointError {
  status: number;
  code: string;
  message: string;
}

/** Options of {@link startCredentialServer}. */
export interface CredentialServerOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** The value the `Authorization` header must have. */
  token: string;
  /** The profiles served; any other path is 404. */
  profiles: readonly string[];
  /** Fresh credentials of a profile (held in memory, refreshed in the background). */
  credentials(profile: string): Promise<ServedCredentials>;
  /** How a failure to get credentials is answered. */
  describeError(error: unknown, profile: string): EndpointError;
  /** Called when the server cannot listen (the port is taken, …); the caller words the error. */
  listenError(error: NodeJS.ErrnoException): Error;
}

/** A running endpoint. */
export interface CredentialServer {
  port: number;
  /** The URL of a profile's credentials, for AWS_CONTAINER_CREDENTIALS_FULL_URI. */
  urlOf(profile: string): string;
  /** Stops listening and ends every connection. */
  close(): Promise<void>;
}

/** Expiration as the SDKs' parsers read it: RFC 3339 in UTC with `Z` (smithy's parser takes no offset). */
export function formatExpirationZ(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The body of a 200: the fields of docs/protocol.md §17.2, and AccountId when known. */
export function credentialsBody(credentials: ServedCredentials): string {
  const body: Record<string, string> = {
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    Token: credentials.sessionToken ?? "",
    Expiration: formatExpirationZ(credentials.expiration),
  };
  if (credentials.accountId) body.AccountId = credentials.accountId;
  return JSON.stringify(body);
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/** Starts the endpoint on 127.0.0.1 and resolves once it listens. */
export async function startCredentialServer(options: CredentialServerOptions): Promise<CredentialServer> {
  // Digests have one length whatever was sent, so the comparison takes the same time for every guess.
  const expected = digest(options.token);
  const served = new Set(options.profiles);
  let boundPort = options.port;

  const server = createServer(
    {
      headersTimeout: SERVE_LIMITS.headersTimeoutMs,
      requestTimeout: SERVE_LIMITS.requestTimeoutMs,
      // Node checks both timeouts only this often (30 s by default).
      connectionsCheckingInterval: 1000,
      maxHeaderSize: SERVE_LIMITS.maxHeaderSize,
      keepAliveTimeout: 5_000,
    },
    (req, res) => {
      const socket = req.socket;
      busy.add(socket);
      res.once("close", () => busy.delete(socket));
      handle(req, res).catch(() => {
        if (!res.headersSent) answer(res, 500, { Code: "InternalError", Message: "awslogin serve failed." });
        else res.destroy();
      });
    },
  );
  server.timeout = SERVE_LIMITS.idleTimeoutMs;
  server.on("timeout", (socket: Socket) => socket.destroy());

  // Open connections in the order they came, and those with a request being answered.
  const connections = new Set<Socket>();
  const busy = new WeakSet<Socket>();
  server.on("connection", (socket: Socket) => {
    connections.add(socket);
    socket.once("close", () => connections.delete(socket));
    if (connections.size <= SERVE_LIMITS.maxConnections) return;
    // Past the cap, the oldest idle connection goes rather than the newest: held-open sockets cannot lock the
    // tools out, as refusing new connections would let them.
    for (const other of connections) {
      if (other !== socket && !busy.has(other)) {
        other.destroy();
        connections.delete(other);
        return;
      }
    }
    socket.destroy();
  });

  function answer(
    res: ServerResponse,
    status: number,
    body: Record<string, string> | string,
    close = false,
  ): void {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/json",
      "cache-control": "no-store",
      "content-length": Buffer.byteLength(text),
      ...(close ? { connection: "close" } : {}),
    });
    res.end(text);
  }

  /** A refusal closes the connection: a client that sends one bad request gets no second try on it. */
  function refuse(res: ServerResponse, status: number, code: string, message: string): void {
    if (status === 405) res.setHeader("allow", "GET");
    answer(res, status, { Code: code, Message: message }, true);
    res.once("finish", () => res.socket?.destroy());
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? "/";
    if (url.length > SERVE_LIMITS.maxUrlLength) {
      refuse(res, 414, "UriTooLong", "The request's URL is too long.");
      return;
    }
    if (req.method !== "GET") {
      refuse(res, 405, "MethodNotAllowed", "Only GET is answered.");
      return;
    }
    const length = req.headers["content-length"];
    if ((length !== undefined && length !== "0") || req.headers["transfer-encoding"] !== undefined) {
      refuse(res, 413, "BodyNotAccepted", "No request body is accepted.");
      return;
    }
    // DNS rebinding: a page whose host name now resolves to 127.0.0.1 still sends its own name as Host.
    if (req.headers.host !== `${SERVE_HOST}:${boundPort}`) {
      refuse(res, 403, "HostRefused", `Only requests to ${SERVE_HOST}:${boundPort} are answered.`);
      return;
    }
    // SDKs send neither; a browser sends them on the requests a page makes.
    if (
      req.headers.origin !== undefined ||
      req.headers["sec-fetch-site"] !== undefined ||
      req.headers["sec-fetch-mode"] !== undefined
    ) {
      refuse(res, 403, "BrowserRefused", "Requests from a browser are not answered.");
      return;
    }
    const authorization = req.headers.authorization;
    if (authorization === undefined || authorization === "") {
      refuse(res, 401, "MissingAuthorization", "Send the token as the Authorization header.");
      return;
    }
    if (!timingSafeEqual(digest(authorization), expected)) {
      refuse(res, 403, "InvalidToken", "The Authorization header is not this endpoint's token.");
      return;
    }
    const path = url.split("?", 1)[0] ?? "";
    const profile = path.startsWith(PROFILE_PATH_PREFIX)
      ? safeDecode(path.slice(PROFILE_PATH_PREFIX.length))
      : undefined;
    if (profile === undefined || !served.has(profile)) {
      answer(res, 404, { Code: "NotFound", Message: "No profile is served at this path." });
      return;
    }
    let credentials: ServedCredentials;
    try {
      credentials = await options.credentials(profile);
    } catch (error) {
      const described = options.describeError(error, profile);
      answer(res, described.status, { Code: described.code, Message: described.message });
      return;
    }
    answer(res, 200, credentialsBody(credentials));
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(options.listenError(error));
    server.once("error", onError);
    server.listen(options.port, SERVE_HOST, () => {
      server.off("error", onError);
      resolve();
    });
  });
  const address = server.address();
  boundPort = typeof address === "object" && address !== null ? address.port : options.port;

  return {
    port: boundPort,
    urlOf: (profile) =>
      `http://${SERVE_HOST}:${boundPort}${PROFILE_PATH_PREFIX}${encodeURIComponent(profile)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
