import { describe, expect, it } from "vitest";
import { AwsLoginError } from "../errors.js";
import {
  isRefreshDue,
  type RefreshEffect,
  type RefreshEvent,
  type RefreshState,
  type RefreshTransition,
  transitionRefresh,
} from "./refresh.js";

interface T {
  id: string;
  expiresAt: number;
}

const NOW = Date.UTC(2025, 10, 19);
const MIN = 60_000;
const fresh: T = { id: "fresh", expiresAt: NOW + 10 * MIN };
const due: T = { id: "due", expiresAt: NOW + 5 * MIN };
const expired: T = { id: "expired", expiresAt: NOW - MIN };
const renewed: T = { id: "renewed", expiresAt: NOW + 15 * MIN };

function run(events: RefreshEvent<T>[], policy = {}) {
  let state: RefreshState<T> = { name: "start" };
  const effects: RefreshEffect<T>[] = [];
  for (const event of events) {
    const next: RefreshTransition<T> = transitionRefresh(state, event, NOW, policy);
    state = next.state;
    effects.push(...next.effects);
  }
  return { state, effects };
}

describe("isRefreshDue (5-minute threshold, docs/protocol.md §8)", () => {
  it.each([
    [NOW + 5 * MIN + 1, false],
    [NOW + 5 * MIN, true],
    [NOW - 1, true],
  ])("expiresAt %i → %s", (expiresAt, expected) => {
    expect(isRefreshDue({ expiresAt }, NOW)).toBe(expected);
  });
  it("force always refreshes", () => {
    expect(isRefreshDue(fresh, NOW, { force: true })).toBe(true);
  });
});

