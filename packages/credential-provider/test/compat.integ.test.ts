/**
 * Compatibility both ways with the official `@aws-sdk/credential-provider-login` (issue 3 §5), on the same
 * files: what one refreshes, the other reads, and neither loses the other's keys. @see docs/protocol.md §6, §15
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { formatExpiresAt, parseTokenCache } from "@awslogin/core";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "@awslogin/emulator";
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import { fromLoginCredentials } from "../src/index.js";
import { createSandbox, officialFromLoginCredentials, readJson, type Sandbox, signIn } from "./helpers.js";

let emulator: Emulator;
let sandbox: Sandbox;

beforeEach(async () => {
  sandbox = createSandbox();
  sandbox.activate({ AWS_ENDPOINT_URL: "http://127.0.0.1:9" }); // never AWS, whatever goes wrong
  emulator = await startEmulator({ autoApprove: true });
});

afterEach(async () => {
  await emulator.close();
  sandbox.cleanup();
});

const refreshes = () => emulator.stats().tokenRequests.refresh_token;
const cacheFile = () => sandbox.cachePath(DEFAULT_IDENTITY);
const cacheText = () => readFileSync(cacheFile(), "utf8");

/** Makes the cached credentials due (60 s left), keeping the file's own format otherwise. */
function makeDue(): void {
  const record = JSON.parse(cacheText()) as { accessToken: { expiresAt: string } };
  record.accessToken.expiresAt = formatExpiresAt(Date.now() + 60_000);
  writeFileSync(cacheFile(), JSON.stringify(record));
}

