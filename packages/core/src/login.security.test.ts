/**
 * A login session (the ID token's `sub`) with control characters never reaches the cache or `~/.aws/config`, and
 * is reported as a bad answer of the service, not as a usage error (issue 7 §6).
 */
import { describe, expect, it } from "vitest";
import { login } from "./login.js";
import { hasUnprintable } from "./printable.js";
import { loginHarness, loginOptions } from "./testing/login-harness.js";

describe("login with a hostile ID token subject", () => {
  it.each([
    "arn:aws:sts::111122223333:assumed-role/R/s\u001b]52;c;ZXZpbA==\u0007",
    "arn:aws:sts::111122223333:assumed-role/R/s\n[profile evil]\ncredential_process = sh -c id",
    "arn:aws:sts::111122223333:assumed-role/R/s\u202e",
  ])("refuses %j with INVALID_ID_TOKEN, writing neither the cache nor the config", async (sub) => {
    const h = loginHarness("", { sub });
    const signingIn = login(h.deps, loginOptions());
    await expect(signingIn).rejects.toMatchObject({ code: "INVALID_ID_TOKEN" });
    await expect(signingIn).rejects.toSatisfy((error: Error) => !hasUnprintable(error.message));
    expect(h.journal).toEqual([]);
    expect(h.transport.calls).toBe(1);
  });
});
