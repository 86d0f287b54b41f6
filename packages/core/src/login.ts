/**
 * The login driver: runs the pure login machine against injected ports (listener, browser, prompt,
 * transport, token store, config store), then stores the session the way `aws login` does: cache file
 * first, then the profile's `login_session`.
 * @see docs/protocol.md §2–§7
 */
import { createAuthorizationAttempt } from "./attempt.js";
import { decodeVerificationCode } from "./authorize.js";
import {
  assertLoginCapableProfile,
  assertSdkReadableConfig,
  assertWritableProfileName,
  getProfile,
  mergeProfile,
  parseConfigFile,
  setProfileValues,
} from "./config.js";
import { type DpopKey, exportDpopKeyPem, generateDpopKey } from "./dpop.js";
import { AwsLoginError } from "./errors.js";
import {
  type AuthorizationAttempt,
  initialLoginState,
  isFinal,
  type LoginEffect,
  type LoginEvent,
  type LoginState,
  transitionLogin,
} from "./machines/login.js";
import type {
  BrowserOpener,
  CallbackListener,
  Clock,
  ConfigStore,
  LoginUi,
  Prompt,
  Random,
  StartCallbackListener,
  TokenStore,
  Transport,
} from "./ports.js";
import { hasUnprintable, printable } from "./printable.js";
import type { LoginFlow } from "./protocol.js";
import {
  accountIdFromArn,
  authorizationCodeRequest,
  decodeIdTokenSubject,
  type TokenResponse,
} from "./token.js";
import { createTokenCacheRecord, type TokenCacheRecord } from "./token-cache.js";
import { requestToken } from "./token-client.js";

/** A profile as the SDKs see it, from the config file's text and the credentials file's section. */
async function mergedProfileOf(
  config: ConfigStore,
  configText: string,
  profile: string,
): Promise<Record<string, string | undefined> | undefined> {
  return mergeProfile(
    getProfile(parseConfigFile(configText), profile),
    await config.readCredentialsSection?.(profile),
  );
}

/** The ports the sign-in itself runs through: browser, listener, terminal, HTTP, time and randomness. */
export interface AuthorizeDeps {
  /** Deadlines of the attempt and the `iat` of DPoP proofs. */
  clock: Clock;
  /** PKCE verifiers, OAuth `state` and DPoP `jti`. */
  random: Random;
  /** The token request (`CreateOAuth2Token`). */
  transport: Transport;
  /** Opens the authorize URL (same-device flow, unless `openBrowser` is false). */
  browser: BrowserOpener;
  /** What the person at the terminal sees and answers. */
  ui: LoginUi;
  /** Starts the loopback listener of the same-device flow. */
  startListener: StartCallbackListener;
}

export interface AuthorizeOptions {
  flow: LoginFlow;
  /** Scheme and authority of the Sign-In endpoint (authorize URL, cross-device redirect). */
  baseUrl: string;
  /** Full token URL (DPoP `htu`). */
  tokenUrl: string;
  timeoutMs: number;
  /** False: print the URL only (`--no-browser`). */
  openBrowser: boolean;
  redirectPort?: number;
  dpopKey: DpopKey;
  profile?: string;
  signal?: AbortSignal;
}

export interface AuthorizeResult {
  attempt: AuthorizationAttempt;
  tokenResponse: TokenResponse;
}

/** How often the login machine is told the time while it waits (its timeout is checked on each tick). */
const TICK_MS = 250;

/**
 * Runs the authorization (browser or pasted code) and the code exchange. Writes nothing.
 * @see docs/protocol.md §2, §3, §4.1
 */