describe("the official provider refreshes what awslogin wrote; awslogin reads it back", () => {
  it("keeps signInRegion, the awslogin key and the file mode; ours then serves its credentials without a call", async () => {
    await signIn(emulator, sandbox, { profile: "dev" });
    makeDue();
    const before = readJson(cacheFile());

    const official = await officialFromLoginCredentials({
      profile: "dev",
      clientConfig: { endpoint: emulator.url },
    })();
    expect(refreshes()).toBe(1);
    const text = cacheText();
    // The SDK's form: JSON.stringify(token, null, 2), toISOString() expiry.
    expect(text).toMatch(/^\{\n {2}"accessToken": \{/);
    const after = readJson(cacheFile()) as typeof before & { accessToken: Record<string, string> };
    expect(after.accessToken.expiresAt).toMatch(/\.\d{3}Z$/);
    expect(after.accessToken.accessKeyId).toBe(official.accessKeyId);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.signInRegion).toBe("us-east-1");
    expect(after.awslogin).toEqual(before.awslogin);
    expect(after.awslogin).toEqual(expect.objectContaining({ endpoint: emulator.url }));
    // It writes in place, so the AWS CLI mode of the file survives.
    expect(statSync(cacheFile()).mode & 0o777).toBe(0o600);

    const ours = await fromLoginCredentials({ profile: "dev" })();
    expect(refreshes()).toBe(1);
    expect(ours).toEqual({ ...official, $source: { CREDENTIALS_LOGIN: "AD" } });
    // Our parser accepts the SDK's file as it stands.
    expect(() => parseTokenCache(text, cacheFile())).not.toThrow();

    // And ours refreshes the SDK's file, going back to the AWS CLI form with everything kept.
    makeDue();
    const refreshed = await fromLoginCredentials({ profile: "dev" })();
    expect(refreshes()).toBe(2);
    expect(cacheText()).toMatch(/^\{"accessToken": \{"accessKeyId": "ASIA/);
    const final = readJson(cacheFile()) as typeof after;
    expect(final.accessToken.accessKeyId).toBe(refreshed.accessKeyId);
    expect(final.awslogin).toEqual(before.awslogin);
  });

  it("follows AWS_ENDPOINT_URL_SIGNIN as well", async () => {
    await signIn(emulator, sandbox, { profile: "dev" });
    makeDue();
    process.env.AWS_ENDPOINT_URL_SIGNIN = emulator.url;
    const official = await officialFromLoginCredentials({ profile: "dev" })();
    expect(refreshes()).toBe(1);
    expect((await fromLoginCredentials({ profile: "dev" })()).accessKeyId).toBe(official.accessKeyId);
    expect(refreshes()).toBe(1);
  });

  it("refreshes in the cache's signInRegion, over clientConfig.region, the profile's and the caller's", async () => {
    await signIn(emulator, sandbox, { profile: "dev", region: "eu-west-1" });
    writeFileSync(
      sandbox.configPath,
      `[profile dev]\nlogin_session = ${DEFAULT_IDENTITY}\nregion = us-west-2\n`,
    );
    expect(readJson(cacheFile()).signInRegion).toBe("eu-west-1");
    // No endpoint override: the host names the region. A request handler that answers 500 itself sees
    // where the SDK would go, and nothing leaves the process (so the AWS_ENDPOINT_URL safety net can go).
    delete process.env.AWS_ENDPOINT_URL;
    const hosts: string[] = [];
    const requestHandler = {
      async handle(request: { hostname: string }) {
        hosts.push(request.hostname);
        const body = new TextEncoder().encode('{"error":"server_error","message":"test double"}');
        const headers = { "content-type": "application/json", "x-amzn-errortype": "InternalServerException" };
        return { response: { statusCode: 500, headers, body } };
      },
    };
    const refreshWith = () =>
      officialFromLoginCredentials({
        profile: "dev",
        clientConfig: { region: "ca-central-1", requestHandler } as never,
      })({ callerClientConfig: { region: async () => "ap-south-1" } } as never);
    makeDue();
    const stale = await refreshWith(); // due but valid: the SDK warns and keeps them
    expect(stale.accessKeyId).toBe(parseTokenCache(cacheText(), cacheFile()).accessToken.accessKeyId);
    expect(hosts.length).toBeGreaterThan(0);
    expect(new Set(hosts)).toEqual(new Set(["eu-west-1.signin.aws.amazon.com"]));

    // Without signInRegion, clientConfig.region comes next (then the profile's, then the caller's), as in ours.
    const record = readJson(cacheFile());
    delete record.signInRegion;
    writeFileSync(cacheFile(), JSON.stringify(record));
    hosts.length = 0;
    await refreshWith();
    expect(new Set(hosts)).toEqual(new Set(["ca-central-1.signin.aws.amazon.com"]));
    expect(refreshes()).toBe(0);

    // Ours refreshes the same file through the endpoint recorded at login.
    await fromLoginCredentials({ profile: "dev" })();
    expect(refreshes()).toBe(1);
  });
});

describe("awslogin refreshes; the official provider reads it", () => {
  it("serves our refreshed credentials without a call of its own", async () => {
    await signIn(emulator, sandbox, { profile: "dev" });
    makeDue();
    const ours = await fromLoginCredentials({ profile: "dev" })();
    expect(refreshes()).toBe(1);
    expect(cacheText()).toMatch(/^\{"accessToken": /);
    expect(statSync(cacheFile()).mode & 0o777).toBe(0o600);

    const official = await officialFromLoginCredentials({
      profile: "dev",
      clientConfig: { endpoint: emulator.url },
    })();
    expect(refreshes()).toBe(1);
    const { $source: _ours, ...oursPlain } = ours;
    const { $source: _theirs, ...theirsPlain } = official as typeof official & { $source?: unknown };
    expect(theirsPlain).toEqual(oursPlain);
    expect((official as { $source?: unknown }).$source).toEqual({ CREDENTIALS_LOGIN: "AD" });
  });

  it("the official provider refreshes our rotated token (the DPoP key binding holds across writers)", async () => {
    await signIn(emulator, sandbox, { profile: "dev" });
    makeDue();
    await fromLoginCredentials({ profile: "dev" })();
    makeDue();
    const official = await officialFromLoginCredentials({
      profile: "dev",
      clientConfig: { endpoint: emulator.url },
    })();
    expect(refreshes()).toBe(2);
    expect(official.accessKeyId).toBe(parseTokenCache(cacheText(), cacheFile()).accessToken.accessKeyId);
  });
});

describe("types", () => {
  it("is a drop-in for the official fromLoginCredentials (its options in, its provider type out)", () => {
    // Checked by the compiler (tsc --noEmit): ours accepts every options object typed for the official
    // provider, and returns what an SDK client's `credentials` option takes.
    expectTypeOf(fromLoginCredentials).toExtend<typeof officialFromLoginCredentials>();
    expect(typeof fromLoginCredentials).toBe("function");
  });
});