describe("refresh machine", () => {
  it("serves fresh credentials without locking (SEP case a)", () => {
    expect(run([{ type: "loaded", token: fresh }])).toEqual({
      state: { name: "done", token: fresh, refreshed: false },
      effects: [],
    });
  });

  it("takes the holder's credentials written while it waited for the lock: no lock, no unlock, no token call", () => {
    expect(
      run([
        { type: "loaded", token: due },
        { type: "refreshed-meanwhile", token: renewed },
      ]),
    ).toEqual({
      state: { name: "done", token: renewed, refreshed: false },
      effects: [{ type: "lock" }],
    });
  });

  it("fails with CACHE_MISSING and a sign-in remedy for the profile when there is no cache file (SEP case b)", () => {
    const { state } = run([{ type: "loaded", token: undefined }], { profile: "signin" });
    expect(state.name).toBe("failed");
    if (state.name === "failed") {
      expect(state.error.code).toBe("CACHE_MISSING");
      expect(state.error.message).toContain("profile signin. Sign in to get them.");
      expect(state.error.remedy).toEqual({ kind: "sign-in", profile: "signin" });
    }
  });

  it("locks, re-reads, refreshes, writes and unlocks when due (SEP case g)", () => {
    const { state, effects } = run([
      { type: "loaded", token: expired },
      { type: "locked" },
      { type: "reread", token: expired },
      { type: "refreshed", token: renewed },
      { type: "written" },
    ]);
    expect(state).toEqual({ name: "done", token: renewed, refreshed: true });
    expect(effects).toEqual([
      { type: "lock" },
      { type: "read" },
      { type: "refresh", token: expired },
      { type: "write", token: renewed },
      { type: "unlock" },
    ]);
  });

  it("reuses the winner's result when another process refreshed while it waited", () => {
    const { state, effects } = run([
      { type: "loaded", token: due },
      { type: "locked" },
      { type: "reread", token: renewed },
    ]);
    expect(state).toEqual({ name: "done", token: renewed, refreshed: false });
    expect(effects).toEqual([{ type: "lock" }, { type: "read" }, { type: "unlock" }]);
  });

  it("a forced refresh is not satisfied by the same token on re-read, but is by a newer one", () => {
    const same = run(
      [{ type: "loaded", token: fresh }, { type: "locked" }, { type: "reread", token: fresh }],
      { force: true },
    );
    expect(same.state.name).toBe("refreshing");
    const newer = run(
      [{ type: "loaded", token: fresh }, { type: "locked" }, { type: "reread", token: renewed }],
      { force: true },
    );
    expect(newer.state).toEqual({ name: "done", token: renewed, refreshed: false });
  });

  it.each(["TOKEN_EXPIRED", "USER_CREDENTIALS_CHANGED", "INSUFFICIENT_PERMISSIONS"] as const)(
    "%s ends with that error even while credentials still work",
    (code) => {
      const error = new AwsLoginError(code, "x");
      const { state, effects } = run([
        { type: "loaded", token: due },
        { type: "locked" },
        { type: "reread", token: due },
        { type: "refresh-failed", error },
      ]);
      expect(state).toEqual({ name: "failed", error });
      expect(effects.at(-1)).toEqual({ type: "unlock" });
    },
  );

  it.each(["THROTTLED", "SERVER_ERROR", "NETWORK", "TIMEOUT"] as const)(
    "%s serves still-valid credentials with a warning, and fails once they have run out",
    (code) => {
      const error = new AwsLoginError(code, "x", { retryable: true });
      const events = (token: T): RefreshEvent<T>[] => [
        { type: "loaded", token },
        { type: "locked" },
        { type: "reread", token },
        { type: "refresh-failed", error },
      ];
      expect(run(events(due)).state).toEqual({ name: "done", token: due, refreshed: false, warning: error });
      expect(run(events(expired)).state).toEqual({ name: "failed", error });
    },
  );

  it("a lock timeout serves valid credentials and fails expired ones", () => {
    const error = new AwsLoginError("LOCK_TIMEOUT", "x");
    expect(
      run([
        { type: "loaded", token: due },
        { type: "lock-failed", error },
      ]).state,
    ).toMatchObject({
      name: "done",
      warning: error,
    });
    expect(
      run([
        { type: "loaded", token: expired },
        { type: "lock-failed", error },
      ]).state,
    ).toEqual({
      name: "failed",
      error,
    });
  });

  it("hands out refreshed credentials with a warning when the cache cannot be written", () => {
    const error = new AwsLoginError("CACHE_WRITE_FAILED", "x");
    const { state, effects } = run([
      { type: "loaded", token: expired },
      { type: "locked" },
      { type: "reread", token: expired },
      { type: "refreshed", token: renewed },
      { type: "write-failed", error },
    ]);
    expect(state).toEqual({ name: "done", token: renewed, refreshed: true, warning: error });
    expect(effects.at(-1)).toEqual({ type: "unlock" });
  });

  it("a cache file that disappears or breaks under the lock fails and unlocks", () => {
    const gone = run([
      { type: "loaded", token: due },
      { type: "locked" },
      { type: "reread", token: undefined },
    ]);
    expect(gone.state).toMatchObject({ name: "failed", error: { code: "CACHE_MISSING" } });
    const broken = new AwsLoginError("CACHE_MALFORMED", "x");
    const bad = run([
      { type: "loaded", token: due },
      { type: "locked" },
      { type: "refresh-failed", error: broken },
    ]);
    expect(bad.state).toEqual({ name: "failed", error: broken });
    expect(bad.effects.at(-1)).toEqual({ type: "unlock" });
  });

  it("a session started 13 h ago still refreshes: the 12 h maximum is learned from TOKEN_EXPIRED, not enforced", () => {
    interface Session extends T {
      sessionStartedAt: number;
    }
    const old: Session = { id: "old", expiresAt: NOW + 2 * MIN, sessionStartedAt: NOW - 13 * 60 * MIN };
    const { state, effects } = run([
      { type: "loaded", token: old },
      { type: "locked" },
      { type: "reread", token: old },
    ]);
    expect(state).toEqual({ name: "refreshing", token: old });
    expect(effects).toEqual([{ type: "lock" }, { type: "read" }, { type: "refresh", token: old }]);
  });

  it("ignores events that do not belong to the state", () => {
    const start: RefreshState<T> = { name: "start" };
    expect(transitionRefresh(start, { type: "written" }, NOW)).toEqual({ state: start, effects: [] });
  });
});
