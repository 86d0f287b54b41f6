/**
 * The loopback listener of the same-device flow: an HTTP server on 127.0.0.1 only, that hands each
 * request to `/oauth/callback` to the login machine and answers the browser with a small page.
 * @see docs/protocol.md §2.3
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { parseAuthorizeCallback } from "../authorize.js";
import { AwsLoginError } from "../errors.js";
import type { CallbackAnswer, CallbackQuery } from "../machines/login.js";
import type { CallbackListener } from "../ports.js";
import { LOOPBACK_CALLBACK_PATH } from "../protocol.js";

const PAGE_TITLE = "awslogin";

/**
 * Limits that keep a local flood (other users can connect to 127.0.0.1 too) from starving the one request that
 * matters. A browser sends the callback at once on a fresh or kept-alive connection, as one short GET.
 */
export const LOOPBACK_LIMITS = {
  /** Connections held at once; past it, the oldest one without a request in progress is dropped. */
  maxConnections: 32,
  /** Time to send a request's headers (slowloris). */
  headersTimeoutMs: 5_000,
  /** A connection with no request in progress is closed after this long without traffic. */
  idleTimeoutMs: 10_000,
  /** The callback's URL is a few hundred characters (code and state); room to spare for longer codes. */
  maxUrlLength: 8192,
  /** Node's default, kept explicit: a browser may send cookies other local apps set for 127.0.0.1. */
  maxHeaderSize: 16384,
} as const;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The small page the browser shows after the redirect. */
function callbackPage(answer: CallbackAnswer, message?: string): string {
  const [heading, body] =
    answer === "success"
      ? ["You are signed in", "Your credentials have been shared with awslogin. You can close this tab."]
      : answer === "error"
        ? ["Sign-in failed", message ?? "The login did not complete. Return to the terminal for details."]
        : [
            "Not this login",
            "This link does not belong to the login that is waiting. Start the login again from your terminal.",
          ];
  const color = answer === "success" ? "#1d8102" : "#d13212";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${PAGE_TITLE}: ${escapeHtml(heading)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;background:#f2f3f3;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border-top:4px solid ${color};padding:2rem 2.5rem;max-width:32rem;box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{font-size:1.3rem;color:${color};margin:0 0 .75rem}</style></head>
<body><main><h1 id="result" data-result="${answer}">${escapeHtml(heading)}</h1><p>${escapeHtml(body)}</p></main></body></html>`;
}

/**
 * Starts the listener on 127.0.0.1 (`port` 0 picks a free one). Requests to other paths get 404; a
 * callback request is held open until the machine answers it.
 */
export async function startCallbackListener(port: number): Promise<CallbackListener> {
  const pending = new Map<string, ServerResponse>();
  let handler: ((callbackId: string, query: CallbackQuery) => void) | undefined;

  /** Open connections in the order they came; sockets with a callback held open are kept even past the cap. */
  const connections = new Set<Socket>();
  const busy = new WeakSet<Socket>();

  const server = createServer(
    {
      headersTimeout: LOOPBACK_LIMITS.headersTimeoutMs,
      requestTimeout: LOOPBACK_LIMITS.headersTimeoutMs * 2,
      // Node checks both timeouts only this often (30 s by default).
      connectionsCheckingInterval: 1000,
      maxHeaderSize: LOOPBACK_LIMITS.maxHeaderSize,
      keepAliveTimeout: 1000,
    },
    (req: IncomingMessage, res: ServerResponse) => handle(req, res),
  );

  // Every socket gets this inactivity timeout; a held callback's socket turns it off (see below).
  server.timeout = LOOPBACK_LIMITS.idleTimeoutMs;
  server.on("timeout", (socket: Socket) => {
    if (!busy.has(socket)) socket.destroy();
  });

  server.on("connection", (socket: Socket) => {
    connections.add(socket);
    socket.once("close", () => connections.delete(socket));
    if (connections.size <= LOOPBACK_LIMITS.maxConnections) return;
    // Drop the oldest idle one rather than refuse the newest: the real callback is likely the newest.
    for (const other of connections) {
      if (other !== socket && !busy.has(other)) {
        other.destroy();
        connections.delete(other);
        return;
      }
    }
    socket.destroy();
  });

  function refuse(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, {
      "content-type": "text/plain; charset=utf-8",
      "cache-control": "no-store",
      connection: "close",
    });
    res.end(text);
    res.once("finish", () => res.socket?.destroy());
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    if ((req.url ?? "").length > LOOPBACK_LIMITS.maxUrlLength) {
      refuse(res, 414, "URI too long\n");
      return;
    }
    // The callback is a GET without a body: a request that announces one is not it.
    const length = req.headers["content-length"];
    if ((length !== undefined && length !== "0") || req.headers["transfer-encoding"] !== undefined) {
      refuse(res, 413, "No request body is accepted here\n");
      return;
    }
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname.replace(/\/$/, "");
    if (req.method !== "GET" || path !== LOOPBACK_CALLBACK_PATH || handler === undefined) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
      res.end("Not found\n");
      return;
    }
    const id = randomUUID();
    const socket = req.socket;
    pending.set(id, res);
    // Held open until the token exchange ends, which may take longer than the idle limit.
    busy.add(socket);
    socket.setTimeout(0);
    res.on("close", () => {
      pending.delete(id);
      busy.delete(socket);
    });
    handler(id, parseAuthorizeCallback(url));
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        new AwsLoginError(
          "CALLBACK_LISTENER_FAILED",
          error.code === "EADDRINUSE"
            ? `Port ${port} on 127.0.0.1 is in use. Pick another --redirect-port, or leave it out to use a free port.`
            : `Could not listen on 127.0.0.1 for the sign-in callback (${error.code ?? error.message}). Try --remote.`,
          { cause: error },
        ),
      );
    };
    server.once("error", onError);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", onError);
      resolve();
    });
  });
  const address = server.address();
  const boundPort = typeof address === "object" && address !== null ? address.port : port;

  return {
    port: boundPort,
    onCallback(fn) {
      handler = fn;
    },
    answer(callbackId, answer, message) {
      const res = pending.get(callbackId);
      if (res === undefined) return;
      pending.delete(callbackId);
      const status = answer === "success" ? 200 : 400;
      res.writeHead(status, {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        connection: "close",
      });
      res.end(callbackPage(answer, message));
    },
    async close() {
      for (const [id, res] of pending) {
        pending.delete(id);
        if (!res.headersSent) {
          res.writeHead(410, { "content-type": "text/html; charset=utf-8", connection: "close" });
          res.end(callbackPage("not-this-login"));
        }
      }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
