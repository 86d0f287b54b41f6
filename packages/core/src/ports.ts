/**
 * Every port through which core's drivers reach the outside world: time, randomness, HTTP, the token cache, the
 * config file, the session lock, the browser, the loopback listener and the person at the terminal. The system
 * implementations live in `src/node/` (`node/system.ts` for the clock and randomness); tests inject fakes
 * (`src/testing/`). Nothing in core outside `src/node/` touches fs, net, http, env, timers or the clock.
 */
import type { AwsLoginError } from "./errors.js";
import type { CallbackAnswer, CallbackQuery } from "./machines/login.js";
import type { LoginFlow } from "./protocol.js";
import type { TokenCacheRecord } from "./token-cache.js";

/**
 * Time. `now()` is milliseconds since the epoch; `sleep()` is the only way a driver waits (the login's tick, the
 * lock's poll, the refresh deadline, retry back-off), so a fake clock decides when every wait ends.
 */
export interface Clock {
  /** The current time in milliseconds since the Unix epoch (as `Date.now()`). */
  now(): number;
  /**
   * Resolves after `ms` milliseconds; rejects with `signal.reason` as soon as `signal` aborts (at once when it
   * already has), and then leaves no timer behind.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Randomness: `bytes(n)` returns n cryptographically random bytes. Everything random goes through it: PKCE
 * verifier and state, DPoP `jti`, back-off jitter and the DPoP key itself (`generateDpopKey(random)`).
 */
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

/** One file of the cache directory, for `status` and `logout --all`: a record, or why it could not be read. @see docs/protocol.md §6, §7 */
export interface TokenStoreEntry {
  /** The file's absolute path. */
  path: string;
  /** The record, when the file could be parsed. */
  record?: TokenCacheRecord;
  /** Why it could not be (CACHE_MALFORMED), when it could not. */
  error?: AwsLoginError;
}

/** Reads and writes login token cache records keyed by login session. @see docs/protocol.md §6 */
export interface TokenStore {
  /** The cache directory. */
  readonly directory: string;
  /** `<directory>/<sha256(loginSession)>.json`. */
  pathFor(loginSession: string): string;
  /** The record, or undefined when the file does not exist; CACHE_MALFORMED when it cannot be used. Never writes. */
  read(loginSession: string): Promise<TokenCacheRecord | undefined>;
  /** The file's text as stored, or undefined when it does not exist. */
  readText?(loginSession: string): Promise<string | undefined>;
  /** Replaces the record atomically (0600 file, 0700 directory); CACHE_WRITE_FAILED leaves the old file intact. */
  write(loginSession: string, record: TokenCacheRecord): Promise<void>;
  /**
   * Called under the session's lock before a refresh: a writer that died (or hit a full disk) between writing its
   * temp file whole and the rename may have left the only copy of a rotated refresh token. A complete temp record
   * of the same session, newer than the file, is renamed into place (true); the other temp files are removed.
   */
  adoptPending?(loginSession: string): Promise<boolean>;
  /** Deletes the file; false when there was none. */
  remove(loginSession: string): Promise<boolean>;
  /** The login-token-shaped `*.json` files, and the `*.json` files that are not valid JSON, sorted by path. */
  list(): Promise<TokenStoreEntry[]>;
}

/** Takes the inter-process lock of a login session; resolves to its release function. */
export type LockSession = (loginSession: string, signal?: AbortSignal) => Promise<() => Promise<void>>;

/** A started loopback listener for the same-device flow. */
export interface CallbackListener {
  /** The port it listens on (the redirect URI's), chosen by the system when 0 was asked for. */
  readonly port: number;
  /** Register the one handler that receives every request to the callback path. */
  onCallback(handler: (callbackId: string, query: CallbackQuery) => void): void;
  /** Answer the browser request `callbackId` with a small page. */
  answer(callbackId: string, answer: CallbackAnswer, message?: string): void;
  /** Stops listening and ends open connections; the login calls it once, however it ends. */
  close(): Promise<void>;
}

/** Starts a loopback listener on 127.0.0.1 (port 0 = any free port). */
export type StartCallbackListener = (port: number) => Promise<CallbackListener>;

/** Opens a URL in a browser. */
export interface BrowserOpener {
  /**
   * Starts the browser (or the platform's opener) on `url`; resolves false when none could be started. An opener
   * that starts and then fails at once (a headless `xdg-open` exits with an error) is reported to `onFailed`.
   */
  open(url: string, onFailed?: () => void): Promise<boolean>;
}

/** What the login shows the person at the terminal. */
export interface LoginUi {
  /** The URL to open (always shown); `opened` says whether a browser was started. */
  showAuthorizeUrl(url: string, flow: LoginFlow, opened: boolean | undefined): void;
  /** Waiting for the callback starts (true) or ends (false): a spinner. */
  waiting(active: boolean): void;
  /** Ask for the cross-device code; `problem` explains why the last one was refused. */
  promptCode?(problem: AwsLoginError | undefined, signal: AbortSignal): Promise<string>;
  /**
   * While the same-device flow waits, let the person switch to a cross-device authorization (e.g. by
   * pressing Enter): call `start` to begin it. Both then race; the first to complete wins.
   */
  offerRemote?(start: () => void, signal: AbortSignal): void;
  /** The browser opener started but failed at once, after the URL was shown as opening: say so, and how to go on. */
  browserFailed?(url: string): void;
}

/** Text-file access to the shared config file. */
export interface ConfigStore {
  /** The config file's path, reported in the login's result and in errors. */
  readonly path: string;
  /** The file's text; "" when it does not exist yet. */
  read(): Promise<string>;
  /** Replaces the file's text (atomically, keeping its mode, in the Node adapter); CONFIG_WRITE_FAILED on failure. */
  write(text: string): Promise<void>;
  /**
   * Read-modify-write under an inter-process lock, `edit` seeing the text read inside it, so that concurrent
   * logins to different profiles all land. Without it, read then write (one process at a time only).
   */
  update?(edit: (text: string) => string): Promise<void>;
  /** The credentials file's section of that name, which the SDKs merge over the config's profile. */
  readCredentialsSection?(profile: string): Promise<Record<string, string | undefined> | undefined>;
  /** The credentials file's path, named in errors about what it sets. */
  readonly credentialsPath?: string;
}

/** Yes/no questions; `isInteractive` false means there is nobody to ask. */
export interface Prompt {
  /** False when nobody can answer (no terminal): the login then refuses what it would have asked about. */
  readonly isInteractive: boolean;
  /** Asks `question` and resolves true for yes; only called when {@link Prompt.isInteractive} is true. */
  confirm(question: string): Promise<boolean>;
}

/** Asks a person for an MFA device's current code (a role profile with `mfa_serial`). */
export interface MfaPrompt {
  /** False when nobody can answer (no terminal): the role is then refused with MFA_CODE_REQUIRED. */
  readonly isInteractive: boolean;
  /** Asks `question` and resolves the code typed; only called when {@link MfaPrompt.isInteractive} is true. */
  askCode(question: string): Promise<string>;
}
