import { chmodSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { parseTokenCache } from "@awslogin/core";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "@awslogin/emulator";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fromLoginCredentials, RETRY_AFTER_FAILURE_MS } from "../src/index.js";
import {
  createSandbox,
  providerRejection,
  readJson,
  recordingLogger,
  type Sandbox,
  sdkConfig,
  setExpiresIn,
  signIn,
  writeText,
} from "./helpers.js";

let emulator: Emulator | undefined;
let sandbox: Sandbox;

beforeEach(() => {
  sandbox = createSandbox();
  // A dead local port as the last resort: a refresh that lost its endpoint fails here, never reaching AWS.
  sandbox.activate({ AWS_ENDPOINT_URL: "http://127.0.0.1:9" });
});

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  sandbox.cleanup();
});

async function start(options: Parameters<typeof startEmulator>[0] = {}): Promise<Emulator> {
  emulator = await startEmulator({ autoApprove: true, ...options });
  return emulator;
}

const refreshes = () => emulator!.stats().tokenRequests.refresh_token;
const cacheFile = () => sandbox.cachePath(DEFAULT_IDENTITY);
const cacheText = () => readFileSync(cacheFile(), "utf8");

describe("cached credentials", () => {
  it("returns the cached credentials without a token call, and STS accepts them", async () => {
    await start();
    await signIn(emulator!, sandbox, { profile: "dev" });
    const record = parseTokenCache(cacheText(), cacheFile());

    const credentials = await fromLoginCredentials({ profile: "dev" })();
    expect(credentials).toEqual({
      accessKeyId: record.accessToken.accessKeyId,
      secretAccessKey: record.accessToken.secretAccessKey,
      sessionToken: record.accessToken.sessionToken,
      accountId: "111122223333",
      expiration: new Date(Date.parse(record.accessToken.expiresAt)),
      $source: { CREDENTIALS_LOGIN: "AD" },
    });
    expect(refreshes()).toBe(0);

    // The type is the SDK's provider type; the client calls it with its callerClientConfig.
    const provider: AwsCredentialIdentityProvider = fromLoginCredentials({ profile: "dev" });
    const sts = new STSClient({ region: "us-east-1", endpoint: emulator!.url, credentials: provider });
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(DEFAULT_IDENTITY);
    expect(identity.Account).toBe("111122223333");
    expect(emulator!.stats().sts.ok).toBe(1);
    expect(refreshes()).toBe(0);
  });

  it("works from the built ESM and CommonJS entry points", async () => {
    await start();
    await signIn(emulator!, sandbox, { profile: "dev" });
    type Module = { fromLoginCredentials: typeof fromLoginCredentials };
    const esm = (await import(new URL("../dist/index.js", import.meta.url).href)) as Module;
    const cjs = createRequire(import.meta.url)("../dist/index.cjs") as Module;
    const [a, b] = await Promise.all([esm, cjs].map((m) => m.fromLoginCredentials({ profile: "dev" })()));
    expect(a!.accountId).toBe("111122223333");
    expect(b).toEqual(a);
    const missing = await cjs
      .fromLoginCredentials({ profile: "nope" })()
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({
      name: "CredentialsProviderError",
      tryNextLink: true,
      code: "PROFILE_NOT_FOUND",
    });
  });

  it("takes the profile from the calling client, then AWS_PROFILE, then default", async () => {
    await start();
    await signIn(emulator!, sandbox, { profile: "from-client" });
    const viaCaller = await fromLoginCredentials()({ callerClientConfig: { profile: "from-client" } });
    expect(viaCaller.accountId).toBe("111122223333");

    const missing = await providerRejection(fromLoginCredentials()());
    expect(missing.code).toBe("PROFILE_NOT_FOUND");
    expect(missing.message).toContain("default");

    process.env.AWS_PROFILE = "from-client";
    expect((await fromLoginCredentials()()).accessKeyId).toBe(viaCaller.accessKeyId);
  });

  it("honours configFilepath and filepath, and a login_session in the credentials file", async () => {
    await start();
    await signIn(emulator!, sandbox, { profile: "dev" });
    const config = readFileSync(sandbox.configPath, "utf8");
    const elsewhere = `${sandbox.dir}/elsewhere-config`;
    writeText(elsewhere, config);
    rmSync(sandbox.configPath);
    await providerRejection(fromLoginCredentials({ profile: "dev" })());
    expect((await fromLoginCredentials({ profile: "dev", configFilepath: elsewhere })()).accountId).toBe(
      "111122223333",
    );

    // The SDK merges ~/.aws/credentials over ~/.aws/config: [dev] there counts, [profile dev] does not.
    const credentialsFile = `${sandbox.dir}/creds`;
    writeText(
      credentialsFile,
      `[profile dev]\nlogin_session = nope\n[dev]\nlogin_session = ${DEFAULT_IDENTITY}\n`,
    );
    const viaCredentials = await fromLoginCredentials({ profile: "dev", filepath: credentialsFile })();
    expect(viaCredentials.accountId).toBe("111122223333");
    expect(refreshes()).toBe(0);
  });
});