export async function authorizeAndExchange(
  deps: AuthorizeDeps,
  options: AuthorizeOptions,
): Promise<AuthorizeResult> {
  const events: LoginEvent[] = [];
  let wake: (() => void) | undefined;
  const push = (event: LoginEvent) => {
    events.push(event);
    wake?.();
  };
  // Aborted when waiting ends (a code is being exchanged, or the login is over); replaced when waiting
  // resumes after a refused pasted code, so the prompt can be asked again.
  let stop = new AbortController();
  let listener: CallbackListener | undefined;
  /** The browser being started; the URL is shown once it is known whether it started. */
  let opening: Promise<void> | undefined;
  let tokenResponse: TokenResponse | undefined;
  let state: LoginState = initialLoginState;
  const onAbort = () => push({ type: "cancel" });
  options.signal?.addEventListener("abort", onAbort, { once: true });

  try {
    if (options.flow === "same-device") {
      listener = await deps.startListener(options.redirectPort ?? 0);
      listener.onCallback((callbackId, query) => push({ type: "callback", callbackId, query }));
    }
    const attempt = createAuthorizationAttempt({
      flow: options.flow,
      baseUrl: options.baseUrl,
      random: deps.random,
      ...(listener ? { port: listener.port } : {}),
    });
    push({ type: "start", attempt, timeoutMs: options.timeoutMs });
    const ticking = new AbortController();
    const ticker = tick(ticking.signal);
    try {
      while (!isFinal(state)) {
        const event = events.shift();
        if (event === undefined) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
          continue;
        }
        const next = transitionLogin(state, event, deps.clock.now());
        state = next.state;
        for (const effect of next.effects) {
          await runEffect(effect);
        }
      }
    } finally {
      ticking.abort();
      await ticker;
      await opening;
      deps.ui.waiting(false);
    }
    if (state.name === "failed") throw state.error;
    if (state.name !== "done" || tokenResponse === undefined) {
      throw new AwsLoginError("BAD_RESPONSE", "The login ended without a token. Run the login again.");
    }
    return { attempt: state.attempt, tokenResponse };
  } finally {
    stop.abort();
    options.signal?.removeEventListener("abort", onAbort);
    await listener?.close();
  }

  /** The machine's clock tick (it decides the timeout from `now`): one per {@link TICK_MS} of the injected clock. */
  async function tick(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await deps.clock.sleep(TICK_MS, signal);
      } catch {
        return; // the login is over
      }
      push({ type: "tick" });
    }
  }

  async function runEffect(effect: LoginEffect): Promise<void> {
    switch (effect.type) {
      case "open-browser": {
        const signal = stop.signal;
        const show = (opened: boolean | undefined) => {
          deps.ui.showAuthorizeUrl(effect.url, "same-device", opened);
          // The sign-in may have completed while the opener was watched: then there is nothing to wait for.
          if (signal.aborted) return;
          deps.ui.offerRemote?.(startRemote, signal);
          deps.ui.waiting(true);
        };
        if (!options.openBrowser) {
          show(undefined);
          return;
        }
        const failed = () => {
          if (signal.aborted) return;
          deps.ui.waiting(false);
          deps.ui.browserFailed?.(effect.url);
          deps.ui.waiting(true);
        };
        // Not awaited: callbacks are handled while the opener starts.
        opening = deps.browser.open(effect.url, failed).then(show, () => show(false));
        return;
      }
      case "prompt-code":
        if (effect.problem === undefined)
          deps.ui.showAuthorizeUrl(effect.attempt.authorizeUrl, "cross-device", undefined);
        askForCode(effect.problem);
        return;
      case "answer-callback":
        listener?.answer(effect.callbackId, effect.answer, effect.message);
        return;
      case "stop-waiting":
        deps.ui.waiting(false);
        stop.abort();
        return;
      case "resume-waiting":
        if (stop.signal.aborted) stop = new AbortController();
        return;
      case "exchange":
        exchange(effect.attempt, effect.code);
        return;
    }
  }

  function startRemote(): void {
    if (stop.signal.aborted) return;
    deps.ui.waiting(false);
    push({
      type: "add-attempt",
      attempt: createAuthorizationAttempt({
        flow: "cross-device",
        baseUrl: options.baseUrl,
        random: deps.random,
      }),
    });
  }

  function askForCode(problem: AwsLoginError | undefined): void {
    const promptCode = deps.ui.promptCode;
    if (promptCode === undefined) {
      push({
        type: "exchange-failed",
        error: new AwsLoginError("NO_TERMINAL", "The cross-device login needs a way to read the code."),
      });
      return;
    }
    const signal = stop.signal;
    promptCode(problem, signal).then(
      (text) => {
        try {
          const { state: pastedState, code } = decodeVerificationCode(text);
          push({ type: "code-pasted", state: pastedState, code });
        } catch (error) {
          push({ type: "paste-invalid", error: asLoginError(error) });
        }
      },
      () => {
        if (!signal.aborted) {
          push({
            type: "cancel",
            reason: "The input ended before a code was entered. Run the login again and paste the code.",
          });
        }
      },
    );
  }

  function exchange(attempt: AuthorizationAttempt, code: string): void {
    requestToken({
      transport: deps.transport,
      tokenUrl: options.tokenUrl,
      body: authorizationCodeRequest({
        clientId: attempt.clientId,
        code,
        codeVerifier: attempt.codeVerifier,
        redirectUri: attempt.redirectUri,
      }),
      dpopKey: options.dpopKey,
      clock: deps.clock,
      random: deps.random,
      grant: "authorization_code",
      ...(options.profile === undefined ? {} : { profile: options.profile }),
    }).then(
      (response) => {
        tokenResponse = response;
        push({ type: "exchange-succeeded" });
      },
      (error: unknown) => push({ type: "exchange-failed", error: asLoginError(error) }),
    );
  }
}

function asLoginError(error: unknown): AwsLoginError {
  if (AwsLoginError.isInstance(error)) return error;
  return new AwsLoginError("BAD_RESPONSE", "The login failed unexpectedly. Run it again.", { cause: error });
}

