import { describe, expect, it } from "vitest";
import {
  consoleDestination,
  consoleLoginUrl,
  federationUrlFor,
  parseSigninTokenAnswer,
  signinTokenRequestUrl,
} from "./console-url.js";

describe("federationUrlFor", () => {
  it.each([
    ["aws", "https://signin.aws.amazon.com/federation"],
    ["aws-cn", "https://signin.amazonaws.cn/federation"],
    ["aws-us-gov", "https://signin.amazonaws-us-gov.com/federation"],
  ])("uses the %s partition's global sign-in host", (partition, url) => {
    expect(
      federationUrlFor(partition, {
        baseUrl: "https://eu-west-1.signin.aws.amazon.com",
        source: "partition",
      }),
    ).toBe(url);
  });

  it("follows an overridden Sign-In endpoint to its origin (the emulator)", () => {
    expect(federationUrlFor("aws", { baseUrl: "http://127.0.0.1:4567", source: "env-signin" })).toBe(
      "http://127.0.0.1:4567/federation",
    );
    expect(
      federationUrlFor("aws", { baseUrl: "https://proxy.example.invalid:8443", source: "recorded" }),
    ).toBe("https://proxy.example.invalid:8443/federation");
  });

  it("refuses a partition without a console", () => {
    expect(() => federationUrlFor("aws-iso", { baseUrl: "https://x.invalid", source: "partition" })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });
});

describe("consoleDestination", () => {
  it("defaults to the console home of the region, per partition", () => {
    expect(consoleDestination(undefined, "aws", "eu-west-1")).toBe(
      "https://console.aws.amazon.com/console/home?region=eu-west-1",
    );
    expect(consoleDestination(undefined, "aws-cn", "cn-north-1")).toBe(
      "https://console.amazonaws.cn/console/home?region=cn-north-1",
    );
  });

  it("turns a service name into its console page", () => {
    expect(consoleDestination("s3", "aws", "us-east-1")).toBe(
      "https://console.aws.amazon.com/s3/home?region=us-east-1",
    );
    expect(consoleDestination("cloudwatch", "aws-us-gov", "us-gov-west-1")).toBe(
      "https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1",
    );
  });

  it("takes a console URL on the partition's console host or a subdomain", () => {
    const url = "https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#Instances:";
    expect(consoleDestination(url, "aws", "us-east-1")).toBe(url);
  });

  it.each([
    "http://console.aws.amazon.com/",
    "https://console.aws.amazon.com.evil.invalid/",
    "https://evilconsole.aws.amazon.com/",
    "https://user:pw@console.aws.amazon.com/",
    "https://console.aws.amazon.com:8443/",
    "https://console.amazonaws.cn/",
    "javascript:alert(1)",
    "S3",
    "s3/../x",
    `https://console.aws.amazon.com/${"a".repeat(2048)}`,
  ])("refuses %s", (value) => {
    expect(() => consoleDestination(value, "aws", "us-east-1")).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });
});

describe("the federation URLs", () => {
  const credentials = { accessKeyId: "ASIAEXAMPLE", secretAccessKey: "se/cr+et=", sessionToken: "to&ken+/=" };

  it("puts the credentials in Session as JSON, URL-encoded whole", () => {
    const url = new URL(signinTokenRequestUrl("https://signin.aws.amazon.com/federation", credentials, 900));
    expect(url.origin + url.pathname).toBe("https://signin.aws.amazon.com/federation");
    expect(url.searchParams.get("Action")).toBe("getSigninToken");
    expect(JSON.parse(url.searchParams.get("Session")!)).toEqual({
      sessionId: "ASIAEXAMPLE",
      sessionKey: "se/cr+et=",
      sessionToken: "to&ken+/=",
    });
    expect(url.searchParams.get("SessionDuration")).toBe("900");
    expect(
      new URL(signinTokenRequestUrl("https://x.invalid/federation", credentials)).searchParams.has(
        "SessionDuration",
      ),
    ).toBe(false);
  });

  it("builds the login URL with Issuer, Destination and the token, each encoded", () => {
    const url = new URL(
      consoleLoginUrl(
        "https://signin.aws.amazon.com/federation",
        "https://console.aws.amazon.com/s3/home?region=us-east-1&x=1",
        "tok+en/=&",
      ),
    );
    expect([...url.searchParams]).toEqual([
      ["Action", "login"],
      ["Issuer", "awslogin"],
      ["Destination", "https://console.aws.amazon.com/s3/home?region=us-east-1&x=1"],
      ["SigninToken", "tok+en/=&"],
    ]);
  });

  it("reads a sign-in token, and refuses anything else without echoing it", () => {
    expect(parseSigninTokenAnswer('{"SigninToken":"abc-_DEF"}')).toBe("abc-_DEF");
    for (const body of [
      "",
      "null",
      "[]",
      '{"SigninToken":1}',
      '{"SigninToken":"a b"}',
      '{"SigninToken":"\\u001b[2J"}',
      "<html>secret</html>",
    ]) {
      let caught: unknown;
      try {
        parseSigninTokenAnswer(body);
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({ code: "BAD_RESPONSE" });
      expect(String((caught as Error).message)).not.toContain("secret");
    }
  });
});
