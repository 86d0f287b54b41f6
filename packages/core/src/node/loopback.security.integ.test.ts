/**
 * A local flood of the loopback listener (any local user can connect to 127.0.0.1) cannot starve the real
 * callback: connections are capped, idle and slow ones are dropped, and requests are bounded (issue 7 §4).
 */
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { CallbackQuery } from "../machines/login.js";
import type { CallbackListener } from "../ports.js";
import { LOOPBACK_LIMITS, startCallbackListener } from "./loopback.js";

let listener: CallbackListener | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await listener?.close();
  listener = undefined;
});

/** A connection to the listener; resolves once it is open. */
function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => resolve(socket));
    // Flowing, so the listener's FIN is seen as soon as it comes.
    socket.resume();
    socket.on("error", () => undefined);
    socket.once("error", reject);
    sockets.push(socket);
  });
}

const isClosed = (socket: Socket) => socket.destroyed || socket.readableEnded || socket.closed;

/** Polls `check` until it holds, failing after `timeoutMs`. */
async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A listener that answers every callback with success, recording the queries it saw. */
async function answeringListener(): Promise<{ listener: CallbackListener; seen: CallbackQuery[] }> {
  const started = await startCallbackListener(0);
  const seen: CallbackQuery[] = [];
  started.onCallback((id, query) => {
    seen.push(query);
    started.answer(id, "success");
  });
  listener = started;
  return { listener: started, seen };
}

describe("loopback listener under a local flood", () => {
  it("idle and slowloris connections beyond the cap are dropped, and the real callback still completes", async () => {
    const { listener: started, seen } = await answeringListener();
    const idle = await Promise.all(Array.from({ length: 150 }, () => open(started.port)));
    const slow = await Promise.all(Array.from({ length: 50 }, () => open(started.port)));
    for (const socket of slow)
      socket.write("GET /oauth/callback?state=x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    const flood = [...idle, ...slow];

    // No more than the cap stay open (the newest ones), without waiting for any timeout.
    await until(
      () => flood.filter((socket) => !isClosed(socket)).length <= LOOPBACK_LIMITS.maxConnections,
      5_000,
      "the flood is cut down to the connection cap",
    );

    const response = await fetch(`http://127.0.0.1:${started.port}/oauth/callback?code=real&state=s`);
    expect(response.status).toBe(200);
    expect(seen).toEqual([{ kind: "code", code: "real", state: "s" }]);
  });

  it("a connection that never finishes its headers is closed by the header timeout", async () => {
    const { listener: started } = await answeringListener();
    const slow = await open(started.port);
    slow.write("GET /oauth/callback HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    const drip = setInterval(() => slow.writable && slow.write("X: y\r\n"), 500);
    try {
      await until(
        () => isClosed(slow),
        LOOPBACK_LIMITS.headersTimeoutMs + 5_000,
        "the slow request is dropped",
      );
    } finally {
      clearInterval(drip);
    }
  });

  it("a connection that sends nothing is closed once idle", async () => {
    const { listener: started } = await answeringListener();
    const idle = await open(started.port);
    await until(
      () => isClosed(idle),
      LOOPBACK_LIMITS.idleTimeoutMs + 5_000,
      "the idle connection is dropped",
    );
  }, 20_000);

  it("a callback held open while the exchange runs is never dropped for the flood that follows", async () => {
    const started = await startCallbackListener(0);
    listener = started;
    let held: string | undefined;
    started.onCallback((id) => {
      held = id;
    });
    const real = fetch(`http://127.0.0.1:${started.port}/oauth/callback?code=real&state=s`);
    await until(() => held !== undefined, 5_000, "the callback arrives");
    await Promise.all(Array.from({ length: 100 }, () => open(started.port)));
    started.answer(held!, "success");
    expect((await real).status).toBe(200);
  });

  it("refuses an oversized URL and a request with a body, without handing either to the login", async () => {
    const { listener: started, seen } = await answeringListener();
    const long = await fetch(
      `http://127.0.0.1:${started.port}/oauth/callback?code=c&state=s&pad=${"x".repeat(LOOPBACK_LIMITS.maxUrlLength)}`,
    );
    expect(long.status).toBe(414);
    const raw = await open(started.port);
    const answer = new Promise<string>((resolve) => raw.once("data", (chunk) => resolve(String(chunk))));
    raw.write(
      "GET /oauth/callback?code=c&state=s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello",
    );
    expect(await answer).toMatch(/^HTTP\/1\.1 413 /);
    const posted = await fetch(`http://127.0.0.1:${started.port}/oauth/callback?code=c&state=s`, {
      method: "POST",
      body: "x".repeat(100_000),
    });
    expect(posted.status).toBe(413);
    expect(seen).toEqual([]);
  });
});