/** Everything {@link login} reaches the outside through: the sign-in's ports, and where the session is stored. */
export interface LoginDeps extends AuthorizeDeps {
  /** Where the cache record is written (`createFileTokenStore` from `@awslogin/core/node`). */
  store: TokenStore;
  /** The shared config file, where the profile's `login_session` (and region) is written. */
  config: ConfigStore;
  /** Asks before replacing another session of the profile (or refuses with SESSION_CONFLICT when not interactive). */
  prompt: Prompt;
  /** The session's inter-process lock, held while the cache file is written (a refresh may be running). */
  lock?: (loginSession: string) => Promise<() => Promise<void>>;
}

/** What {@link login} signs in to and how; resolve the profile, region and endpoint first (`resolveLoginSettings`, `resolveSignInEndpoint`). */
export interface LoginOptions {
  /** The profile to write `login_session` into (`default` for `[default]`); INVALID_ARGUMENT if the SDKs could not read it back. */
  profile: string;
  /** The region to sign in to; written to the profile only when it has none. */
  region: string;
  /** Same-device (browser redirect to 127.0.0.1) or cross-device (pasted code). */
  flow: LoginFlow;
  /** Scheme and authority of the Sign-In endpoint ({@link SignInEndpoint.baseUrl}). */
  baseUrl: string;
  /** The token URL ({@link SignInEndpoint.tokenUrl}), also the DPoP proof's `htu`. */
  tokenUrl: string;
  /** Recorded in the cache so refreshes go back to the same endpoint. Only for overridden endpoints. */
  endpointOverride?: string;
  /** How long to wait for the sign-in, in milliseconds; LOGIN_TIMEOUT after it. */
  timeoutMs: number;
  /** False: only show the URL (`--no-browser`). */
  openBrowser: boolean;
  /** The loopback listener's port; default 0, any free port. */
  redirectPort?: number;
  /** Replace another login_session without asking. */
  force: boolean;
  /** Fail, writing nothing, when the signed-in account differs. */
  expectAccount?: string;
  /** Cancels the login (LOGIN_CANCELLED); nothing is written after it. */
  signal?: AbortSignal;
}

/** What a successful {@link login} wrote. */
export interface LoginResult {
  /** The profile that now has the session. */
  profile: string;
  /** The profile's region (the one it had, else the one signed in to). */
  region: string;
  /** The session id (the id token's `sub`), the profile's new `login_session`. */
  loginSession: string;
  /** The 12-digit account signed in to. */
  accountId: string;
  /** The cache file written. */
  cachePath: string;
  /** The config file edited. */
  configPath: string;
  /** The cache record written, with the credentials and the refresh token. */
  record: TokenCacheRecord;
  /** The login_session the profile had before, when it was replaced. */
  replacedSession?: string;
}

/** An AWS account ID, as `--expect-account` must name one. */
const ACCOUNT_ID = /^\d{12}$/;

/**
 * Throws INVALID_ARGUMENT unless `account` is an AWS account ID (12 digits). Checked before the browser opens: a
 * typo found only after the sign-in would cost the user a sign-in.
 */
export function assertExpectedAccount(account: string): void {
  if (!ACCOUNT_ID.test(account)) {
    throw new AwsLoginError(
      "INVALID_ARGUMENT",
      "--expect-account must be an AWS account ID: exactly 12 digits (e.g. 111122223333).",
    );
  }
}

/**
 * `awslogin login`: checks the profile, signs in, then writes the cache file and the profile.
 * Nothing is written unless the exchange succeeded and every check passed. Rejects with an AwsLoginError: before the
 * sign-in INVALID_ARGUMENT, CONFIG_MALFORMED or PROFILE_HAS_OTHER_CREDENTIALS; during it the flow's codes
 * (LOGIN_TIMEOUT, LOGIN_CANCELLED, AUTHORIZATION_DENIED, CALLBACK_LISTENER_FAILED, …) and the service's
 * (AUTHCODE_EXPIRED, …); after it ACCOUNT_MISMATCH, SESSION_CONFLICT, CACHE_WRITE_FAILED or CONFIG_WRITE_FAILED.
 * @see docs/protocol.md §2–§7
 */
