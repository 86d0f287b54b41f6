import { CLIENT_ID } from "@awslogin/core";
import { afterEach, describe, expect, it } from "vitest";
import { type Emulator, type FaultSpec, startEmulator } from "../src/index.js";
import { login, refreshCall, tokenCall } from "./helpers.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function postFault(e: Emulator, spec: unknown): Promise<Response> {
  return fetch(`${e.url}/__emulator/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(spec),
  });
}

async function stats(e: Emulator) {
  return (await (await fetch(`${e.url}/__emulator/stats`)).json()) as ReturnType<Emulator["stats"]>;
}

const ERRORS: [NonNullable<FaultSpec["error"]>, number, string][] = [
  ["TOKEN_EXPIRED", 401, "AccessDeniedException"],
  ["AUTHCODE_EXPIRED", 401, "AccessDeniedException"],
  ["USER_CREDENTIALS_CHANGED", 403, "AccessDeniedException"],
  ["INSUFFICIENT_PERMISSIONS", 403, "AccessDeniedException"],
  ["INVALID_REQUEST", 400, "ValidationException"],
];

describe("fault injection on /v1/token", () => {
  it.each(ERRORS)("over HTTP: %s → %i %s, then back to normal", async (error, status, shape) => {
    emu = await startEmulator({ autoApprove: true });
    const { key, answer } = await login(emu);
    expect((await postFault(emu, { count: 2, error })).status).toBe(204);
    for (let i = 0; i < 2; i++) {
      const result = await refreshCall(emu, answer.refreshToken, key);
      expect(result.status).toBe(status);
      expect(result.headers.get("x-amzn-errortype")).toBe(shape);
      expect(result.json).toEqual({ error, message: expect.any(String) });
    }
    // The faulted calls consumed nothing: the refresh token still works.
    expect((await refreshCall(emu, answer.refreshToken, key)).status).toBe(200);
    const counted = await stats(emu);
    expect(counted.tokenRequests).toEqual({ authorization_code: 1, refresh_token: 3, other: 0 });
    expect(counted.tokenResults[error]).toBe(2);
    expect(counted.faults).toEqual({ applied: 2, pending: 0 });
  });

  it("from the library: 429 → TooManyRequestsError, 500 → InternalServerException", async () => {
    emu = await startEmulator({ autoApprove: true });
    const { key, answer } = await login(emu);
    emu.injectFault({ count: 1, status: 429 });
    emu.injectFault({ count: 1, status: 500 });
    const throttled = await refreshCall(emu, answer.refreshToken, key);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("x-amzn-errortype")).toBe("TooManyRequestsError");
    expect(throttled.json.error).toBe("INVALID_REQUEST");
    const broken = await refreshCall(emu, answer.refreshToken, key);
    expect(broken.status).toBe(500);
    expect(broken.headers.get("x-amzn-errortype")).toBe("InternalServerException");
    expect(broken.json.error).toBe("server_error");
    expect(emu.stats().tokenResults).toMatchObject({ THROTTLED: 1, server_error: 1 });
  });

  it("drop destroys the connection without an answer (HTTP and library), and is counted", async () => {
    emu = await startEmulator({ autoApprove: true });
    const { key, answer } = await login(emu);
    expect((await postFault(emu, { count: 1, drop: true })).status).toBe(204);
    await expect(refreshCall(emu, answer.refreshToken, key)).rejects.toThrow();
    emu.injectFault({ count: 1, drop: true });
    await expect(refreshCall(emu, answer.refreshToken, key)).rejects.toThrow();
    expect((await refreshCall(emu, answer.refreshToken, key)).status).toBe(200);
    expect(emu.stats().tokenRequests.refresh_token).toBe(3);
    expect(emu.stats().tokenResults.dropped).toBe(2);
  });

  it("delayMs alone delays the normal answer; with an error it delays the error", async () => {
    emu = await startEmulator({ autoApprove: true });
    const { key, answer } = await login(emu);
    emu.injectFault({ count: 1, delayMs: 300 });
    let started = Date.now();
    const slow = await refreshCall(emu, answer.refreshToken, key);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(slow.status).toBe(200);
    expect((await postFault(emu, { count: 1, delayMs: 200, error: "TOKEN_EXPIRED" })).status).toBe(204);
    started = Date.now();
    const slowError = await refreshCall(emu, slow.json.refreshToken as string, key);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(slowError.json.error).toBe("TOKEN_EXPIRED");
  });

  it("close() does not wait for a delayed answer", async () => {
    emu = await startEmulator({ autoApprove: true });
    const { key, answer } = await login(emu);
    emu.injectFault({ count: 1, delayMs: 30_000 });
    const pending = refreshCall(emu, answer.refreshToken, key);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await emu.close();
    emu = undefined;
    await expect(pending).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("applies to the authorization_code grant too, and counts it", async () => {
    emu = await startEmulator({ autoApprove: true });
    emu.injectFault({ count: 1, error: "AUTHCODE_EXPIRED" });
    await expect(login(emu)).rejects.toThrow(/401/);
    expect(emu.stats().tokenRequests.authorization_code).toBe(1);
  });

  it("DELETE /__emulator/faults and clearFaults() remove pending faults", async () => {
    emu = await startEmulator({ autoApprove: true });
    const { key, answer } = await login(emu);
    await postFault(emu, { count: 5, status: 500 });
    expect((await stats(emu)).faults.pending).toBe(5);
    expect((await fetch(`${emu.url}/__emulator/faults`, { method: "DELETE" })).status).toBe(204);
    emu.injectFault({ count: 5, status: 500 });
    emu.clearFaults();
    expect((await refreshCall(emu, answer.refreshToken, key)).status).toBe(200);
    expect(emu.stats().faults).toEqual({ applied: 0, pending: 0 });
  });

  it("does not touch other endpoints", async () => {
    emu = await startEmulator({ autoApprove: true });
    emu.injectFault({ count: 1, status: 500 });
    const res = await fetch(`${emu.url}/__emulator/stats`);
    expect(res.status).toBe(200);
    expect(emu.stats().faults.pending).toBe(1);
  });

  it.each([
    [{}, /count/],
    [{ count: 0, drop: true }, /count/],
    [{ count: 1.5, drop: true }, /count/],
    [{ count: 1 }, /needs error, status, drop or delayMs/],
    [{ count: 1, error: "NOPE" }, /error must be/],
    [{ count: 1, status: 404 }, /status must be/],
    [{ count: 1, drop: "yes" }, /drop must be/],
    [{ count: 1, delayMs: -1 }, /delayMs/],
    [{ count: 1, error: "TOKEN_EXPIRED", status: 500 }, /at most one/],
    [{ count: 1, drop: true, extra: 1 }, /Unknown fault field/],
    ["not an object", /JSON object/],
  ])("refuses a bad spec %j with 400 (and a TypeError from the library)", async (spec, message) => {
    emu = await startEmulator();
    const res = await postFault(emu, spec);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(message);
    expect(() => emu!.injectFault(spec as FaultSpec)).toThrow(TypeError);
  });

  it("counts every token request received, refused ones included", async () => {
    emu = await startEmulator({ autoApprove: true });
    await tokenCall(emu, {}, { rawBody: "{" });
    await tokenCall(emu, { clientId: CLIENT_ID.sameDevice, grantType: "refresh_token", refreshToken: "x" });
    await tokenCall(
      emu,
      { clientId: CLIENT_ID.sameDevice, grantType: "authorization_code", code: "x" },
      { dpop: null },
    );
    expect((await stats(emu)).tokenRequests).toEqual({ authorization_code: 1, refresh_token: 1, other: 1 });
  });
});
