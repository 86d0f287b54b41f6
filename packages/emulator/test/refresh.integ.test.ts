import { CLIENT_ID } from "@awslogin/core";
import { afterEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../src/index.js";
import { fakeClock, login, newDpopKey, refreshCall } from "./helpers.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

describe("refresh_token grant", () => {
  it("rotates: new credentials and a new refresh token each time, no idToken", async () => {
    emu = await startEmulator({ autoApprove: true });
    const { key, answer } = await login(emu);
    const first = await refreshCall(emu, answer.refreshToken, key);
    expect(first.status).toBe(200);
    expect(Object.keys(first.json)).toEqual(["accessToken", "tokenType", "expiresIn", "refreshToken"]);
    expect(first.json.refreshToken).not.toBe(answer.refreshToken);
    const creds = first.json.accessToken as { accessKeyId: string };
    expect(creds.accessKeyId).not.toBe(answer.accessToken.accessKeyId);
    const second = await refreshCall(emu, first.json.refreshToken as string, key);
    expect(second.status).toBe(200);
    expect(second.json.refreshToken).not.toBe(first.json.refreshToken);
  });

  it("refuses a rotated token with TOKEN_EXPIRED when there is no reuse window (default)", async () => {
    emu = await startEmulator({ autoApprove: true });
    const { key, answer } = await login(emu);
    expect((await refreshCall(emu, answer.refreshToken, key)).status).toBe(200);
    const again = await refreshCall(emu, answer.refreshToken, key);
    expect(again.status).toBe(401);
    expect(again.headers.get("x-amzn-errortype")).toBe("AccessDeniedException");
    expect(again.json.error).toBe("TOKEN_EXPIRED");
  });

  it("inside refreshReuseWindow answers a rotated token with the same answer; outside, TOKEN_EXPIRED", async () => {
    const clock = fakeClock();
    emu = await startEmulator({ autoApprove: true, refreshReuseWindow: 10, now: clock.now });
    const { key, answer } = await login(emu, { iat: clock.sec() });
    const first = await refreshCall(emu, answer.refreshToken, key, { iat: clock.sec() });
    expect(first.status).toBe(200);
    clock.advance(10_000);
    const replay = await refreshCall(emu, answer.refreshToken, key, { iat: clock.sec() });
    expect(replay.status).toBe(200);
    expect(replay.json).toEqual(first.json);
    // The token from the shared answer is the live one.
    const next = await refreshCall(emu, first.json.refreshToken as string, key, { iat: clock.sec() });
    expect(next.status).toBe(200);
    clock.advance(1_000);
    const late = await refreshCall(emu, answer.refreshToken, key, { iat: clock.sec() });
    expect(late.status).toBe(401);
    expect(late.json.error).toBe("TOKEN_EXPIRED");
    expect(emu.stats().tokenResults).toMatchObject({ ok: 3, replayed: 1, TOKEN_EXPIRED: 1 });
  });

  it("ends the session sessionDuration after the code exchange (TOKEN_EXPIRED), capping expiresIn", async () => {
    const clock = fakeClock();
    emu = await startEmulator({ autoApprove: true, sessionDuration: 1200, now: clock.now });
    const { key, answer } = await login(emu, { iat: clock.sec() });
    expect(answer.expiresIn).toBe(900);
    clock.advance(600_000);
    const mid = await refreshCall(emu, answer.refreshToken, key, { iat: clock.sec() });
    expect(mid.status).toBe(200);
    expect(mid.json.expiresIn).toBe(600);
    clock.advance(600_000);
    const end = await refreshCall(emu, mid.json.refreshToken as string, key, { iat: clock.sec() });
    expect(end.status).toBe(401);
    expect(end.json.error).toBe("TOKEN_EXPIRED");
    expect(end.json.message).toMatch(/session has ended/);
  });

  it("refuses a refresh with another DPoP key (cnf.jkt binding) with INVALID_REQUEST, keeping the token usable", async () => {
    emu = await startEmulator({ autoApprove: true });
    const { key, answer } = await login(emu);
    const stolen = await refreshCall(emu, answer.refreshToken, newDpopKey());
    expect(stolen.status).toBe(400);
    expect(stolen.headers.get("x-amzn-errortype")).toBe("ValidationException");
    expect(stolen.json.error).toBe("INVALID_REQUEST");
    expect(stolen.json.message).toMatch(/cnf\.jkt/);
    expect((await refreshCall(emu, answer.refreshToken, key)).status).toBe(200);
  });

  it("refuses an unknown refresh token with TOKEN_EXPIRED and a mismatched clientId with INVALID_REQUEST", async () => {
    emu = await startEmulator({ autoApprove: true });
    const { key, answer } = await login(emu);
    const unknown = await refreshCall(emu, "rt.unknown", key);
    expect(unknown.status).toBe(401);
    expect(unknown.json.error).toBe("TOKEN_EXPIRED");
    const wrongClient = await refreshCall(emu, answer.refreshToken, key, { clientId: CLIENT_ID.crossDevice });
    expect(wrongClient.status).toBe(400);
    expect(wrongClient.json.error).toBe("INVALID_REQUEST");
  });

  it("gives concurrent refreshers with the same token one rotation (the rest replay or are refused)", async () => {
    emu = await startEmulator({ autoApprove: true, refreshReuseWindow: 30 });
    const { key, answer } = await login(emu);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => refreshCall(emu!, answer.refreshToken, key)),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(results.map((r) => r.json.refreshToken)).size).toBe(1);
  });
});
