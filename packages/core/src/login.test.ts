import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateDpopKey } from "./dpop.js";
import type { AwsLoginError } from "./errors.js";
import {
  type AuthorizeDeps,
  type AuthorizeOptions,
  authorizeAndExchange,
  type CallbackListener,
  type LoginUi,
} from "./login.js";
import type { CallbackQuery } from "./machines/login.js";
import type { HttpRequest, HttpResponse, Transport } from "./ports.js";

const BASE_URL = "https://us-east-1.signin.aws.amazon.com";
const OK: HttpResponse = {
  status: 200,
  headers: {},
  body: JSON.stringify({
    accessToken: { accessKeyId: "ASIA1", secretAccessKey: "s", sessionToken: "t" },
    tokenType: "aws_sigv4",
    expiresIn: 900,
    refreshToken: "rt",
    idToken: "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhcm46YXdzOmlhbTo6MTExMTIyMjIzMzMzOnVzZXIvZGV2In0.",
  }),
};
/** What AWS Sign-In answers for an unknown authorization code. @see docs/protocol.md §4.4 */
const AUTHCODE_EXPIRED: HttpResponse = {
  status: 401,
  headers: { "x-amzn-errortype": "AccessDeniedException" },
  body: JSON.stringify({ error: "AUTHCODE_EXPIRED", message: "The authorization code is not valid." }),
};

function scripted(responses: HttpResponse[]): Transport & { bodies: Array<Record<string, string>> } {
  const bodies: Array<Record<string, string>> = [];
  return {
    bodies,
    async send(request: HttpRequest) {
      bodies.push(JSON.parse(request.body ?? "{}") as Record<string, string>);
      return responses[Math.min(bodies.length - 1, responses.length - 1)]!;
    },
  };
}

const pasted = (state: string, code: string) => Buffer.from(`state=${state}&code=${code}`).toString("base64");

function options(flow: AuthorizeOptions["flow"]): AuthorizeOptions {
  return {
    flow,
    baseUrl: BASE_URL,
    tokenUrl: `${BASE_URL}/v1/token`,
    timeoutMs: 10_000,
    openBrowser: true,
    dpopKey: generateDpopKey(),
  };
}

function deps(transport: Transport, ui: LoginUi, extra: Partial<AuthorizeDeps> = {}): AuthorizeDeps {
  return {
    clock: { now: () => Date.now() },
    random: { bytes: (n) => randomBytes(n) },
    transport,
    ui,
    browser: { open: async () => true },
    startListener: async () => {
      throw new Error("no listener in the cross-device flow");
    },
    sleep: async () => undefined,
    ...extra,
  };
}

describe("authorizeAndExchange (driver)", () => {
  it("cross-device: a code the service refuses is asked for again, with the same attempt's verifier", async () => {
    const transport = scripted([AUTHCODE_EXPIRED, OK]);
    const problems: Array<AwsLoginError | undefined> = [];
    let state = "";
    const ui: LoginUi = {
      showAuthorizeUrl(url) {
        state = new URL(url).searchParams.get("state")!;
      },
      waiting: () => undefined,
      async promptCode(problem) {
        problems.push(problem);
        return pasted(state, problems.length === 1 ? "TRUNC" : "REALCODE");
      },
    };
    const result = await authorizeAndExchange(deps(transport, ui), options("cross-device"));
    expect(result.tokenResponse.refreshToken).toBe("rt");
    expect(problems.map((p) => p?.code)).toEqual([undefined, "AUTHCODE_EXPIRED"]);
    expect(problems[1]?.message).toContain("paste it again");
    expect(transport.bodies.map((b) => b.code)).toEqual(["TRUNC", "REALCODE"]);
    expect(transport.bodies[1]?.codeVerifier).toBe(transport.bodies[0]?.codeVerifier);
    expect(transport.bodies[0]?.codeVerifier).toBe(result.attempt.codeVerifier);
  });

  it("same-device: the opener is watched, not awaited: a callback completes the login while it still runs", async () => {
    let fire: ((id: string, query: CallbackQuery) => void) | undefined;
    const answers: string[] = [];
    const listener: CallbackListener = {
      port: 53412,
      onCallback: (handler) => {
        fire = handler;
      },
      answer: (_id, answer) => answers.push(answer),
      close: async () => undefined,
    };
    let settleOpener: ((opened: boolean) => void) | undefined;
    const shown: Array<boolean | undefined> = [];
    const spinner: boolean[] = [];
    let offered = false;
    const ui: LoginUi = {
      showAuthorizeUrl: (_url, _flow, opened) => shown.push(opened),
      waiting: (active) => spinner.push(active),
      offerRemote: () => {
        offered = true;
      },
    };
    const run = authorizeAndExchange(
      deps(scripted([OK]), ui, {
        startListener: async () => listener,
        browser: {
          open: (url) =>
            new Promise((resolve) => {
              settleOpener = resolve;
              // The browser reaches the loopback before the opener is known to have started.
              const state = new URL(url).searchParams.get("state")!;
              setTimeout(() => fire?.("cb1", { kind: "code", state, code: "CODE" }), 10);
            }),
        },
      }),
      options("same-device"),
    );
    await expect.poll(() => answers).toEqual(["success"]);
    expect(shown).toEqual([]);
    settleOpener?.(false);
    const result = await run;
    expect(result.attempt.flow).toBe("same-device");
    // The URL is still shown (with what the opener found), but nothing waits any more.
    expect(shown).toEqual([false]);
    expect(offered).toBe(false);
    expect(spinner).not.toContain(true);
  });
});

describe("authorizeAndExchange: an opener that starts, then fails at once", () => {
  it("shows the URL as opening, then reports the failure through ui.browserFailed (spinner paused around it)", async () => {
    let fire: ((id: string, query: CallbackQuery) => void) | undefined;
    const listener: CallbackListener = {
      port: 53412,
      onCallback: (handler) => {
        fire = handler;
      },
      answer: () => undefined,
      close: async () => undefined,
    };
    const events: string[] = [];
    const ui: LoginUi = {
      showAuthorizeUrl: (_url, _flow, opened) => events.push(`url:${opened}`),
      waiting: (active) => events.push(`waiting:${active}`),
      browserFailed: (url) => events.push(`failed:${new URL(url).pathname}`),
    };
    let authorizeUrl = "";
    const run = authorizeAndExchange(
      deps(scripted([OK]), ui, {
        startListener: async () => listener,
        browser: {
          open: async (url, onFailed) => {
            authorizeUrl = url;
            setTimeout(() => onFailed?.(), 20); // xdg-open exits 3 a moment after it started
            return true;
          },
        },
      }),
      options("same-device"),
    );
    await expect.poll(() => events).toContain("failed:/v1/authorize");
    const state = new URL(authorizeUrl).searchParams.get("state")!;
    fire?.("cb1", { kind: "code", state, code: "CODE" });
    await run;
    expect(events.slice(0, 5)).toEqual([
      "url:true",
      "waiting:true",
      "waiting:false",
      "failed:/v1/authorize",
      "waiting:true",
    ]);
  });
});