export async function login(deps: LoginDeps, options: LoginOptions): Promise<LoginResult> {
  assertWritableProfileName(options.profile);
  if (options.expectAccount !== undefined) assertExpectedAccount(options.expectAccount);
  const configText = await deps.config.read();
  // Before the sign-in: the edit at the end would be refused anyway, after the user's time was spent.
  assertSdkReadableConfig(configText, deps.config.path);
  assertLoginCapableProfile(options.profile, await mergedProfileOf(deps.config, configText, options.profile));

  const dpopKey = generateDpopKey(deps.random);
  const { attempt, tokenResponse } = await authorizeAndExchange(deps, {
    flow: options.flow,
    baseUrl: options.baseUrl,
    tokenUrl: options.tokenUrl,
    timeoutMs: options.timeoutMs,
    openBrowser: options.openBrowser,
    dpopKey,
    profile: options.profile,
    ...(options.redirectPort === undefined ? {} : { redirectPort: options.redirectPort }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (tokenResponse.idToken === undefined) {
    throw new AwsLoginError(
      "INVALID_ID_TOKEN",
      "The sign-in service returned no ID token. Run the login again.",
    );
  }
  const loginSession = decodeIdTokenSubject(tokenResponse.idToken);
  // The sub becomes a config value and a terminal line: one with control characters is a bad answer (exit 1),
  // not a usage error from the config editor further down.
  if (hasUnprintable(loginSession)) {
    throw new AwsLoginError(
      "INVALID_ID_TOKEN",
      `The sign-in service returned a login session with control characters ("${printable(loginSession)}"). Nothing was written. Check the Sign-In endpoint, then run the login again.`,
    );
  }
  const accountId = accountIdFromArn(loginSession);
  if (options.expectAccount !== undefined && options.expectAccount !== accountId) {
    throw new AwsLoginError(
      "ACCOUNT_MISMATCH",
      `You signed in to account ${accountId}, but --expect-account is ${options.expectAccount}. Nothing was written; sign in to the expected account and run the login again.`,
    );
  }

  // Read the profile again: the file may have changed while the browser was open.
  const current = await mergedProfileOf(deps.config, await deps.config.read(), options.profile);
  assertLoginCapableProfile(options.profile, current);
  // The login writes login_session to the config file only, but the credentials file's value wins when the SDKs merge
  // the two: replacing the session there would leave the profile on the old one. Editing a file of secrets is riskier
  // than asking the user to remove one key, so refuse (before anything is written), --force or not.
  const fromCredentials = (await deps.config.readCredentialsSection?.(options.profile))?.login_session;
  if (fromCredentials !== undefined && fromCredentials !== "" && fromCredentials !== loginSession) {
    const file = deps.config.credentialsPath ?? "the shared credentials file";
    throw new AwsLoginError(
      "SESSION_CONFLICT",
      `Profile ${options.profile} takes login_session ${printable(fromCredentials)} from ${printable(file, 1000)}, which wins over the config file, but you signed in as ${printable(loginSession)}. Nothing was written. Remove the login_session line from the [${options.profile}] section of that file (or sign in as that session), then run the login again.`,
    );
  }
  const previous = current?.login_session;
  if (previous !== undefined && previous !== "" && previous !== loginSession && !options.force) {
    if (!deps.prompt.isInteractive) {
      throw new AwsLoginError(
        "SESSION_CONFLICT",
        `Profile ${options.profile} already uses session ${printable(previous)}. Nothing was written. Run again with --force to replace it, or choose another --profile.`,
      );
    }
    const yes = await deps.prompt.confirm(
      `Profile ${options.profile} is already configured to use session ${printable(previous)}. Do you want to overwrite it to use ${printable(loginSession)} instead?`,
    );
    if (!yes) {
      throw new AwsLoginError(
        "LOGIN_CANCELLED",
        `Kept profile ${options.profile} as it was. Nothing was written.`,
      );
    }
  }

  const record = createTokenCacheRecord({
    tokenResponse,
    loginSession,
    accountId,
    clientId: attempt.clientId,
    dpopKeyPem: exportDpopKeyPem(dpopKey),
    now: deps.clock.now(),
    signInRegion: options.region,
    ...(options.endpointOverride === undefined ? {} : { endpoint: options.endpointOverride }),
  });
  // Every check of the config edit runs before anything is written.
  const values: Record<string, string> = { login_session: loginSession };
  if (current?.region === undefined || current.region === "") values.region = options.region;
  // Read once more: the question above may have waited on a person while something else edited the file.
  setProfileValues(await deps.config.read(), options.profile, values);

  const release = await deps.lock?.(loginSession);
  try {
    await deps.store.write(loginSession, record);
  } finally {
    await release?.();
  }
  // Applied to the text as it is inside the config's lock: other logins may be editing other profiles right now.
  const edit = (text: string): string => {
    assertLoginCapableProfile(options.profile, getProfile(parseConfigFile(text), options.profile));
    return setProfileValues(text, options.profile, values);
  };
  if (deps.config.update !== undefined) await deps.config.update(edit);
  else await deps.config.write(edit(await deps.config.read()));

  return {
    profile: options.profile,
    region: current?.region || options.region,
    loginSession,
    accountId,
    cachePath: deps.store.pathFor(loginSession),
    configPath: deps.config.path,
    record,
    ...(previous !== undefined && previous !== loginSession ? { replacedSession: previous } : {}),
  };
}
