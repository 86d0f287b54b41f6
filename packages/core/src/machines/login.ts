/**
 * The login state machine: a pure function of (state, event, now) that returns the next state and the
 * effects a driver must run. It covers the same-device flow (loopback callback) and the cross-device
 * flow (code pasted by the user), and their race when both are offered. A pasted code the service refuses
 * is asked for again, with the same attempt, up to {@link MAX_REFUSED_CODES} times.
 * @see docs/protocol.md §2 (same-device), §3 (cross-device)
 */
import { AwsLoginError } from "../errors.js";
import { printable } from "../printable.js";
import type { LoginFlow } from "../protocol.js";

/** One authorization attempt: the secrets and addresses of one authorize URL. */
export interface AuthorizationAttempt {
  flow: LoginFlow;
  clientId: string;
  state: string;
  codeVerifier: string;
  redirectUri: string;
  authorizeUrl: string;
}

/** What the loopback listener received, already parsed (`parseAuthorizeCallback`). */
export type CallbackQuery =
  /** The service sent an authorization code, with the `state` of the attempt it answers. */
  | { kind: "code"; state: string; code: string }
  /** The service sent an OAuth error (`error`, `error_description`), with `state` when it had one. */
  | { kind: "error"; state: string | undefined; error: string; description: string | undefined }
  /** Neither: not an answer of the service (a browser prefetch, a typed URL). */
  | { kind: "none" };

/** Waiting for the loopback callback or a pasted code. */
export interface WaitingState {
  name: "waiting";
  /** Attempts that may still complete, same-device first. Whichever completes first wins. */
  attempts: AuthorizationAttempt[];
  deadline: number;
  /** Pasted codes the service has refused so far (bounded by {@link MAX_REFUSED_CODES}). */
  refusedCodes: number;
}

export type LoginState =
  | { name: "idle" }
  | WaitingState
  | {
      name: "exchanging";
      attempt: AuthorizationAttempt;
      code: string;
      callbackId: string | undefined;
      /** Where a pasted code the service refuses goes back to: the same attempts, state and verifier. */
      waiting: WaitingState;
    }
  | { name: "done"; attempt: AuthorizationAttempt }
  | { name: "failed"; error: AwsLoginError };

export type LoginEvent =
  | { type: "start"; attempt: AuthorizationAttempt; timeoutMs: number }
  /** A second attempt (cross-device) offered while the first still waits. */
  | { type: "add-attempt"; attempt: AuthorizationAttempt }
  | { type: "callback"; callbackId: string; query: CallbackQuery }
  | { type: "code-pasted"; state: string; code: string }
  | { type: "paste-invalid"; error: AwsLoginError }
  | { type: "tick" }
  | { type: "exchange-succeeded" }
  | { type: "exchange-failed"; error: AwsLoginError }
  /** Stop: Ctrl-C, or the code prompt's input ended (`reason` says which). */
  | { type: "cancel"; reason?: string };

/** How the loopback listener answers one browser request. */
export type CallbackAnswer = "success" | "error" | "not-this-login";

export type LoginEffect =
  | { type: "open-browser"; url: string }
  /** Ask for the cross-device code; `problem` says why the previous paste was refused. */
  | { type: "prompt-code"; attempt: AuthorizationAttempt; problem?: AwsLoginError }
  | { type: "answer-callback"; callbackId: string; answer: CallbackAnswer; message?: string }
  | { type: "exchange"; attempt: AuthorizationAttempt; code: string }
  | { type: "stop-waiting" }
  /** Waiting starts again after `stop-waiting` (a refused pasted code): prompts may be asked again. */
  | { type: "resume-waiting" };

export interface Transition {
  state: LoginState;
  effects: LoginEffect[];
}

export const initialLoginState: LoginState = { name: "idle" };

/**
 * How many pasted codes the service may refuse before a cross-device login ends. A refused code is a
 * mistyped or truncated paste far more often than anything else, and the service refuses an unknown code
 * without consuming the real one, so the person may paste again with the same state and verifier.
 */
export const MAX_REFUSED_CODES = 5;

function fail(error: AwsLoginError, extra: LoginEffect[] = []): Transition {
  return { state: { name: "failed", error }, effects: [...extra, { type: "stop-waiting" }] };
}

/** Tells a browser request that it does not belong to this login (or came after it ended). */
function notThisLogin(callbackId: string): LoginEffect {
  return { type: "answer-callback", callbackId, answer: "not-this-login" };
}

