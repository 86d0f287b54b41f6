import { describe, expect, it } from "vitest";
import { AwsLoginError } from "../errors.js";
import {
  type AuthorizationAttempt,
  initialLoginState,
  type LoginEffect,
  type LoginEvent,
  type LoginState,
  MAX_REFUSED_CODES,
  transitionLogin,
} from "./login.js";

const sameDevice: AuthorizationAttempt = {
  flow: "same-device",
  clientId: "arn:aws:signin:::devtools/same-device",
  state: "3f1c9a52-6a0e-4d7b-9a51-2b8f5e4c1d07",
  codeVerifier: "a".repeat(64),
  redirectUri: "http://127.0.0.1:53412/oauth/callback",
  authorizeUrl: "https://us-east-1.signin.aws.amazon.com/v1/authorize?x",
};
const crossDevice: AuthorizationAttempt = {
  ...sameDevice,
  flow: "cross-device",
  clientId: "arn:aws:signin:::devtools/cross-device",
  state: "9b2e4f00-1111-4222-8333-444455556666",
  redirectUri: "https://us-east-1.signin.aws.amazon.com/v1/sessions/confirmation",
};

const T0 = Date.UTC(2026, 0, 1);
const TIMEOUT = 600_000;

/** Runs events from idle at time T0 + offset and returns every state and effect. */
function run(events: Array<[offsetMs: number, LoginEvent]>) {
  let state: LoginState = initialLoginState;
  const effects = [];
  for (const [offset, event] of events) {
    const next = transitionLogin(state, event, T0 + offset);
    state = next.state;
    effects.push(...next.effects);
  }
  return { state, effects };
}

const start: [number, LoginEvent] = [0, { type: "start", attempt: sameDevice, timeoutMs: TIMEOUT }];
const crossStart: [number, LoginEvent] = [0, { type: "start", attempt: crossDevice, timeoutMs: TIMEOUT }];
/** The loopback callback `callbackId` carrying `code` and the same-device attempt's state. */
const callback = (offset: number, callbackId: string, code: string): [number, LoginEvent] => [
  offset,
  { type: "callback", callbackId, query: { kind: "code", state: sameDevice.state, code } },
];
/** The person pastes a code of the cross-device attempt. */
const paste = (offset: number, code: string): [number, LoginEvent] => [
  offset,
  { type: "code-pasted", state: crossDevice.state, code },
];

