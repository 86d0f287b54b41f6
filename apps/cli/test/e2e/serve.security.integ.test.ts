/**
 * Web pages against `awslogin serve`, in a real Chromium: a page on another origin that even knows the token, and a
 * page whose host name was rebound to 127.0.0.1 (DNS rebinding, played with Chromium's host resolver rules: the
 * `.invalid` names resolve to 127.0.0.1 inside the browser only). Neither may read credentials.
 * @see docs/protocol.md §17.2
 */
import { createServer, type Server } from "node:http";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "@awslogin/emulator";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, type Sandbox } from "../helpers.js";
import { type RunningServe, startServe } from "../serve-helpers.js";
import { cachePathOf, loginProfile, readRecord } from "../session-helpers.js";
import { CHROMIUM_PATH, hasChromium } from "./chromium.js";

describe.runIf(hasChromium())("awslogin serve against web pages (Chromium)", () => {
  let emulator: Emulator;
  let sandbox: Sandbox;
  let serve: RunningServe;
  let attacker: Server;
  let attackerPort: number;
  let browser: Browser;
  let secret: string;

  beforeAll(async () => {
    emulator = await startEmulator({ autoApprove: true });
    sandbox = createSandbox();
    await loginProfile(sandbox, emulator, "dev");
    secret = readRecord(cachePathOf(sandbox, DEFAULT_IDENTITY)).accessToken.secretAccessKey;
    serve = await startServe(["--profile", "dev"], sandbox.env);
    attacker = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<!doctype html><title>attacker</title>");
    });
    await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
    attackerPort = (attacker.address() as { port: number }).port;
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
        "--host-resolver-rules=MAP attacker.invalid 127.0.0.1, MAP rebind.invalid 127.0.0.1",
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()));
    await serve?.stop();
    await emulator?.close();
    sandbox?.cleanup();
  });

  /** What a page's fetch got: its status and body, or the name of the error it threw. */
  const probe = `async ([url, init]) => {
    try {
      const response = await fetch(url, init);
      return { status: response.status, type: response.type, body: await response.text() };
    } catch (error) {
      return { error: error.name };
    }
  }`;

  it("a page on another origin cannot read credentials, even with the token (the preflight is refused)", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`http://attacker.invalid:${attackerPort}/`);
      const withToken = await page.evaluate(
        // biome-ignore lint/security/noGlobalEval: the probe runs in the page, as its script would
        ([source, url, token]) => eval(source)([url, { headers: { authorization: token } }]),
        [probe, serve.url, serve.token] as const,
      );
      expect(withToken).toEqual({ error: "TypeError" });
      const noCors = await page.evaluate(
        // biome-ignore lint/security/noGlobalEval: as above
        ([source, url]) => eval(source)([url, { mode: "no-cors" }]),
        [probe, serve.url] as const,
      );
      // An opaque answer at best: nothing of it is readable.
      expect(JSON.stringify(noCors)).not.toContain(secret);
    } finally {
      await page.close();
    }
  });

  it("a rebound host name reaches the endpoint but is refused, even with the token", async () => {
    const page = await browser.newPage();
    try {
      const response = await page.goto(`http://rebind.invalid:${serve.port}/profiles/dev`);
      expect(response?.status()).toBe(403);
      expect(await response?.text()).toContain("HostRefused");
      // Now same-origin with the endpoint: a fetch is not even cross-origin.
      const answer = (await page.evaluate(
        // biome-ignore lint/security/noGlobalEval: the probe runs in the page, as its script would
        ([source, token]) => eval(source)(["/profiles/dev", { headers: { authorization: token } }]),
        [probe, serve.token] as const,
      )) as { status: number; body: string };
      expect(answer.status).toBe(403);
      expect(answer.body).not.toContain(secret);
      expect(JSON.parse(answer.body).Code).toMatch(/^(HostRefused|BrowserRefused)$/);
    } finally {
      await page.close();
    }
  });
});
