/**
 * `GET /v1/authorize` (AuthorizeOAuth2Access), the sign-in decision it leads to, and the
 * cross-device confirmation page.
 * @see docs/protocol.md §2.2 (parameters), §3 (cross-device), RFC 6749 §4.1.1–§4.1.2, RFC 7636 §4.3
 */
import { CLIENT_ID, LOOPBACK_CALLBACK_PATH, PKCE_METHOD, SIGNIN_PATH } from "@awslogin/core";
import type { EmulatorContext, IncomingCall, Reply } from "./context.js";
import type { Identity } from "./identity.js";
import { confirmationErrorPage, confirmationPage, errorPage, signInPage } from "./pages.js";
import type { AuthorizeRequest } from "./state.js";

/** Where the sign-in form posts the person's decision. */
export const DECISION_PATH = `${SIGNIN_PATH.authorize}/decision`;

/** How long a sign-in page stays answerable. */
export const PENDING_SIGN_IN_TTL_MS = 10 * 60 * 1000;

const REQUIRED = [
  "response_type",
  "client_id",
  "state",
  "code_challenge_method",
  "scope",
  "redirect_uri",
  "code_challenge",
] as const;
const LOOPBACK_REDIRECT = new RegExp(
  `^http://127\\.0\\.0\\.1:([0-9]{1,5})${LOOPBACK_CALLBACK_PATH.replaceAll("/", "\\/")}/?$`,
);
const CHALLENGE = /^[A-Za-z0-9\-._~]{43,128}$/;

/** Reply headers for every HTML page: never cached, never framed, no referrer (codes travel in URLs). */
export function pageReply(status: number, html: string, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...headers },
    body: html,
  };
}

function redirectReply(location: string, note: string): Reply {
  return { status: 302, headers: { location, "cache-control": "no-store" }, body: "", note };
}

/** `base` with query parameters appended. */
function withQuery(base: string, params: Record<string, string>): string {
  const query = new URLSearchParams(params).toString();
  return `${base}${base.includes("?") ? "&" : "?"}${query}`;
}

/** The confirmation URL the cross-device flow must name as redirect_uri. */
export function confirmationUrl(ctx: EmulatorContext): string {
  return `${ctx.url}${SIGNIN_PATH.confirmation}`;
}

/** Validates the authorize parameters; returns the request or every problem found. */
export function validateAuthorize(
  ctx: EmulatorContext,
  call: IncomingCall,
): { request: AuthorizeRequest } | { problems: string[] } {
  const params = call.url.searchParams;
  const problems: string[] = [];
  const value = (name: string): string | undefined => {
    const all = params.getAll(name);
    if (all.length > 1) problems.push(`The parameter ${name} appears more than once.`);
    return all[0];
  };
  const got: Record<string, string | undefined> = {};
  for (const name of REQUIRED) {
    got[name] = value(name);
    if (got[name] === undefined || got[name] === "") problems.push(`The parameter ${name} is missing.`);
  }
  const { response_type, client_id, state, code_challenge_method, scope, redirect_uri, code_challenge } = got;
  if (response_type && response_type !== "code") problems.push('response_type must be "code".');
  let flow: AuthorizeRequest["flow"] | undefined;
  if (client_id === CLIENT_ID.sameDevice) flow = "same-device";
  else if (client_id === CLIENT_ID.crossDevice) flow = "cross-device";
  else if (client_id) problems.push(`client_id must be ${CLIENT_ID.sameDevice} or ${CLIENT_ID.crossDevice}.`);
  if (code_challenge_method && code_challenge_method !== PKCE_METHOD) {
    problems.push(`code_challenge_method must be "${PKCE_METHOD}".`);
  }
  if (code_challenge && !CHALLENGE.test(code_challenge)) {
    problems.push(
      "code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (base64url, no padding).",
    );
  }
  if (scope && scope !== "openid") problems.push('scope must be "openid".');
  if (state && state.length > 2048) problems.push("state must be at most 2048 characters.");
  if (redirect_uri) {
    const loopback = LOOPBACK_REDIRECT.exec(redirect_uri);
    const port = loopback ? Number(loopback[1]) : 0;
    const isLoopback = loopback !== null && port >= 1 && port <= 65535;
    const isConfirmation = redirect_uri === confirmationUrl(ctx);
    if (flow === "same-device" && !isLoopback) {
      problems.push(
        `redirect_uri must be http://127.0.0.1:PORT${LOOPBACK_CALLBACK_PATH} for ${CLIENT_ID.sameDevice}; no code is sent anywhere else.`,
      );
    } else if (flow === "cross-device" && !isConfirmation) {
      problems.push(
        `redirect_uri must be ${confirmationUrl(ctx)} for ${CLIENT_ID.crossDevice}; no code is sent anywhere else.`,
      );
    } else if (flow === undefined && !isLoopback && !isConfirmation) {
      problems.push("redirect_uri is not an address this service sends codes to.");
    }
  }
  if (problems.length > 0 || !flow) return { problems };
  return {
    request: {
      clientId: client_id!,
      redirectUri: redirect_uri!,
      state: state!,
      codeChallenge: code_challenge!,
      scope: scope!,
      flow,
      userAgent: call.userAgent,
      sourceIp: call.sourceIp,
      host: call.host,
    },
  };
}