/** Tells the browser whose callback carried the code being exchanged, if one did, that the login failed. */
function answerFailure(callbackId: string | undefined, message: string): LoginEffect[] {
  return callbackId === undefined ? [] : [{ type: "answer-callback", callbackId, answer: "error", message }];
}

/** Whether a state ends the machine. */
export function isFinal(state: LoginState): state is Extract<LoginState, { name: "done" | "failed" }> {
  return state.name === "done" || state.name === "failed";
}

function loginTimeout(): AwsLoginError {
  return new AwsLoginError(
    "LOGIN_TIMEOUT",
    "No sign-in arrived before the timeout. Nothing was written. Run the login again, and finish signing in within --timeout seconds.",
  );
}

/**
 * Whether the service's answer to a pasted code means "not this code" rather than "not this login": an
 * unknown, truncated or already-used code (AUTHCODE_EXPIRED), or a request the service found invalid
 * (INVALID_REQUEST) — in the cross-device flow the code is the only part of that request a person typed.
 * @see docs/protocol.md §3, §4.4
 */
function isRefusedCode(error: AwsLoginError): boolean {
  return error.code === "AUTHCODE_EXPIRED" || error.code === "INVALID_REQUEST";
}

/** The first effects of an attempt: open the browser (same-device) or ask for the code (cross-device). */
function effectsToBegin(attempt: AuthorizationAttempt): LoginEffect[] {
  return attempt.flow === "same-device"
    ? [{ type: "open-browser", url: attempt.authorizeUrl }]
    : [{ type: "prompt-code", attempt }];
}

/** Advance the login machine by one event. Pure: no I/O, no clock but `now`. */
export function transitionLogin(state: LoginState, event: LoginEvent, now: number): Transition {
  if (event.type === "cancel" && !isFinal(state)) {
    const answers = state.name === "exchanging" ? answerFailure(state.callbackId, "Login cancelled.") : [];
    return fail(
      new AwsLoginError("LOGIN_CANCELLED", `${event.reason ?? "Login cancelled."} Nothing was written.`),
      answers,
    );
  }
  switch (state.name) {
    case "idle":
      if (event.type !== "start") return { state, effects: [] };
      return {
        state: {
          name: "waiting",
          attempts: [event.attempt],
          deadline: now + event.timeoutMs,
          refusedCodes: 0,
        },
        effects: effectsToBegin(event.attempt),
      };
    case "waiting":
      return transitionWaiting(state, event, now);
    case "exchanging":
      return transitionExchanging(state, event, now);
    default:
      // Final states ignore everything; a late callback is told this login is over.
      return { state, effects: event.type === "callback" ? [notThisLogin(event.callbackId)] : [] };
  }
}

function transitionWaiting(state: WaitingState, event: LoginEvent, now: number): Transition {
  if (now >= state.deadline) {
    return fail(loginTimeout(), event.type === "callback" ? [notThisLogin(event.callbackId)] : []);
  }
  switch (event.type) {
    case "add-attempt":
      return {
        state: { ...state, attempts: [...state.attempts, event.attempt] },
        effects: effectsToBegin(event.attempt),
      };
    case "callback": {
      const attempt = state.attempts.find((a) => a.flow === "same-device");
      const query = event.query;
      // Only a callback carrying this login's state counts; anything else (a stale tab, a forged request,
      // a favicon) is answered and ignored, so it can neither complete nor break the login.
      if (attempt === undefined || query.kind === "none" || query.state !== attempt.state) {
        return { state, effects: [notThisLogin(event.callbackId)] };
      }
      if (query.kind === "error") {
        // Both come from whoever sent the callback: escaped and bounded before they reach a terminal or page.
        const error = printable(query.error);
        const detail = query.description ? `${error}: ${printable(query.description)}` : error;
        return fail(
          new AwsLoginError(
            "AUTHORIZATION_DENIED",
            `Sign-in was not completed (${detail}). Nothing was written. Run the login again to retry.`,
          ),
          [{ type: "answer-callback", callbackId: event.callbackId, answer: "error", message: detail }],
        );
      }
      return {
        state: {
          name: "exchanging",
          attempt,
          code: query.code,
          callbackId: event.callbackId,
          waiting: state,
        },
        effects: [{ type: "stop-waiting" }, { type: "exchange", attempt, code: query.code }],
      };
    }
    case "code-pasted": {
      const attempt = state.attempts.find((a) => a.flow === "cross-device");
      if (attempt === undefined) return { state, effects: [] };
      if (event.state !== attempt.state) {
        const error = new AwsLoginError(
          "STATE_MISMATCH",
          "That code belongs to another sign-in (its state does not match). Paste the code shown for the URL printed above.",
        );
        return { state, effects: [{ type: "prompt-code", attempt, problem: error }] };
      }
      return {
        state: { name: "exchanging", attempt, code: event.code, callbackId: undefined, waiting: state },
        effects: [{ type: "stop-waiting" }, { type: "exchange", attempt, code: event.code }],
      };
    }
    case "exchange-failed":
      // Raised while waiting only when the code cannot be read at all (no prompt): nothing to wait for.
      return fail(event.error);
    case "paste-invalid": {
      const attempt = state.attempts.find((a) => a.flow === "cross-device");
      if (attempt === undefined) return { state, effects: [] };
      return { state, effects: [{ type: "prompt-code", attempt, problem: event.error }] };
    }
    default:
      return { state, effects: [] };
  }
}

