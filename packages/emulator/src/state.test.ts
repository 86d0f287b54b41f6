import { describe, expect, it } from "vitest";
import { EmulatorState } from "./state.js";

describe("EmulatorState.rememberJti", () => {
  it("refuses a jti seen before while its proof could still be fresh, and forgets it afterwards", () => {
    const state = new EmulatorState();
    expect(state.rememberJti("a", 1_000, 0)).toBe(true);
    expect(state.rememberJti("a", 1_000, 999)).toBe(false);
    expect(state.rememberJti("a", 3_000, 1_000)).toBe(true);
  });

  it("stays bounded: expired entries go first, then the oldest", () => {
    const state = new EmulatorState(3);
    state.rememberJti("old", 10, 0);
    state.rememberJti("b", 1_000, 0);
    state.rememberJti("c", 1_000, 0);
    state.rememberJti("d", 1_000, 20); // "old" has expired and is dropped
    expect(state.rememberJti("b", 1_000, 20)).toBe(false);
    state.rememberJti("e", 1_000, 20); // over the bound: the oldest live entry ("b") goes
    expect(state.rememberJti("b", 1_000, 20)).toBe(true);
  });
});

describe("EmulatorState credentials", () => {
  it("issues STS-shaped keys: ASIA + 16 upper-case alnum, 40-char secret", () => {
    const state = new EmulatorState();
    const identity = {
      arn: "arn:aws:iam::111122223333:root",
      kind: "root",
      partition: "aws",
      accountId: "111122223333",
      userId: "111122223333",
      name: "root",
    } as const;
    const creds = state.issueCredentials(identity, 0);
    expect(creds.accessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(creds.secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(state.credentials.get(creds.accessKeyId)).toBe(creds);
  });
});
