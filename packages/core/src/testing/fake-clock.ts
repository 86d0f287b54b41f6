/**
 * A clock for tests: time stands still until the test moves it, and every `sleep` of the code under test ends
 * exactly when the test's time passes its end. Nothing waits on real timers, so a loaded machine cannot make a
 * test late, and "nothing happened during 80 ms" is a statement about the fake time, not about the scheduler.
 *
 * Test support only: not part of the package's entry points.
 */
import type { Clock } from "../ports.js";

interface Sleeper {
  due: number;
  order: number;
  resolve: () => void;
}

export interface FakeClock extends Clock {
  /** Every duration asked of `sleep`, in order (a sleep aborted before it ended included). */
  readonly sleeps: readonly number[];
  /** How many sleeps are waiting for time to pass. */
  pending(): number;
  /** Moves time forward by `ms`, ending each sleep due on the way in order and letting what it wakes run. */
  advance(ms: number): Promise<void>;
  /** Moves time to the end of the earliest pending sleep (no-op when none); resolves to the time moved. */
  next(): Promise<number>;
  /** Waits (without moving time) until at least `count` sleeps are pending: the code under test has reached them. */
  whenSleeping(count?: number): Promise<void>;
  /**
   * Settles `promise`, moving time from one pending sleep's end to the next whenever the code under test has
   * nothing else to do. Meant for code whose other waits are in-memory fakes (they settle within a few turns) or
   * whose only sleeps come while no I/O is in flight (retry back-off): a sleep pending beside real I/O (a deadline)
   * would end early.
   */
  run<T>(promise: Promise<T>): Promise<T>;
}

/** Lets every pending promise callback and `setImmediate` chain of in-memory fakes run. */
export async function flushPromises(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A {@link FakeClock} at `start` (ms since the epoch; default 2025-11-19T12:00:00Z). */
export function createFakeClock(start: number = Date.UTC(2025, 10, 19, 12, 0, 0)): FakeClock {
  let now = start;
  let order = 0;
  const sleepers: Sleeper[] = [];
  const sleeps: number[] = [];

  const earliest = (): Sleeper | undefined =>
    sleepers.reduce<Sleeper | undefined>(
      (first, s) =>
        first === undefined || s.due < first.due || (s.due === first.due && s.order < first.order)
          ? s
          : first,
      undefined,
    );

  const wake = async (sleeper: Sleeper): Promise<void> => {
    sleepers.splice(sleepers.indexOf(sleeper), 1);
    now = Math.max(now, sleeper.due);
    sleeper.resolve();
    await flushPromises();
  };

  const clock: FakeClock = {
    sleeps,
    now: () => now,
    sleep(ms, signal) {
      sleeps.push(ms);
      if (signal?.aborted === true) return Promise.reject(signal.reason);
      return new Promise<void>((resolve, reject) => {
        const sleeper: Sleeper = {
          due: now + Math.max(0, ms),
          order: order++,
          resolve: () => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
          },
        };
        const onAbort = (): void => {
          const index = sleepers.indexOf(sleeper);
          if (index >= 0) sleepers.splice(index, 1);
          reject(signal?.reason);
        };
        sleepers.push(sleeper);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
    pending: () => sleepers.length,
    async advance(ms) {
      const target = now + ms;
      await flushPromises();
      for (let next = earliest(); next !== undefined && next.due <= target; next = earliest())
        await wake(next);
      now = target;
    },
    async next() {
      await flushPromises();
      const first = earliest();
      if (first === undefined) return 0;
      const before = now;
      await wake(first);
      return now - before;
    },
    async whenSleeping(count = 1) {
      while (sleepers.length < count) await new Promise<void>((resolve) => setImmediate(resolve));
    },
    async run(promise) {
      let settled = false;
      promise.then(
        () => {
          settled = true;
        },
        () => {
          settled = true;
        },
      );
      for (;;) {
        await flushPromises();
        if (settled) return promise;
        const first = earliest();
        // Waiting on something other than time (a real socket): let it come; the test's timeout bounds a hang.
        if (first === undefined) continue;
        await wake(first);
      }
    },
  };
  return clock;
}
