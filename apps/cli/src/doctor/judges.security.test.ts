import { describe, expect, it } from "vitest";
import { judgeRecordedEndpoint } from "./judges.js";

describe("doctor: a recorded plain-http endpoint beyond loopback is a failure (issue 7 §2)", () => {
  it("fails with the fix, the source and no query", () => {
    const finding = judgeRecordedEndpoint("dev", "http://signin.invalid:8080/base?token=planted");
    expect(finding).toMatchObject({ check: "endpoint", status: "fail" });
    expect(finding?.message).toContain("recorded in its cache file at login");
    expect(finding?.message).toContain('"http://signin.invalid:8080/base"');
    expect(finding?.message).not.toContain("planted");
    expect(finding?.fix).toContain("awslogin login --profile dev --endpoint-url https://");
  });

  it.each([
    "http://127.0.0.1:9000",
    "http://localhost:4566",
    "http://[::1]:1",
    "https://signin.invalid",
    "nope",
  ])("has nothing to say about %s", (endpoint) => {
    expect(judgeRecordedEndpoint("dev", endpoint)).toBeUndefined();
  });
});