function recordAuthorize(
  ctx: EmulatorContext,
  call: IncomingCall,
  request: AuthorizeRequest,
  identity: Identity | undefined,
  error?: { code: string; message: string },
): void {
  ctx.events.record({
    eventName: "AuthorizeOAuth2Access",
    time: ctx.now(),
    identity,
    sourceIp: request.sourceIp,
    userAgent: request.userAgent,
    host: request.host || call.host,
    requestId: call.requestId,
    requestParameters: {
      scope: request.scope,
      redirect_uri: request.redirectUri,
      code_challenge_method: PKCE_METHOD,
      client_id: request.clientId,
    },
    error,
  });
}

/** Issues a code for `identity` and sends the browser to the redirect URI with code and state. */
function approve(
  ctx: EmulatorContext,
  call: IncomingCall,
  request: AuthorizeRequest,
  identity: Identity,
): Reply {
  const code = ctx.state.issueCode({
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    identity,
    expiresAt: ctx.now() + ctx.codeTtlMs,
  });
  ctx.stats.authorize.approved += 1;
  recordAuthorize(ctx, call, request, identity);
  return redirectReply(
    withQuery(request.redirectUri, { code, state: request.state }),
    `approved (${request.flow})`,
  );
}

/** Handles `GET /v1/authorize`. */
export function handleAuthorize(ctx: EmulatorContext, call: IncomingCall): Reply {
  ctx.stats.authorize.requests += 1;
  ctx.state.sweep(ctx.now());
  const checked = validateAuthorize(ctx, call);
  if ("problems" in checked) {
    ctx.stats.authorize.rejected += 1;
    return {
      ...pageReply(400, errorPage("This sign-in request is not valid", checked.problems)),
      note: "rejected",
    };
  }
  const { request } = checked;
  if (ctx.autoApprove) return approve(ctx, call, request, ctx.identities[0]!);
  const requestId = ctx.state.addPending(request, ctx.now() + PENDING_SIGN_IN_TTL_MS);
  return {
    ...pageReply(
      200,
      signInPage({
        requestId,
        clientId: request.clientId,
        redirectUri: request.redirectUri,
        identities: ctx.identities,
        decisionPath: DECISION_PATH,
      }),
    ),
    note: "sign-in page",
  };
}

/** Handles `POST /v1/authorize/decision` (the sign-in form). */
export function handleDecision(ctx: EmulatorContext, call: IncomingCall): Reply {
  const form = new URLSearchParams(call.body.toString("utf8"));
  const requestId = form.get("request_id") ?? "";
  const action = form.get("action") ?? "approve";
  const pending = ctx.state.pending.get(requestId);
  if (!pending || pending.expiresAt <= ctx.now()) {
    ctx.state.pending.delete(requestId);
    return pageReply(
      400,
      errorPage("This sign-in request is no longer valid", [
        "It was already answered, or it expired. Start the sign-in again from your terminal.",
      ]),
    );
  }
  const { request } = pending;
  const identity = ctx.identities.find((candidate) => candidate.arn === form.get("identity"));
  if (action === "cancel") {
    ctx.state.pending.delete(requestId);
    ctx.stats.authorize.denied += 1;
    const description = "The user cancelled the sign-in.";
    recordAuthorize(ctx, call, request, identity, { code: "AccessDenied", message: description });
    return redirectReply(
      withQuery(request.redirectUri, {
        error: "access_denied",
        error_description: description,
        state: request.state,
      }),
      "cancelled",
    );
  }
  if (action !== "approve" || !identity) {
    return pageReply(
      400,
      errorPage("Choose an identity", ["Go back, choose one of the identities and press Continue."]),
    );
  }
  ctx.state.pending.delete(requestId);
  return approve(ctx, call, request, identity);
}

/** `base64("state=…&code=…")`, standard alphabet with padding. @see docs/protocol.md §3 */
export function verificationCode(state: string, code: string): string {
  const query = `state=${encodeURIComponent(state)}&code=${encodeURIComponent(code)}`;
  return Buffer.from(query, "utf8").toString("base64");
}

/** Handles `GET /v1/sessions/confirmation`: shows the code to paste, or why there is none. */
export function handleConfirmation(_ctx: EmulatorContext, call: IncomingCall): Reply {
  const params = call.url.searchParams;
  const error = params.get("error");
  if (error) {
    return pageReply(200, confirmationErrorPage(error, params.get("error_description") ?? ""), {
      "referrer-policy": "no-referrer",
    });
  }
  const code = params.get("code");
  const state = params.get("state");
  if (!code || !state) {
    return pageReply(
      400,
      errorPage("Nothing to confirm", [
        "This page shows the code of a cross-device sign-in; open it through a sign-in.",
      ]),
    );
  }
  return pageReply(200, confirmationPage(verificationCode(state, code)));
}
