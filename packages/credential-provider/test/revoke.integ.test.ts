/**
 * After core's revokeProfileSession (what `awslogin logout --revoke` runs), a copy of the session's cache file can no
 * longer be refreshed through our provider: the service ended the whole rotation chain. @see docs/protocol.md §16.2
 */
import { copyFileSync, existsSync } from "node:fs";
import { revokeProfileSession } from "@awslogin/core/node";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "@awslogin/emulator";
import { afterEach, beforeEach, expect, it } from "vitest";
import { fromLoginCredentials } from "../src/index.js";
import { createSandbox, providerRejection, type Sandbox, setExpiresIn, signIn } from "./helpers.js";

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

it("a revoked session's copy fails to refresh through fromLoginCredentials with TOKEN_EXPIRED", async () => {
  emulator = await startEmulator({ autoApprove: true });
  await signIn(emulator, sandbox, { profile: "dev" });
  const file = sandbox.cachePath(DEFAULT_IDENTITY);
  const copy = `${file}.copy`;
  copyFileSync(file, copy);

  const result = await revokeProfileSession({ profile: "dev" });
  expect(result).toMatchObject({ outcome: "revoked", refreshed: false });
  expect(existsSync(file)).toBe(false);

  copyFileSync(copy, file);
  setExpiresIn(file, 60);
  const error = await providerRejection(fromLoginCredentials({ profile: "dev" })());
  expect(error.code).toBe("TOKEN_EXPIRED");
  expect(emulator.stats().tokenResults.TOKEN_EXPIRED).toBe(1);
});
