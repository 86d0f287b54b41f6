import { chmodSync } from "node:fs";
import { dirname } from "node:path";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "@awslogin/emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fromLoginCredentials, LoginCredentialsProviderError } from "../src/index.js";
import { createSandbox, type Sandbox, signIn } from "./helpers.js";

let emulator: Emulator | undefined;
let sandbox: Sandbox;
beforeEach(() => {
  sandbox = createSandbox();
  sandbox.activate({ AWS_ENDPOINT_URL: "http://127.0.0.1:9" });
});
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  sandbox.cleanup();
});

describe("the provider does not trust a cache folder other users can write (issue 7 §8)", () => {
  it("a world-writable cache folder: CACHE_DIRECTORY_UNSAFE, not the next provider, no credentials", async () => {
    emulator = await startEmulator({ autoApprove: true });
    await signIn(emulator, sandbox, { profile: "dev" });
    const folder = dirname(sandbox.cachePath(DEFAULT_IDENTITY));
    expect((await fromLoginCredentials({ profile: "dev" })()).accessKeyId).toMatch(/^ASIA/);
    chmodSync(folder, 0o777);
    const error = await fromLoginCredentials({ profile: "dev" })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(LoginCredentialsProviderError.isInstance(error)).toBe(true);
    const providerError = error as LoginCredentialsProviderError;
    expect(providerError.code).toBe("CACHE_DIRECTORY_UNSAFE");
    expect(providerError.tryNextLink).toBe(false);
    expect(providerError.message).toContain(`chmod 700 ${folder}`);
  });
});
