/**
 * The console federation endpoint (`/federation`) and the emulated console page it signs in to: `getSigninToken`
 * turns temporary credentials the emulator issued into a short-lived, single-use sign-in token, and `login` trades
 * that token for a console session (a cookie) and a redirect to `/console/home`, which shows the principal.
 * @see docs/protocol.md §17.3 (the endpoint at AWS), §17.4 (the emulator's rules)
 */
import { randomBytes } from "node:crypto";
import { pageReply } from "./authorize.js";
import {
  constantTimeEqual,
  type EmulatorContext,
  headerValue,
  type IncomingCall,
  jsonReply,
  type Reply,
} from "./context.js";
import type { Identity } from "./identity.js";
import { consolePage, errorPage } from "./pages.js";

/** Where the federation endpoint and the emulated console live on the emulator. */
export const FEDERATION_PATH = "/federation";
export const CONSOLE_PATH = "/console/home";
const CONSOLE_COOKIE = "awslogin-emulator-console";

/** How long a sign-in token may wait for its `login` (AWS documents 15 minutes). */
export const SIGNIN_TOKEN_TTL_MS = 15 * 60 * 1000;
/** SessionDuration bounds (seconds), and the cap for role-chained credentials (every credential the emulator issues). */
const SESSION_DURATION = { min: 900, max: 43_200, chained: 3600, default: 3600 } as const;
/** Longest `Session` JSON accepted (credentials are a few hundred characters; real session tokens up to ~2 KB). */
const MAX_SESSION_CHARS = 8192;
const MAX_URL_CHARS = 2048;
/** At most this many live sign-in tokens and console sessions are remembered; the oldest go first. */
const MAX_ENTRIES = 10_000;

interface SigninToken {
  identity: Identity;
  sessionSeconds: number;
  expiresAt: number;
}

interface ConsoleSession {
  identity: Identity;
  destination: string;
  issuer: string | undefined;
  endsAt: number;
}

/** What the federation endpoint remembers: pending sign-in tokens and console sessions. In memory only. */
export class FederationStore {
  readonly tokens = new Map<string, SigninToken>();
  readonly sessions = new Map<string, ConsoleSession>();

  /** Remembers `value` under a new random key (bounded: the oldest entry goes first). */
  static add<T>(map: Map<string, T>, value: T): string {
    const key = randomBytes(48).toString("base64url");
    map.set(key, value);
    while (map.size > MAX_ENTRIES) map.delete(map.keys().next().value as string);
    return key;
  }
}

/** The federation endpoint's own settings. */
export interface FederationSettings {
  /** Whether credentials from a login session's token answer are accepted (AWS: unconfirmed; default no). */
  acceptLoginSessionCredentials: boolean;
  store: FederationStore;
}

function refused(ctx: EmulatorContext, status: number, message: string): Reply {
  ctx.stats.federation.refused += 1;
  return jsonReply(status, { message }, { "cache-control": "no-store" });
}

/** Handles `GET /federation?Action=getSigninToken|login`. */
export function handleFederation(ctx: EmulatorContext, call: IncomingCall): Reply {
  if (call.method !== "GET") return refused(ctx, 405, "Use GET.");
  const params = call.url.searchParams;
  const action = params.get("Action");
  if (action === "getSigninToken") return getSigninToken(ctx, params);
  if (action === "login") return login(ctx, params);
  return refused(ctx, 400, "Action must be getSigninToken or login.");
}