function transitionExchanging(
  state: Extract<LoginState, { name: "exchanging" }>,
  event: LoginEvent,
  now: number,
): Transition {
  switch (event.type) {
    case "exchange-succeeded": {
      const effects: LoginEffect[] =
        state.callbackId === undefined
          ? []
          : [{ type: "answer-callback", callbackId: state.callbackId, answer: "success" }];
      return { state: { name: "done", attempt: state.attempt }, effects };
    }
    case "exchange-failed": {
      if (state.attempt.flow === "cross-device" && isRefusedCode(event.error)) {
        return refusePastedCode(state.waiting, state.attempt, event.error, now);
      }
      const error = event.error.code === "AUTHCODE_EXPIRED" ? refusedCallbackCode(event.error) : event.error;
      return {
        state: { name: "failed", error },
        effects: answerFailure(state.callbackId, error.message),
      };
    }
    case "callback":
      return { state, effects: [notThisLogin(event.callbackId)] };
    default:
      return { state, effects: [] };
  }
}

/**
 * The service refused the code of a callback that carried this login's state. The browser's redirect is exchanged at
 * once, so "expired" is rarely the story: anyone who can read the browser's command line (other local users) can
 * send the state with a code of their own, and only the user knows whether they just signed in.
 */
function refusedCallbackCode(error: AwsLoginError): AwsLoginError {
  return new AwsLoginError(
    error.code,
    "AWS Sign-In refused the authorization code that reached this login's callback (unknown, already used or expired). Nothing was written. If you did not just finish signing in in your browser, someone else on this machine may have sent it. Run the login again; --expect-account makes sure a login can only end in your account.",
    { cause: error, ...(error.status === undefined ? {} : { status: error.status }) },
  );
}

/** A pasted code the service refused: ask again with the same attempt, unless the bound or the deadline is reached. */
function refusePastedCode(
  waiting: WaitingState,
  attempt: AuthorizationAttempt,
  error: AwsLoginError,
  now: number,
): Transition {
  const refusedCodes = waiting.refusedCodes + 1;
  // Both errors keep the service's answer as their cause and its HTTP status.
  const causeAndStatus = { cause: error, ...(error.status === undefined ? {} : { status: error.status }) };
  if (refusedCodes >= MAX_REFUSED_CODES) {
    return fail(
      new AwsLoginError(
        error.code,
        `AWS Sign-In refused ${refusedCodes} pasted codes, so the login stopped. Nothing was written. Its last answer: ${error.message}`,
        causeAndStatus,
      ),
    );
  }
  if (now >= waiting.deadline) return fail(loginTimeout());
  const left = MAX_REFUSED_CODES - refusedCodes;
  const problem = new AwsLoginError(
    error.code,
    `AWS Sign-In refused it (${error.code}): it may be incomplete, mistyped, or from an earlier sign-in. Copy the whole code shown on the confirmation page and paste it again (${left} ${left === 1 ? "try" : "tries"} left).${
      error.code === "INVALID_REQUEST"
        ? " If a whole, fresh code is refused too, the Sign-In endpoint or region may be wrong: press Ctrl-C and check --endpoint-url and --region."
        : ""
    }`,
    causeAndStatus,
  );
  return {
    state: { ...waiting, refusedCodes },
    effects: [{ type: "resume-waiting" }, { type: "prompt-code", attempt, problem }],
  };
}