describe("login machine", () => {
  it("opens the browser on start and waits until the deadline", () => {
    const { state, effects } = run([start]);
    expect(state).toEqual({
      name: "waiting",
      attempts: [sameDevice],
      deadline: T0 + TIMEOUT,
      refusedCodes: 0,
    });
    expect(effects).toEqual([{ type: "open-browser", url: sameDevice.authorizeUrl }]);
  });

  it.each<[string, LoginEvent, string]>([
    [
      "a wrong state",
      { type: "callback", callbackId: "c1", query: { kind: "code", state: "other", code: "x" } },
      "waiting",
    ],
    [
      "no code or state (favicon)",
      { type: "callback", callbackId: "c1", query: { kind: "none" } },
      "waiting",
    ],
    [
      "an error with a wrong state",
      {
        type: "callback",
        callbackId: "c1",
        query: { kind: "error", state: "other", error: "access_denied", description: undefined },
      },
      "waiting",
    ],
    ["a tick", { type: "tick" }, "waiting"],
    [
      "a pasted code without a cross-device attempt",
      { type: "code-pasted", state: sameDevice.state, code: "x" },
      "waiting",
    ],
  ])("ignores %s while waiting", (_name, event, expected) => {
    const { state, effects } = run([start, [1000, event]]);
    expect(state.name).toBe(expected);
    const answers = effects.filter((e) => e.type === "answer-callback");
    if (event.type === "callback") {
      expect(answers).toEqual([{ type: "answer-callback", callbackId: "c1", answer: "not-this-login" }]);
    } else {
      expect(answers).toEqual([]);
    }
  });

  it("exchanges the code of a matching callback, then answers success", () => {
    const { state, effects } = run([
      start,
      callback(1000, "c1", "CODE"),
      [1500, { type: "exchange-succeeded" }],
    ]);
    expect(state).toEqual({ name: "done", attempt: sameDevice });
    expect(effects.slice(1)).toEqual([
      { type: "stop-waiting" },
      { type: "exchange", attempt: sameDevice, code: "CODE" },
      { type: "answer-callback", callbackId: "c1", answer: "success" },
    ]);
  });

  it("fails with the callback's error when the state matches", () => {
    const { state, effects } = run([
      start,
      [
        1000,
        {
          type: "callback",
          callbackId: "c1",
          query: {
            kind: "error",
            state: sameDevice.state,
            error: "access_denied",
            description: "User cancelled",
          },
        },
      ],
    ]);
    expect(state.name).toBe("failed");
    if (state.name === "failed") {
      expect(state.error.code).toBe("AUTHORIZATION_DENIED");
      expect(state.error.message).toContain("access_denied: User cancelled");
    }
    expect(effects).toContainEqual({
      type: "answer-callback",
      callbackId: "c1",
      answer: "error",
      message: "access_denied: User cancelled",
    });
  });

  it("times out at the deadline, even when a callback arrives late", () => {
    const late = run([start, callback(TIMEOUT, "c9", "X")]);
    expect(late.state.name).toBe("failed");
    if (late.state.name === "failed") expect(late.state.error.code).toBe("LOGIN_TIMEOUT");
    expect(late.effects).toContainEqual({
      type: "answer-callback",
      callbackId: "c9",
      answer: "not-this-login",
    });
    const ticked = run([start, [TIMEOUT - 1, { type: "tick" }], [TIMEOUT + 1, { type: "tick" }]]);
    expect(ticked.state.name).toBe("failed");
  });

  it("reports a failed exchange to the browser and ends with its error", () => {
    const error = new AwsLoginError("SERVER_ERROR", "internal error");
    const { state, effects } = run([
      start,
      callback(1000, "c1", "CODE"),
      [2000, { type: "exchange-failed", error }],
    ]);
    expect(state).toEqual({ name: "failed", error });
    expect(effects.at(-1)).toEqual({
      type: "answer-callback",
      callbackId: "c1",
      answer: "error",
      message: "internal error",
    });
  });

  it("answers a second callback during the exchange without disturbing it", () => {
    const { state, effects } = run([start, callback(1000, "c1", "CODE"), callback(1100, "c2", "CODE")]);
    expect(state.name).toBe("exchanging");
    expect(effects.at(-1)).toEqual({ type: "answer-callback", callbackId: "c2", answer: "not-this-login" });
  });

  it("cross-device: asks for the code, asks again after a mismatched or garbled paste, then exchanges", () => {
    const garbled = new AwsLoginError("BAD_VERIFICATION_CODE", "garbled");
    const { state, effects } = run([
      crossStart,
      [100, { type: "code-pasted", state: sameDevice.state, code: "X" }],
      [200, { type: "paste-invalid", error: garbled }],
      paste(300, "GOOD"),
    ]);
    expect(state.name).toBe("exchanging");
    expect(effects[0]).toEqual({ type: "prompt-code", attempt: crossDevice });
    expect(effects[1]).toMatchObject({ type: "prompt-code", problem: { code: "STATE_MISMATCH" } });
    expect(effects[2]).toEqual({ type: "prompt-code", attempt: crossDevice, problem: garbled });
    expect(effects.slice(3)).toEqual([
      { type: "stop-waiting" },
      { type: "exchange", attempt: crossDevice, code: "GOOD" },
    ]);
  });

  const refused = (offset: number, error: AwsLoginError): [number, LoginEvent] => [
    offset,
    { type: "exchange-failed", error },
  ];
  const authcodeExpired = new AwsLoginError("AUTHCODE_EXPIRED", "expired", { status: 401 });
  const invalidRequest = new AwsLoginError("INVALID_REQUEST", "code must be at most 512 characters", {
    status: 400,
  });

  it.each<[string, Array<[number, LoginEvent]>, string, LoginEffect[] | string]>([
    [
      "a pasted code refused as unknown (AUTHCODE_EXPIRED) → waiting again, same attempt, asked again",
      [crossStart, paste(100, "TRUNC"), refused(200, authcodeExpired)],
      "waiting",
      [
        { type: "resume-waiting" },
        expect.objectContaining({ type: "prompt-code", attempt: crossDevice }) as LoginEffect,
      ],
    ],
    [
      "a pasted code refused as invalid (INVALID_REQUEST) → waiting again, asked again",
      [crossStart, paste(100, "X".repeat(600)), refused(200, invalidRequest)],
      "waiting",
      [
        { type: "resume-waiting" },
        expect.objectContaining({ type: "prompt-code", attempt: crossDevice }) as LoginEffect,
      ],
    ],
    [
      "a refused code, then the right one → exchanging the right one with the same attempt",
      [crossStart, paste(100, "TRUNC"), refused(200, authcodeExpired), paste(300, "GOOD")],
      "exchanging",
      [{ type: "stop-waiting" }, { type: "exchange", attempt: crossDevice, code: "GOOD" }],
    ],
    [
      `${MAX_REFUSED_CODES} refused codes → failed with the service's code`,
      [
        crossStart,
        ...Array.from({ length: MAX_REFUSED_CODES }, (_, i) => [
          paste(100 + i * 100, `BAD${i}`),
          refused(150 + i * 100, authcodeExpired),
        ]).flat(),
      ],
      "failed",
      "AUTHCODE_EXPIRED",
    ],
    [
      "a refused code after the deadline → failed with LOGIN_TIMEOUT (no new prompt)",
      [crossStart, paste(100, "TRUNC"), refused(TIMEOUT + 1, authcodeExpired)],
      "failed",
      "LOGIN_TIMEOUT",
    ],
    [
      "a pasted code that fails otherwise (INSUFFICIENT_PERMISSIONS) → failed, not asked again",
      [crossStart, paste(100, "GOOD"), refused(200, new AwsLoginError("INSUFFICIENT_PERMISSIONS", "no"))],
      "failed",
      "INSUFFICIENT_PERMISSIONS",
    ],
    [
      "a refused same-device (loopback) code → failed: there is nothing to paste again",
      [start, callback(100, "c1", "C"), refused(200, authcodeExpired)],
      "failed",
      "AUTHCODE_EXPIRED",
    ],
  ])("cross-device retry: %s", (_name, events, expected, last) => {
    const { state, effects } = run(events);
    expect(state.name).toBe(expected);
    if (typeof last === "string") {
      expect(state.name === "failed" && state.error.code).toBe(last);
      expect(effects.filter((e) => e.type === "prompt-code").length).toBeLessThanOrEqual(MAX_REFUSED_CODES);
      expect(effects.at(-1)?.type).not.toBe("prompt-code");
    } else {
      expect(effects.slice(-last.length)).toEqual(last);
    }
  });

  it("says what to do about a refused code, counts the tries left, and keeps the attempt's secrets", () => {
    const first = run([crossStart, paste(100, "TRUNC"), refused(200, authcodeExpired)]);
    expect(first.state).toEqual({
      name: "waiting",
      attempts: [crossDevice],
      deadline: T0 + TIMEOUT,
      refusedCodes: 1,
    });
    const prompt = first.effects.at(-1);
    expect(prompt?.type === "prompt-code" && prompt.problem?.code).toBe("AUTHCODE_EXPIRED");
    if (prompt?.type === "prompt-code") {
      expect(prompt.problem?.message).toContain("paste it again");
      expect(prompt.problem?.message).toContain(`${MAX_REFUSED_CODES - 1} tries left`);
      expect(prompt.problem?.cause).toBe(authcodeExpired);
    }
    expect(prompt?.type === "prompt-code" && prompt.problem?.message).not.toContain("--endpoint-url");
    // A request refused as invalid may also mean a wrong endpoint or region: the message says how to check.
    const invalid = run([crossStart, paste(100, "X".repeat(600)), refused(200, invalidRequest)]).effects.at(
      -1,
    );
    expect(invalid?.type === "prompt-code" && invalid.problem?.message).toContain(
      "check --endpoint-url and --region",
    );
    const events: Array<[number, LoginEvent]> = [crossStart];
    for (let i = 0; i < MAX_REFUSED_CODES; i++)
      events.push(paste(100 + i * 100, "BAD"), refused(150 + i * 100, authcodeExpired));
    const last = run(events);
    expect(last.state.name).toBe("failed");
    if (last.state.name === "failed") {
      expect(last.state.error.message).toContain(`refused ${MAX_REFUSED_CODES} pasted codes`);
      expect(last.state.error.message).toContain("Nothing was written");
      expect(last.state.error.status).toBe(401);
    }
    expect(last.effects.at(-1)).toEqual({ type: "stop-waiting" });
  });

  it("with both flows offered, a refused pasted code leaves the loopback able to complete", () => {
    const { state, effects } = run([
      start,
      [100, { type: "add-attempt", attempt: crossDevice }],
      paste(200, "TRUNC"),
      refused(300, authcodeExpired),
      callback(400, "c1", "L"),
    ]);
    expect(state).toMatchObject({ name: "exchanging", attempt: sameDevice, code: "L", callbackId: "c1" });
    expect(effects.slice(-2)).toEqual([
      { type: "stop-waiting" },
      { type: "exchange", attempt: sameDevice, code: "L" },
    ]);
  });

  it("with both flows offered, whichever completes first wins", () => {
    const viaPaste = run([
      start,
      [100, { type: "add-attempt", attempt: crossDevice }],
      paste(200, "P"),
      callback(300, "late", "L"),
    ]);
    expect(viaPaste.state).toMatchObject({ name: "exchanging", attempt: crossDevice, code: "P" });
    expect(viaPaste.effects.at(-1)).toEqual({
      type: "answer-callback",
      callbackId: "late",
      answer: "not-this-login",
    });
  });

  it("ends at once when the code cannot be read at all (exchange-failed while waiting)", () => {
    const error = new AwsLoginError("NO_TERMINAL", "no prompt");
    const { state } = run([crossStart, [10, { type: "exchange-failed", error }]]);
    expect(state).toEqual({ name: "failed", error });
  });

  it("cancels from any waiting state, and final states ignore events", () => {
    const cancelled = run([start, [10, { type: "cancel" }]]);
    expect(cancelled.state.name).toBe("failed");
    if (cancelled.state.name === "failed") expect(cancelled.state.error.code).toBe("LOGIN_CANCELLED");
    const after = transitionLogin(cancelled.state, { type: "exchange-succeeded" }, T0 + 20);
    expect(after.state).toBe(cancelled.state);
    expect(transitionLogin(initialLoginState, { type: "tick" }, T0).state).toBe(initialLoginState);
  });
});
