import { describe, expect, it } from "vitest";
import { exportDpopKeyPem, generateDpopKey } from "./dpop.js";
import type { AwsLoginError } from "./errors.js";
import { type AuthorizeDeps, type AuthorizeOptions, authorizeAndExchange, login } from "./login.js";
import type { CallbackQuery } from "./machines/login.js";
import type { CallbackListener, HttpRequest, HttpResponse, LoginUi, Transport } from "./ports.js";
import { createFakeClock } from "./testing/fake-clock.js";
import { loginHarness, loginOptions, SUB } from "./testing/login-harness.js";
import { seededRandom } from "./testing/seeded-random.js";

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
    dpopKey: generateDpopKey(seededRandom("login.test")),
  };
}

function deps(transport: Transport, ui: LoginUi, extra: Partial<AuthorizeDeps> = {}): AuthorizeDeps {
  return {
    clock: createFakeClock(),
    random: seededRandom("authorize"),
    transport,
    ui,
    browser: { open: async () => true },
    startListener: async () => {
      throw new Error("no listener in the cross-device flow");
    },
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
              setImmediate(() => fire?.("cb1", { kind: "code", state, code: "CODE" }));
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
            setImmediate(() => onFailed?.()); // xdg-open exits 3 a moment after it started
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

describe("authorizeAndExchange: the login's timeout runs on the clock (its tick sleeps on it)", () => {
  it("fails with LOGIN_TIMEOUT once timeoutMs of the clock have passed, not a tick earlier", async () => {
    const clock = createFakeClock();
    let prompted: AbortSignal | undefined;
    const ui: LoginUi = {
      showAuthorizeUrl: () => undefined,
      waiting: () => undefined,
      // Nobody ever pastes a code.
      promptCode: (_problem, signal) => {
        prompted = signal;
        return new Promise<string>(() => undefined);
      },
    };
    const run = authorizeAndExchange(deps(scripted([OK]), ui, { clock }), {
      ...options("cross-device"),
      timeoutMs: 10_000,
    });
    let settled = false;
    run.then(
      () => (settled = true),
      () => (settled = true),
    );
    await clock.whenSleeping();
    expect(clock.sleeps).toEqual([250]);
    await clock.advance(9_999);
    expect(settled).toBe(false);
    const timedOut = expect(run).rejects.toMatchObject({ code: "LOGIN_TIMEOUT" });
    await clock.advance(1);
    await timedOut;
    expect(prompted?.aborted).toBe(true);
    expect(clock.pending()).toBe(0);
  });
});

const OTHER_SUB = "arn:aws:sts::111122223333:assumed-role/Admin/bob";

describe("login(): profile checks, account and session checks, and the order of writes (fakes only)", () => {
  it("writes the cache file under the session's lock, then the profile (login_session + region)", async () => {
    const h = loginHarness("[profile other]\nregion = us-west-2\n");
    const result = await login(h.deps, loginOptions());
    expect(h.journal).toEqual([`lock:${SUB}`, `cache:${SUB}`, `unlock:${SUB}`, "config"]);
    expect(h.store.records.get(SUB)?.accessToken).toMatchObject({
      accessKeyId: "ASIALOGIN",
      accountId: "111122223333",
      expiresAt: "2025-11-19T12:15:00Z",
    });
    expect(h.config.text).toBe(
      `[profile other]\nregion = us-west-2\n\n[profile dev]\nlogin_session = ${SUB}\nregion = eu-west-1\n`,
    );
    expect(result).toMatchObject({
      profile: "dev",
      region: "eu-west-1",
      loginSession: SUB,
      accountId: "111122223333",
    });
    expect(result.replacedSession).toBeUndefined();
  });

  it("keeps the profile's own region and every other key", async () => {
    const h = loginHarness("[profile dev]\n# mine\nregion = ap-south-1\noutput = json\n");
    const result = await login(h.deps, loginOptions());
    expect(result.region).toBe("ap-south-1");
    expect(h.config.text).toContain("# mine\nregion = ap-south-1\noutput = json\n");
    expect(h.config.text).toContain(`login_session = ${SUB}`);
    expect(h.config.text).not.toContain("eu-west-1");
  });

  it("the DPoP key comes from the Random port: the same randomness gives the key stored in the cache", async () => {
    const h = loginHarness("", { random: "key" });
    await login(h.deps, loginOptions());
    expect(h.store.records.get(SUB)?.dpopKey).toBe(exportDpopKeyPem(generateDpopKey(seededRandom("key"))));
  });

  it.each([
    ["credential_process", "[profile dev]\ncredential_process = /bin/creds\n", undefined],
    [
      "sso_session with sso_account_id",
      "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n",
      undefined,
    ],
    ["sso_role_name", "[profile dev]\nsso_session = corp\nsso_role_name = Admin\n", undefined],
    ["aws_access_key_id in the credentials file", "", { dev: { aws_access_key_id: "AKIAEXAMPLE" } }],
  ])(
    "a profile with %s is refused before the sign-in: no token call, nothing written",
    async (_what, text, credentials) => {
      const h = loginHarness(text, credentials === undefined ? {} : { credentials });
      await expect(login(h.deps, loginOptions())).rejects.toMatchObject({
        code: "PROFILE_HAS_OTHER_CREDENTIALS",
      });
      expect(h.transport.calls).toBe(0);
      expect(h.journal).toEqual([]);
      expect(h.config.text).toBe(text);
    },
  );

  it("a profile that only names an sso_session holds no credentials: the login writes login_session to it (as aws login)", async () => {
    const text =
      "[profile dev]\nsso_session = corp\nregion = eu-west-1\n\n[sso-session corp]\nsso_region = us-east-1\n";
    const h = loginHarness(text);
    await login(h.deps, loginOptions());
    expect(h.config.text).toContain(
      `[profile dev]\nsso_session = corp\nregion = eu-west-1\nlogin_session = ${SUB}\n`,
    );
    expect(h.config.text).toContain("[sso-session corp]\nsso_region = us-east-1\n");
    expect(h.store.records.get(SUB)).toBeDefined();
  });

  it("a profile that gained other credentials while the browser was open is refused after the sign-in, nothing written", async () => {
    const h = loginHarness("[profile dev]\nregion = eu-west-1\n");
    h.config.beforeRead = (read) => {
      if (read === 2) h.config.text = "[profile dev]\nregion = eu-west-1\nrole_arn = arn:aws:iam::1:role/x\n";
    };
    await expect(login(h.deps, loginOptions())).rejects.toMatchObject({
      code: "PROFILE_HAS_OTHER_CREDENTIALS",
    });
    expect(h.transport.calls).toBe(1);
    expect(h.journal).toEqual([]);
  });

  it("--expect-account that is not 12 digits is refused before the config is even read", async () => {
    const h = loginHarness("");
    await expect(login(h.deps, loginOptions({ expectAccount: "1111-2222-3333" }))).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    expect(h.config.reads).toBe(0);
    expect(h.transport.calls).toBe(0);
  });

  it("ACCOUNT_MISMATCH: signed in to another account than --expect-account: nothing written", async () => {
    const h = loginHarness("[profile dev]\nregion = eu-west-1\n");
    await expect(login(h.deps, loginOptions({ expectAccount: "444455556666" }))).rejects.toMatchObject({
      code: "ACCOUNT_MISMATCH",
      message: expect.stringContaining("111122223333"),
    });
    expect(h.transport.calls).toBe(1);
    expect(h.journal).toEqual([]);
    expect(h.store.records.size).toBe(0);
    expect(h.config.text).toBe("[profile dev]\nregion = eu-west-1\n");
  });

  it("the expected account passes", async () => {
    const h = loginHarness("");
    await expect(login(h.deps, loginOptions({ expectAccount: "111122223333" }))).resolves.toMatchObject({
      accountId: "111122223333",
    });
    expect(h.journal).toContain("config");
  });

  const taken = `[profile dev]\nlogin_session = ${OTHER_SUB}\n`;

  it("SESSION_CONFLICT: another session on the profile and nobody to ask: refused, nothing written", async () => {
    const h = loginHarness(taken);
    await expect(login(h.deps, loginOptions())).rejects.toMatchObject({
      code: "SESSION_CONFLICT",
      message: expect.stringContaining(OTHER_SUB),
    });
    expect(h.questions).toEqual([]);
    expect(h.journal).toEqual([]);
    expect(h.config.text).toBe(taken);
  });

  it("asks before replacing another session; no keeps everything (LOGIN_CANCELLED)", async () => {
    const h = loginHarness(taken, { interactive: true, answer: false });
    await expect(login(h.deps, loginOptions())).rejects.toMatchObject({ code: "LOGIN_CANCELLED" });
    expect(h.questions).toHaveLength(1);
    expect(h.questions[0]).toContain(OTHER_SUB);
    expect(h.questions[0]).toContain(SUB);
    expect(h.journal).toEqual([]);
    expect(h.config.text).toBe(taken);
  });

  it("yes replaces it and reports the session it replaced", async () => {
    const h = loginHarness(taken, { interactive: true, answer: true });
    const result = await login(h.deps, loginOptions());
    expect(result.replacedSession).toBe(OTHER_SUB);
    expect(h.config.text).toContain(`login_session = ${SUB}`);
    expect(h.config.text).not.toContain(OTHER_SUB);
    expect(h.journal).toEqual([`lock:${SUB}`, `cache:${SUB}`, `unlock:${SUB}`, "config"]);
  });

  it("--force replaces it without asking", async () => {
    const h = loginHarness(taken);
    const result = await login(h.deps, loginOptions({ force: true }));
    expect(h.questions).toEqual([]);
    expect(result.replacedSession).toBe(OTHER_SUB);
    expect(h.config.text).toContain(`login_session = ${SUB}`);
  });

  it("the same session again is no conflict and replaces nothing", async () => {
    const h = loginHarness(`[profile dev]\nlogin_session = ${SUB}\n`);
    const result = await login(h.deps, loginOptions());
    expect(h.questions).toEqual([]);
    expect(result.replacedSession).toBeUndefined();
  });

  it("a profile another login added to the file meanwhile survives the edit", async () => {
    const h = loginHarness("[profile dev]\n");
    h.config.beforeRead = (read) => {
      if (read === 3) h.config.text += "\n[profile ci]\nregion = us-east-2\n";
    };
    await login(h.deps, loginOptions());
    expect(h.config.text).toContain("[profile ci]\nregion = us-east-2\n");
    expect(h.config.text).toContain(`login_session = ${SUB}`);
  });

  it("a cache write that fails leaves the profile untouched", async () => {
    const h = loginHarness("[profile dev]\nregion = eu-west-1\n");
    h.deps.store.write = async () => {
      throw Object.assign(new Error("disk full"), { code: "ENOSPC" });
    };
    await expect(login(h.deps, loginOptions())).rejects.toThrow("disk full");
    expect(h.journal).toEqual([`lock:${SUB}`, `unlock:${SUB}`]);
    expect(h.config.text).toBe("[profile dev]\nregion = eu-west-1\n");
  });
});