describe("refresh", () => {
  it("refreshes due credentials once, rewriting the cache in the AWS CLI form with unknown keys kept", async () => {
    await start({ expiresIn: 60 }); // due at once: 60 s is inside the 5-minute threshold
    await signIn(emulator!, sandbox, { profile: "dev" });
    const before = readJson(cacheFile()) as Record<string, unknown> & {
      accessToken: Record<string, unknown>;
      refreshToken: string;
    };
    writeFileSync(
      cacheFile(),
      JSON.stringify({
        ...before,
        accessToken: { ...before.accessToken, "x-other-tool": 1 },
        "x-other-tool": { kept: true },
      }),
    );
    chmodSync(cacheFile(), 0o644);

    const credentials = await fromLoginCredentials({ profile: "dev" })();
    expect(refreshes()).toBe(1);

    const text = cacheText();
    expect(text).toMatch(/^\{"accessToken": \{"accessKeyId": "ASIA/);
    expect(text).not.toContain("\n");
    expect(statSync(cacheFile()).mode & 0o777).toBe(0o600);
    const after = readJson(cacheFile()) as typeof before;
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.accessToken.accessKeyId).not.toBe(before.accessToken.accessKeyId);
    expect(after.accessToken["x-other-tool"]).toBe(1);
    expect(after["x-other-tool"]).toEqual({ kept: true });
    for (const key of ["clientId", "idToken", "dpopKey", "tokenType", "signInRegion", "awslogin"]) {
      expect(after[key], key).toEqual(before[key]);
    }
    expect(credentials.accessKeyId).toBe(after.accessToken.accessKeyId);
    expect(credentials.sessionToken).toBe(after.accessToken.sessionToken);
    expect(credentials.expiration.getTime()).toBe(Date.parse(after.accessToken.expiresAt as string));
  });

  it("shares one in-flight refresh between concurrent calls of one instance", async () => {
    await start({ expiresIn: 60 });
    await signIn(emulator!, sandbox, { profile: "dev" });
    emulator!.injectFault({ count: 1, delayMs: 300 }); // keeps the refresh open while the calls pile up
    const provider = fromLoginCredentials({ profile: "dev" });
    const all = await Promise.all(Array.from({ length: 20 }, () => provider()));
    expect(refreshes()).toBe(1);
    expect(new Set(all.map((c) => c.accessKeyId)).size).toBe(1);
    // Each caller gets its own object: changing one changes nothing cached.
    expect(all[0]).not.toBe(all[1]);
  });

  it("refreshes expired credentials once across provider instances: the others wait on the lock and read the result", async () => {
    await start();
    await signIn(emulator!, sandbox, { profile: "dev" });
    // Expired: valid (if due) credentials would be served at once by the instances that find the lock held.
    setExpiresIn(cacheFile(), -1);
    emulator!.injectFault({ count: 1, delayMs: 300 });
    const all = await Promise.all(
      Array.from({ length: 5 }, () => fromLoginCredentials({ profile: "dev" })()),
    );
    expect(refreshes()).toBe(1);
    expect(new Set(all.map((c) => c.accessKeyId)).size).toBe(1);
    expect(all[0]!.accessKeyId).toBe(parseTokenCache(cacheText(), cacheFile()).accessToken.accessKeyId);
  });

  it("sends the refresh to clientConfig.endpoint in any SDK endpoint form", async () => {
    await start();
    // Signed in without recording the endpoint, as `aws login` against the real service would be.
    await signIn(emulator!, sandbox, { profile: "dev", recordEndpoint: false });
    const url = emulator!.url;
    const forms = [url, new URL(url), { url: new URL(url) }, async () => ({ url: new URL(url) })];
    for (const [i, endpoint] of forms.entries()) {
      setExpiresIn(cacheFile(), 60);
      await fromLoginCredentials({ profile: "dev", clientConfig: { endpoint } })();
      expect(refreshes()).toBe(i + 1);
    }
    // Without it the refresh goes to AWS_ENDPOINT_URL (a dead local port here) and fails.
    setExpiresIn(cacheFile(), -1);
    const error = await providerRejection(fromLoginCredentials({ profile: "dev" })());
    expect(error.code).toBe("NETWORK");
  });
});

describe("the Sign-In endpoint from the config file (issue 9 §1)", () => {
  /** Adds `services = local` to profile dev and the section pointing Sign-In at the emulator. */
  function pointServicesAtEmulator(extra = ""): void {
    const text = readFileSync(sandbox.configPath, "utf8");
    expect(text).toContain("[profile dev]\n");
    writeText(
      sandbox.configPath,
      `${text.replace("[profile dev]\n", `[profile dev]\nservices = local\n${extra}`)}\n[services local]\nsignin =\n  endpoint_url = ${emulator!.url}\n`,
    );
  }

  it("refreshes at the profile's services section's signin endpoint_url", async () => {
    await start();
    // No endpoint recorded: without the services section the refresh would go to the region's public endpoint.
    await signIn(emulator!, sandbox, { profile: "dev", recordEndpoint: false });
    pointServicesAtEmulator();
    setExpiresIn(cacheFile(), 60);
    await fromLoginCredentials({ profile: "dev" })();
    expect(refreshes()).toBe(1);
  });

  it("a services name without its section: a cache hit is still served, an expired session fails with CONFIG_MALFORMED", async () => {
    await start();
    await signIn(emulator!, sandbox, { profile: "dev", recordEndpoint: false });
    const text = readFileSync(sandbox.configPath, "utf8");
    writeText(sandbox.configPath, text.replace("[profile dev]\n", "[profile dev]\nservices = nowhere\n"));
    expect((await fromLoginCredentials({ profile: "dev" })()).accessKeyId).toMatch(/^ASIA/);
    // Expired: credentials that still work would be served with a warning, as after any failed refresh.
    setExpiresIn(cacheFile(), -1);
    // ignoreCache: the first call's answer is still in memory.
    const error = await providerRejection(fromLoginCredentials({ profile: "dev", ignoreCache: true })());
    expect(error.code).toBe("CONFIG_MALFORMED");
    expect(error.message).toContain("[services nowhere]");
    expect(refreshes()).toBe(0);
  });
});

describe("memory", () => {
  it("answers warm calls from memory without reading any file", async () => {
    await start();
    await signIn(emulator!, sandbox, { profile: "dev" });
    const provider = fromLoginCredentials({ profile: "dev" });
    const first = await provider();

    // Nothing left to read: no config, no cache, not even the folder.
    rmSync(`${sandbox.dir}/.aws`, { recursive: true });
    const second = await provider();
    expect(second).toEqual(first);
    expect(refreshes()).toBe(0);

    // Reading would have failed: a new instance, and ignoreCache, go to the (gone) files.
    const fresh = await providerRejection(fromLoginCredentials({ profile: "dev" })());
    expect(fresh.tryNextLink).toBe(true);
    const ignoring = await providerRejection(fromLoginCredentials({ profile: "dev", ignoreCache: true })());
    expect(ignoring.code).toBe("PROFILE_NOT_FOUND");
  });

  it("keeps one entry per profile and files", async () => {
    await start();
    await signIn(emulator!, sandbox, { profile: "a" });
    const provider = fromLoginCredentials();
    const a = await provider({ callerClientConfig: { profile: "a" } });
    const b = await providerRejection(provider({ callerClientConfig: { profile: "b" } }));
    expect(b.code).toBe("PROFILE_NOT_FOUND");
    expect((await provider({ callerClientConfig: { profile: "a" } })).accessKeyId).toBe(a.accessKeyId);
  });

  it("ignoreCache reads the files and decides from them on every call", async () => {
    await start();
    await signIn(emulator!, sandbox, { profile: "dev" });
    const cached = fromLoginCredentials({ profile: "dev" });
    const ignoring = fromLoginCredentials({ profile: "dev", ignoreCache: true });
    const original = await cached();
    expect((await ignoring()).accessKeyId).toBe(original.accessKeyId);

    // Another tool replaced the credentials on disk.
    const record = parseTokenCache(cacheText(), cacheFile());
    record.accessToken.accessKeyId = "ASIAREPLACEDBYANOTHERTOOL";
    writeFileSync(cacheFile(), JSON.stringify(record));
    expect((await cached()).accessKeyId).toBe(original.accessKeyId);
    expect((await ignoring()).accessKeyId).toBe("ASIAREPLACEDBYANOTHERTOOL");
    expect(refreshes()).toBe(0);

    // Due on disk: ignoreCache refreshes at once; the cached instance serves memory while it is fresh.
    setExpiresIn(cacheFile(), 60);
    const refreshed = await ignoring();
    expect(refreshes()).toBe(1);
    expect(refreshed.accessKeyId).not.toBe("ASIAREPLACEDBYANOTHERTOOL");
    expect((await cached()).accessKeyId).toBe(original.accessKeyId);
  });
});

describe("errors", () => {
  for (const error of ["TOKEN_EXPIRED", "USER_CREDENTIALS_CHANGED", "INSUFFICIENT_PERMISSIONS"] as const) {
    it(`${error} ends the chain, names the login command and keeps the cached session as it was`, async () => {
      await start({ expiresIn: 60 });
      await signIn(emulator!, sandbox, { profile: "dev" });
      const before = cacheText();
      emulator!.injectFault({ count: 2, error }); // this call, and the chain's below
      const failure = await providerRejection(fromLoginCredentials({ profile: "dev" })());
      expect(failure.tryNextLink).toBe(false);
      expect(failure.code).toBe(error);
      expect(failure.message).toContain(
        "`aws login --profile dev` (AWS CLI 2.32+) or `awslogin login --profile dev`",
      );
      // Credentials, refresh token and key are untouched; only the refusal is recorded (for `awslogin status`).
      const { awslogin: afterMeta, ...after } = parseTokenCache(cacheText(), cacheFile());
      const { awslogin: beforeMeta, ...original } = parseTokenCache(before, cacheFile());
      expect(after).toEqual(original);
      const refusal =
        error === "TOKEN_EXPIRED" || error === "USER_CREDENTIALS_CHANGED"
          ? { refreshRefused: { code: error } }
          : {};
      expect(afterMeta).toMatchObject({ ...beforeMeta, ...refusal });
      expect(refreshes()).toBe(1);
      // An SDK chain stops at it.
      const next = async () => ({ accessKeyId: "AKIDNEXT", secretAccessKey: "next" });
      await expect(sdkConfig.chain(fromLoginCredentials({ profile: "dev" }), next)()).rejects.toMatchObject({
        name: "CredentialsProviderError",
        tryNextLink: false,
      });
    });
  }

  for (const [name, fault] of [
    ["429", { status: 429 }],
    ["500", { status: 500 }],
    ["a dropped connection", { drop: true }],
  ] as const) {
    it(`${name} with credentials that still work: returns them and warns, without secrets`, async () => {
      await start({ expiresIn: 200 }); // due (under 5 minutes) but valid for 200 s
      await signIn(emulator!, sandbox, { profile: "dev" });
      const before = cacheText();
      const record = parseTokenCache(before, cacheFile());
      const { logger, warnings } = recordingLogger();
      emulator!.injectFault({ count: 3, ...fault }); // every attempt of the token client's retries
      const provider = fromLoginCredentials({ profile: "dev", logger });
      const credentials = await provider();
      expect(credentials.accessKeyId).toBe(record.accessToken.accessKeyId);
      expect(refreshes()).toBe(3);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/THROTTLED|SERVER_ERROR|NETWORK/);
      for (const secret of [
        record.refreshToken,
        record.accessToken.secretAccessKey,
        record.accessToken.sessionToken,
      ]) {
        expect(warnings[0]).not.toContain(secret);
      }
      expect(cacheText()).toBe(before);

      // The next attempt waits RETRY_AFTER_FAILURE_MS; meanwhile the credentials come from memory.
      expect(RETRY_AFTER_FAILURE_MS).toBe(30_000);
      expect((await provider()).accessKeyId).toBe(record.accessToken.accessKeyId);
      expect(refreshes()).toBe(3);
      // ignoreCache tries again (and succeeds: the faults are used up).
      const again = await fromLoginCredentials({ profile: "dev", ignoreCache: true })();
      expect(refreshes()).toBe(4);
      expect(again.accessKeyId).not.toBe(record.accessToken.accessKeyId);
    });

    it(`${name} with expired credentials: fails, tryNextLink false`, async () => {
      await start();
      await signIn(emulator!, sandbox, { profile: "dev" });
      setExpiresIn(cacheFile(), -10);
      const before = cacheText();
      emulator!.injectFault({ count: 3, ...fault });
      const { logger, warnings } = recordingLogger();
      const failure = await providerRejection(fromLoginCredentials({ profile: "dev", logger })());
      expect(failure.tryNextLink).toBe(false);
      expect(["THROTTLED", "SERVER_ERROR", "NETWORK"]).toContain(failure.code);
      expect(warnings).toEqual([]);
      expect(cacheText()).toBe(before);
    });
  }

  it("a malformed cache file: CACHE_MALFORMED, the file untouched", async () => {
    await start();
    await signIn(emulator!, sandbox, { profile: "dev" });
    const record = readJson(cacheFile());
    delete record.refreshToken;
    const broken = JSON.stringify(record);
    writeFileSync(cacheFile(), broken);
    const failure = await providerRejection(fromLoginCredentials({ profile: "dev" })());
    expect(failure.code).toBe("CACHE_MALFORMED");
    expect(failure.tryNextLink).toBe(false);
    expect(failure.message).toContain("refreshToken");
    expect(failure.message).not.toContain(
      (record.accessToken as { secretAccessKey: string }).secretAccessKey,
    );
    expect(cacheText()).toBe(broken);

    writeFileSync(cacheFile(), '{"accessToken": {"accessKeyId": "ASIA');
    expect((await providerRejection(fromLoginCredentials({ profile: "dev" })())).code).toBe(
      "CACHE_MALFORMED",
    );
    expect(cacheText()).toBe('{"accessToken": {"accessKeyId": "ASIA');
    expect(refreshes()).toBe(0);
  });

  it("a login profile without its cache file: CACHE_MISSING, tryNextLink false", async () => {
    writeText(sandbox.configPath, `[profile dev]\nlogin_session = ${DEFAULT_IDENTITY}\nregion = us-east-1\n`);
    const failure = await providerRejection(fromLoginCredentials({ profile: "dev" })());
    expect(failure.code).toBe("CACHE_MISSING");
    expect(failure.tryNextLink).toBe(false);
    expect(failure.message).toContain(
      "`aws login --profile dev` (AWS CLI 2.32+) or `awslogin login --profile dev`",
    );
  });

  it("no such profile, or no login_session: tryNextLink true, and an SDK chain goes on", async () => {
    writeText(
      sandbox.configPath,
      "[profile keys]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = x\n",
    );
    const missing = await providerRejection(fromLoginCredentials({ profile: "nope" })());
    expect(missing.tryNextLink).toBe(true);
    expect(missing.code).toBe("PROFILE_NOT_FOUND");
    const notLogin = await providerRejection(fromLoginCredentials({ profile: "keys" })());
    expect(notLogin.tryNextLink).toBe(true);
    expect(notLogin.code).toBe("PROFILE_NOT_LOGIN");
    expect(notLogin.message).toContain("login_session");

    const next = { accessKeyId: "AKIDNEXT", secretAccessKey: "next" };
    const chained = sdkConfig.chain(fromLoginCredentials({ profile: "keys" }), async () => next);
    await expect(chained()).resolves.toEqual(next);
    // The same decision as the official provider for the same profile.
    const { officialFromLoginCredentials } = await import("./helpers.js");
    await expect(officialFromLoginCredentials({ profile: "keys" })()).rejects.toMatchObject({
      name: "CredentialsProviderError",
      tryNextLink: true,
    });
  });
});