/** `Session` → the credentials it names, checked against what the emulator issued. */
function getSigninToken(ctx: EmulatorContext, params: URLSearchParams): Reply {
  const text = params.get("Session") ?? "";
  if (text === "" || text.length > MAX_SESSION_CHARS) {
    return refused(ctx, 400, `Session must be a JSON object of at most ${MAX_SESSION_CHARS} characters.`);
  }
  let session: unknown;
  try {
    session = JSON.parse(text);
  } catch {
    return refused(ctx, 400, "Session is not valid JSON.");
  }
  const fields = ["sessionId", "sessionKey", "sessionToken"] as const;
  if (
    typeof session !== "object" ||
    session === null ||
    Array.isArray(session) ||
    !fields.every((f) => typeof (session as Record<string, unknown>)[f] === "string")
  ) {
    return refused(ctx, 400, "Session must hold sessionId, sessionKey and sessionToken strings.");
  }
  const { sessionId, sessionKey, sessionToken } = session as Record<(typeof fields)[number], string>;
  const now = ctx.now();
  const issued = ctx.state.credentials.get(sessionId);
  // One answer for every credential problem, as a credential oracle would otherwise tell which part was right.
  if (
    issued === undefined ||
    !constantTimeEqual(issued.secretAccessKey, sessionKey) ||
    !constantTimeEqual(issued.sessionToken, sessionToken) ||
    now >= issued.expiresAt
  ) {
    return refused(ctx, 403, "The credentials in Session are invalid or expired.");
  }
  if (issued.origin === "login-session" && !ctx.federation.acceptLoginSessionCredentials) {
    return refused(
      ctx,
      403,
      "Console sign-in takes credentials from STS AssumeRole or GetFederationToken, not a login session's own credentials.",
    );
  }
  let sessionSeconds: number = SESSION_DURATION.default;
  const duration = params.get("SessionDuration");
  if (duration !== null) {
    sessionSeconds = /^\d{1,6}$/.test(duration) ? Number(duration) : Number.NaN;
    if (!(sessionSeconds >= SESSION_DURATION.min && sessionSeconds <= SESSION_DURATION.max)) {
      return refused(
        ctx,
        400,
        `SessionDuration must be from ${SESSION_DURATION.min} to ${SESSION_DURATION.max} seconds.`,
      );
    }
    if (sessionSeconds > SESSION_DURATION.chained) {
      return refused(
        ctx,
        400,
        `SessionDuration may be at most ${SESSION_DURATION.chained} seconds for role-chained credentials.`,
      );
    }
  }
  const token = FederationStore.add(ctx.federation.store.tokens, {
    identity: issued.identity,
    sessionSeconds,
    expiresAt: now + SIGNIN_TOKEN_TTL_MS,
  });
  ctx.stats.federation.signinTokens += 1;
  return jsonReply(200, { SigninToken: token }, { "cache-control": "no-store" });
}

/** An https URL of at most MAX_URL_CHARS characters, without credentials in it; undefined otherwise. */
function httpsUrl(value: string | null): string | undefined {
  if (value === null || value.length > MAX_URL_CHARS) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === "https:" && url.username === "" && url.password === "" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** `SigninToken` (single use) → a console session cookie and a redirect to the emulated console. */
function login(ctx: EmulatorContext, params: URLSearchParams): Reply {
  const problem = (text: string) => {
    ctx.stats.federation.refused += 1;
    return pageReply(400, errorPage("Console sign-in failed", [text]));
  };
  const tokenValue = params.get("SigninToken") ?? "";
  const token = ctx.federation.store.tokens.get(tokenValue);
  // Single use: gone whatever happens next, a refused login included (a leaked URL is worth one try).
  ctx.federation.store.tokens.delete(tokenValue);
  const now = ctx.now();
  if (token === undefined || now >= token.expiresAt) {
    return problem("The sign-in token is invalid, used or expired. Ask for a new one.");
  }
  const destination = httpsUrl(params.get("Destination"));
  if (destination === undefined) return problem("Destination must be an https URL of the console.");
  const issuerParam = params.get("Issuer");
  if (issuerParam !== null && issuerParam.length > MAX_URL_CHARS) return problem("Issuer is too long.");
  const cookie = FederationStore.add(ctx.federation.store.sessions, {
    identity: token.identity,
    destination,
    issuer: issuerParam ?? undefined,
    endsAt: now + token.sessionSeconds * 1000,
  });
  ctx.stats.federation.logins += 1;
  return {
    status: 302,
    headers: {
      location: `${ctx.url}${CONSOLE_PATH}`,
      "cache-control": "no-store",
      "set-cookie": `${CONSOLE_COOKIE}=${cookie}; Path=/console; HttpOnly; SameSite=Lax; Max-Age=${token.sessionSeconds}`,
    },
    body: "",
    note: "console login",
  };
}

/** `GET /console/home`: the emulated console of the session in the cookie. */
export function handleConsole(ctx: EmulatorContext, call: IncomingCall): Reply {
  const cookies = headerValue(call, "cookie") ?? "";
  const value = cookies
    .split(";")
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${CONSOLE_COOKIE}=`))
    ?.slice(CONSOLE_COOKIE.length + 1);
  const session = value === undefined ? undefined : ctx.federation.store.sessions.get(value);
  if (session === undefined || ctx.now() >= session.endsAt) {
    return pageReply(
      401,
      errorPage("Not signed in", ["Sign in to the console through the federation endpoint."]),
    );
  }
  return pageReply(
    200,
    consolePage({
      arn: session.identity.arn,
      accountId: session.identity.accountId,
      destination: session.destination,
      endsAt: new Date(session.endsAt).toISOString(),
    }),
  );
}
