import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../src/index.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

/** A raw request, so the test chooses every header (Host included) as a hostile page or a rebound name would. */
function call(
  e: Emulator,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = "",
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: e.port, method, path, headers: { host: `127.0.0.1:${e.port}`, ...headers } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const FAULT = JSON.stringify({ count: 1000000, status: 500 });
const JSON_TYPE = { "content-type": "application/json" };

describe("the /__emulator control endpoints refuse foreign callers (issue 7 §8)", () => {
  it.each([
    ["a rebound DNS name", { host: "attacker.invalid" }],
    ["the right name on another port", { host: "127.0.0.1:1" }],
    ["a foreign Origin", { origin: "http://attacker.invalid" }],
    ["another local origin", { origin: "http://127.0.0.1:1" }],
    ["an opaque origin", { origin: "null" }],
    ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }],
    ["Sec-Fetch-Site: same-site", { "sec-fetch-site": "same-site" }],
  ])("refuses a fault POST from %s and queues nothing", async (_name, headers) => {
    emu = await startEmulator();
    const answer = await call(emu, "POST", "/__emulator/faults", { ...JSON_TYPE, ...headers }, FAULT);
    expect(answer.status).toBe(403);
    expect(emu.stats().faults.pending).toBe(0);
  });

  it.each(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])(
    "refuses a POST with content type %s (a cross-site form can send it without a preflight)",
    async (type) => {
      emu = await startEmulator();
      const answer = await call(emu, "POST", "/__emulator/faults", { "content-type": type }, FAULT);
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body)).toMatchObject({ message: expect.stringContaining("application/json") });
      expect(emu.stats().faults.pending).toBe(0);
    },
  );

  it("refuses reads and DELETE under a foreign Host too", async () => {
    emu = await startEmulator();
    for (const [method, path] of [
      ["GET", "/__emulator/events"],
      ["GET", "/__emulator/stats"],
      ["DELETE", "/__emulator/faults"],
      ["GET", "/__emulator"],
    ] as const) {
      expect((await call(emu, method, path, { host: "rebound.invalid" })).status).toBe(403);
    }
  });

  it("accepts its own loopback names, its own origin and same-origin requests", async () => {
    emu = await startEmulator();
    const own: Record<string, string>[] = [
      { host: `127.0.0.1:${emu.port}` },
      { host: `localhost:${emu.port}` },
      { host: `[::1]:${emu.port}` },
      { origin: emu.url, "sec-fetch-site": "same-origin" },
    ];
    for (const headers of own) {
      expect(
        (await call(emu, "POST", "/__emulator/faults", { ...JSON_TYPE, ...headers }, FAULT)).status,
      ).toBe(204);
    }
    expect(emu.stats().faults.pending).toBe(4_000_000);
    expect((await call(emu, "GET", "/__emulator/stats", { "sec-fetch-site": "none" })).status).toBe(200);
  });

  it("leaves the protocol endpoints alone (the Host check is for the control endpoints)", async () => {
    emu = await startEmulator();
    expect((await call(emu, "GET", "/", { host: "signin.invalid" })).status).toBe(200);
  });
});
