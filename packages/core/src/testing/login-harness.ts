/**
 * `login()` with every port faked: a fake clock, seeded randomness, a token endpoint that signs one subject in, the
 * in-memory token store and config store sharing one journal of writes (and lock steps), a prompt that records its
 * questions, and the cross-device flow answered with the right code. For the driver's unit tests.
 *
 * Test support only: not part of the package's entry points.
 */
import type { LoginDeps, LoginOptions } from "../login.js";
import type { Transport } from "../ports.js";
import { createFakeClock, type FakeClock } from "./fake-clock.js";
import { createMemoryConfigStore, type MemoryConfigStore } from "./memory-config-store.js";
import { createMemoryTokenStore, type MemoryTokenStore } from "./memory-token-store.js";
import { seededRandom } from "./seeded-random.js";

const BASE_URL = "https://us-east-1.signin.aws.amazon.com";

/** The subject a {@link loginHarness} signs in by default. */
export const SUB = "arn:aws:sts::111122223333:assumed-role/Admin/alice";

/** An unsigned ID token (the driver only decodes `sub`). */
export function idTokenFor(sub: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none" })}.${part({ sub })}.`;
}

/** A token endpoint that signs `sub` in, with a fresh token each time. */
export function tokenEndpoint(sub: string): Transport & { calls: number } {
  const transport = {
    calls: 0,
    async send() {
      transport.calls++;
      return {
        status: 200,
        headers: {},
        body: JSON.stringify({
          accessToken: { accessKeyId: "ASIALOGIN", secretAccessKey: "s", sessionToken: "t" },
          tokenType: "aws_sigv4",
          expiresIn: 900,
          refreshToken: "rt",
          idToken: idTokenFor(sub),
        }),
      };
    },
  };
  return transport;
}

export interface LoginHarness {
  deps: LoginDeps;
  clock: FakeClock;
  config: MemoryConfigStore;
  store: MemoryTokenStore;
  transport: Transport & { calls: number };
  /** Every write and lock step, in order, across the cache and the config. */
  journal: string[];
  questions: string[];
}

export function loginHarness(
  configText: string,
  setup: {
    sub?: string;
    interactive?: boolean;
    answer?: boolean;
    credentials?: Record<string, Record<string, string>>;
    random?: string;
  } = {},
): LoginHarness {
  const journal: string[] = [];
  const questions: string[] = [];
  const clock = createFakeClock();
  const config = createMemoryConfigStore(configText, {
    journal,
    ...(setup.credentials === undefined ? {} : { credentials: setup.credentials }),
  });
  const store = createMemoryTokenStore({ journal });
  const transport = tokenEndpoint(setup.sub ?? SUB);
  let state = "";
  const deps: LoginDeps = {
    clock,
    random: seededRandom(setup.random ?? "login"),
    transport,
    browser: { open: async () => true },
    startListener: async () => {
      throw new Error("no listener in the cross-device flow");
    },
    ui: {
      showAuthorizeUrl(url) {
        state = new URL(url).searchParams.get("state")!;
      },
      waiting: () => undefined,
      promptCode: async () => Buffer.from(`state=${state}&code=CODE`).toString("base64"),
    },
    store,
    config,
    prompt: {
      isInteractive: setup.interactive ?? false,
      confirm: async (question) => {
        questions.push(question);
        return setup.answer ?? false;
      },
    },
    lock: async (session) => {
      journal.push(`lock:${session}`);
      return async () => {
        journal.push(`unlock:${session}`);
      };
    },
  };
  return { deps, clock, config, store, transport, journal, questions };
}

export const loginOptions = (extra: Partial<LoginOptions> = {}): LoginOptions => ({
  profile: "dev",
  region: "eu-west-1",
  flow: "cross-device",
  baseUrl: BASE_URL,
  tokenUrl: `${BASE_URL}/v1/token`,
  timeoutMs: 60_000,
  openBrowser: false,
  force: false,
  ...extra,
});
