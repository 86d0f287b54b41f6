/**
 * HTTP routing of the emulator (node:http only): reads bodies, dispatches to the handlers, writes
 * answers or drops connections, and logs one line per request without secrets.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { SIGNIN_PATH } from "@awslogin/core";
import {
  DECISION_PATH,
  handleAuthorize,
  handleConfirmation,
  handleDecision,
  pageReply,
} from "./authorize.js";
import { type EmulatorContext, type IncomingCall, jsonReply, type Reply } from "./context.js";
import { controlCallProblem } from "./control-guard.js";
import { describeFaultProblem, type FaultSpec } from "./faults.js";
import { CONSOLE_PATH, FEDERATION_PATH, handleConsole, handleFederation } from "./federation.js";
import { indexPage, PAGE_CSP } from "./pages.js";
import { handleSts } from "./sts.js";
import { handleToken } from "./token.js";

/** Bodies larger than this are refused without being read further. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Paths of the emulator's own control endpoints. */
export const ADMIN_PATH = {
  index: "/__emulator",
  stats: "/__emulator/stats",
  events: "/__emulator/events",
  faults: "/__emulator/faults",
  jwks: "/__emulator/jwks.json",
} as const;

interface ServerDeps {
  /** Resolved once the server listens (handlers need the URL). */
  context: () => EmulatorContext;
  logger?: (line: string) => void;
  jwks: unknown;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function notFound(): Reply {
  return jsonReply(
    404,
    { message: "No such endpoint on the AWS Sign-In emulator. GET / lists the endpoints." },
    { "x-amzn-errortype": "UnknownOperationException" },
  );
}

function methodNotAllowed(allow: string): Reply {
  return jsonReply(405, { message: `Use ${allow}.` }, { allow });
}

function handleFaults(ctx: EmulatorContext, call: IncomingCall): Reply {
  if (call.method === "DELETE") {
    ctx.faults.clear();
    return { status: 204, note: "faults cleared" };
  }
  if (call.method === "GET") return jsonReply(200, { pending: ctx.faults.pending });
  let spec: unknown;
  try {
    spec = JSON.parse(call.body.toString("utf8"));
  } catch {
    return jsonReply(400, { message: "The fault must be a JSON object." });
  }
  const problem = describeFaultProblem(spec);
  if (problem) return jsonReply(400, { message: problem });
  ctx.faults.add(spec as FaultSpec);
  return { status: 204, note: "fault added" };
}

/** A copy of the counters, with the fault queue's current numbers. */
export function snapshotStats(ctx: EmulatorContext): EmulatorContext["stats"] {
  const stats = structuredClone(ctx.stats);
  stats.faults = { applied: ctx.faults.applied, pending: ctx.faults.pending };
  return stats;
}

async function route(ctx: EmulatorContext, call: IncomingCall, jwks: unknown): Promise<Reply> {
  const path = call.url.pathname;
  const { method } = call;
  if (path === ADMIN_PATH.index || path.startsWith(`${ADMIN_PATH.index}/`)) {
    const problem = controlCallProblem(call, ctx.url);
    if (problem !== undefined) return jsonReply(403, { message: problem }, { vary: "origin" });
  }
  switch (path) {
    case SIGNIN_PATH.authorize:
      return method === "GET" ? handleAuthorize(ctx, call) : methodNotAllowed("GET");
    case DECISION_PATH:
      return method === "POST" ? handleDecision(ctx, call) : methodNotAllowed("POST");
    case SIGNIN_PATH.confirmation:
      return method === "GET" ? handleConfirmation(ctx, call) : methodNotAllowed("GET");
    case SIGNIN_PATH.token:
      return method === "POST" ? handleToken(ctx, call) : methodNotAllowed("POST");
    case "/":
      if (method === "POST" || (method === "GET" && call.url.searchParams.has("Action")))
        return handleSts(ctx, call);
      return method === "GET" ? indexReply(ctx) : methodNotAllowed("GET, POST");
    case FEDERATION_PATH:
      return handleFederation(ctx, call);
    case CONSOLE_PATH:
      return method === "GET" ? handleConsole(ctx, call) : methodNotAllowed("GET");
    case ADMIN_PATH.index:
      return method === "GET" ? indexReply(ctx) : methodNotAllowed("GET");
    case ADMIN_PATH.stats:
      return method === "GET" ? jsonReply(200, snapshotStats(ctx)) : methodNotAllowed("GET");
    case ADMIN_PATH.events:
      return method === "GET" ? jsonReply(200, ctx.events.list()) : methodNotAllowed("GET");
    case ADMIN_PATH.faults:
      return ["GET", "POST", "DELETE"].includes(method)
        ? handleFaults(ctx, call)
        : methodNotAllowed("GET, POST, DELETE");
    case ADMIN_PATH.jwks:
      return method === "GET" ? jsonReply(200, jwks) : methodNotAllowed("GET");
    case "/favicon.ico":
      return { status: 204 };
    default:
      return notFound();
  }
}

function indexReply(ctx: EmulatorContext): Reply {
  return pageReply(
    200,
    indexPage({
      url: ctx.url,
      region: ctx.region,
      identities: ctx.identities,
      autoApprove: ctx.autoApprove,
      expiresIn: ctx.expiresIn,
      sessionDuration: ctx.sessionDurationMs / 1000,
    }),
  );
}

function send(
  res: ServerResponse,
  reply: Exclude<Reply, { drop: true }>,
  requestId: string,
  now: number,
): void {
  // The Date header follows the emulator's clock, so a skewed `now` shows up as clock skew (awslogin doctor).
  const headers: Record<string, string> = {
    date: new Date(now).toUTCString(),
    "x-amzn-requestid": requestId,
    ...reply.headers,
  };
  if (headers["content-type"]?.startsWith("text/html")) {
    headers["content-security-policy"] = PAGE_CSP;
    headers["x-frame-options"] = "DENY";
    headers["x-content-type-options"] = "nosniff";
    headers["referrer-policy"] = "no-referrer";
  }
  res.writeHead(reply.status, headers);
  res.end(reply.body ?? "");
}

/** Creates the HTTP server. It does not listen yet. */
export function createEmulatorServer(deps: ServerDeps): Server {
  return createServer(async (req, res) => {
    const started = Date.now();
    const requestId = randomUUID();
    const ctx = deps.context();
    let pathname = "?";
    let reply: Reply;
    try {
      const url = new URL(req.url ?? "/", ctx.url);
      pathname = url.pathname;
      const body = await readBody(req);
      const call: IncomingCall = {
        method: req.method ?? "GET",
        url,
        headers: req.headers,
        body,
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: req.headers["user-agent"] ?? "",
        host: req.headers.host ?? "",
        requestId,
      };
      reply = await route(ctx, call, deps.jwks);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        reply = jsonReply(413, { message: `Request bodies are limited to ${MAX_BODY_BYTES} bytes.` });
      } else {
        reply = {
          ...jsonReply(
            500,
            { error: "server_error", message: "The emulator failed to handle the request." },
            { "x-amzn-errortype": "InternalServerException" },
          ),
          note: `internal error: ${(error as Error).name}`,
        };
      }
    }
    const elapsed = Date.now() - started;
    if (reply.drop) {
      req.socket.destroy();
      deps.logger?.(`${req.method} ${pathname} dropped ${elapsed}ms${reply.note ? ` ${reply.note}` : ""}`);
      return;
    }
    if (res.destroyed) return;
    send(res, reply, requestId, ctx.now());
    deps.logger?.(
      `${req.method} ${pathname} ${reply.status} ${elapsed}ms${reply.note ? ` ${reply.note}` : ""}`,
    );
  });
}
