import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { CLIENT_ID } from "@awslogin/core";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_IDENTITY, type Emulator, INVALID_EMULATOR_OPTION, startEmulator } from "../src/index.js";
import { authorizeUrl, get, LOOPBACK, login, newDpopKey, newPkce, tokenCall } from "./helpers.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

function sts(
  url: string,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string },
) {
  return new STSClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1 });
}

describe("same-device login, end to end", () => {
  it("authorize (autoApprove) → 302 with code and state → token → STS GetCallerIdentity via @aws-sdk/client-sts", async () => {
    emu = await startEmulator({ autoApprove: true });
    const { verifier, challenge } = newPkce();
    const state = "3f1c9a52-6a0e-4d7b-9a51-2b8f5e4c1d07";
    const res = await get(authorizeUrl(emu, { state, challenge }));
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(LOOPBACK);
    expect(location.searchParams.get("state")).toBe(state);
    const code = location.searchParams.get("code")!;
    expect(code.length).toBeGreaterThan(20);

    const key = newDpopKey();
    const token = await tokenCall(
      emu,
      {
        clientId: CLIENT_ID.sameDevice,
        grantType: "authorization_code",
        code,
        codeVerifier: verifier,
        redirectUri: LOOPBACK,
      },
      { key },
    );
    expect(token.status).toBe(200);
    expect(token.headers.get("cache-control")).toBe("no-store");
    const answer = token.json as {
      accessToken: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
      tokenType: string;
      expiresIn: number;
      refreshToken: string;
      idToken: string;
    };
    expect(Object.keys(answer)).toEqual(["accessToken", "tokenType", "expiresIn", "refreshToken", "idToken"]);
    expect(answer.accessToken.accessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(answer.accessToken.secretAccessKey).toHaveLength(40);
    expect(answer.accessToken.sessionToken.length).toBeGreaterThan(100);
    expect(answer.tokenType).toBe("aws_sigv4");
    expect(answer.expiresIn).toBe(900);
    expect(typeof answer.refreshToken).toBe("string");

    const result = await sts(emu.url, answer.accessToken).send(new GetCallerIdentityCommand({}));
    expect(result.Arn).toBe(DEFAULT_IDENTITY);
    expect(result.Account).toBe("111122223333");
    expect(result.UserId).toMatch(/^AROA[A-Z0-9]{16}:awslogin-demo$/);
    expect(emu.stats().sts).toEqual({ requests: 1, ok: 1, errors: 0 });
  });

  it("issues an ID token: ES384 with kid/typ, sub = session_arn = identity, aud, iss, exp = iat + expiresIn", async () => {
    let t = Date.UTC(2025, 10, 19);
    emu = await startEmulator({ autoApprove: true, now: () => t, expiresIn: 600 });
    const { answer } = await login(emu, { iat: t / 1000 });
    const header = decodeProtectedHeader(answer.idToken!);
    expect(header).toMatchObject({ alg: "ES384", typ: "JWT" });
    expect(typeof header.kid).toBe("string");
    const jwks = (await (await fetch(`${emu.url}/__emulator/jwks.json`)).json()) as { keys: [] };
    const { payload } = await jwtVerify(answer.idToken!, createLocalJWKSet(jwks), {
      currentDate: new Date(t),
      issuer: `${emu.url}/signin`,
      audience: "arn:aws:signin:::cli/same-device",
    });
    expect(payload.sub).toBe(DEFAULT_IDENTITY);
    expect(payload.session_arn).toBe(DEFAULT_IDENTITY);
    expect(payload.iat).toBe(t / 1000);
    expect(payload.exp).toBe(t / 1000 + 600);
    t += 1;
  });

  it("accepts a form-encoded token body with snake_case names", async () => {
    emu = await startEmulator({ autoApprove: true });
    const { verifier, challenge } = newPkce();
    const res = await get(authorizeUrl(emu, { challenge }));
    const code = new URL(res.headers.get("location")!).searchParams.get("code")!;
    const form = new URLSearchParams({
      client_id: CLIENT_ID.sameDevice,
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      redirect_uri: LOOPBACK,
    });
    const token = await tokenCall(
      emu,
      {},
      { rawBody: form.toString(), contentType: "application/x-www-form-urlencoded; charset=utf-8" },
    );
    expect(token.status).toBe(200);
    expect(token.json.tokenType).toBe("aws_sigv4");
  });

  it("accepts the PowerShell redirect with a trailing slash, and keeps it bound", async () => {
    emu = await startEmulator({ autoApprove: true });
    const redirectUri = "http://127.0.0.1:40000/oauth/callback/";
    const { verifier, challenge } = newPkce();
    const res = await get(authorizeUrl(emu, { challenge, redirectUri }));
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    expect(location.pathname).toBe("/oauth/callback/");
    const token = await tokenCall(emu, {
      clientId: CLIENT_ID.sameDevice,
      grantType: "authorization_code",
      code: location.searchParams.get("code"),
      codeVerifier: verifier,
      redirectUri,
    });
    expect(token.status).toBe(200);
  });

  it("signs in IAM-user and root identities too, with STS UserId AIDA…/account", async () => {
    const user = "arn:aws:iam::444455556666:user/alice";
    emu = await startEmulator({ autoApprove: true, identities: [user] });
    const { answer } = await login(emu);
    const result = await sts(emu.url, answer.accessToken).send(new GetCallerIdentityCommand({}));
    expect(result).toMatchObject({ Arn: user, Account: "444455556666" });
    expect(result.UserId).toMatch(/^AIDA[A-Z0-9]{16}$/);
    await emu.close();

    emu = await startEmulator({ autoApprove: true, identities: ["arn:aws:iam::444455556666:root"] });
    const root = await login(emu);
    const rootResult = await sts(emu.url, root.answer.accessToken).send(new GetCallerIdentityCommand({}));
    expect(rootResult).toMatchObject({ Arn: "arn:aws:iam::444455556666:root", UserId: "444455556666" });
  });

  it("refuses bad options", async () => {
    await expect(startEmulator({ identities: ["arn:aws:s3:::bucket"] })).rejects.toThrow(TypeError);
    await expect(startEmulator({ identities: [] })).rejects.toThrow(RangeError);
    await expect(startEmulator({ expiresIn: 901 })).rejects.toThrow(RangeError);
    await expect(startEmulator({ expiresIn: 0 })).rejects.toThrow(RangeError);
    // Marked, so that a caller can tell a bad option from a bug.
    await expect(startEmulator({ codeTtl: -1 })).rejects.toMatchObject({ code: INVALID_EMULATOR_OPTION });
    await expect(startEmulator({ identities: ["x"] })).rejects.toMatchObject({
      code: INVALID_EMULATOR_OPTION,
    });
  });
});

describe("the index page and housekeeping", () => {
  it("GET / shows the base URL, the identities and how to point clients at it", async () => {
    const lines: string[] = [];
    emu = await startEmulator({ logger: (line) => lines.push(line) });
    for (const path of ["/", "/__emulator"]) {
      const res = await get(`${emu.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
      const html = await res.text();
      expect(html).toContain(emu.url);
      expect(html).toContain(DEFAULT_IDENTITY);
      expect(html).toContain("AWS_ENDPOINT_URL_SIGNIN");
      expect(html).not.toMatch(/(src|href)="https?:/);
    }
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^GET \/ 200 \d+ms/);
  });

  it("logs one line per request and never the code, state, tokens or secrets", async () => {
    const lines: string[] = [];
    emu = await startEmulator({ autoApprove: true, logger: (line) => lines.push(line) });
    const { answer } = await login(emu);
    await sts(emu.url, answer.accessToken).send(new GetCallerIdentityCommand({}));
    expect(lines).toHaveLength(3);
    const joined = lines.join("\n");
    for (const secret of [
      answer.refreshToken,
      answer.accessToken.secretAccessKey,
      answer.accessToken.sessionToken,
      answer.accessToken.accessKeyId,
      answer.idToken!,
    ]) {
      expect(joined).not.toContain(secret);
    }
    expect(joined).not.toContain("code=");
  });

  it("close() ends keep-alive connections promptly", async () => {
    emu = await startEmulator();
    const { request } = await import("node:http");
    const { Agent } = await import("node:http");
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      request(`${emu!.url}/__emulator/stats`, { agent }, (res) => {
        res.resume();
        res.on("end", resolve);
      })
        .on("error", reject)
        .end();
    });
    const started = Date.now();
    await emu.close();
    emu = undefined;
    expect(Date.now() - started).toBeLessThan(1000);
    agent.destroy();
  });

  it("answers unknown paths with 404 and wrong methods with 405", async () => {
    emu = await startEmulator();
    expect((await get(`${emu.url}/nope`)).status).toBe(404);
    expect((await get(`${emu.url}/v1/token`)).status).toBe(405);
    expect((await fetch(`${emu.url}/v1/authorize`, { method: "POST" })).status).toBe(405);
  });
});
