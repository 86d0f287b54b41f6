import { describe, expect, it } from "vitest";
import { partitionOf, resolveSignInEndpoint, signInEndpointEnv } from "./endpoint.js";

describe("partitionOf", () => {
  it.each([
    ["us-east-1", "aws", "amazonaws.com", "api.aws"],
    ["mx-central-1", "aws", "amazonaws.com", "api.aws"],
    ["aws-global", "aws", "amazonaws.com", "api.aws"],
    ["cn-north-1", "aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn"],
    ["us-gov-west-1", "aws-us-gov", "amazonaws.com", "api.aws"],
    ["us-iso-east-1", "aws-iso", "c2s.ic.gov", "c2s.ic.gov"],
    ["us-isob-east-1", "aws-iso-b", "sc2s.sgov.gov", "sc2s.sgov.gov"],
    ["eu-isoe-west-1", "aws-iso-e", "cloud.adc-e.uk", "cloud.adc-e.uk"],
    ["us-isof-south-1", "aws-iso-f", "csp.hci.ic.gov", "csp.hci.ic.gov"],
    ["eusc-de-east-1", "aws-eusc", "amazonaws.eu", "amazonaws.eu"],
    ["xx-unknown-9", "aws", "amazonaws.com", "api.aws"],
  ])("%s → %s", (region, name, dnsSuffix, dualStackDnsSuffix) => {
    expect(partitionOf(region)).toEqual({ name, dnsSuffix, dualStackDnsSuffix });
  });

  it.each(["", "US-EAST-1", "us_east_1", "us-east-1.evil.com", "us-east-1/x"])(
    "rejects region %j",
    (region) => {
      expect(() => partitionOf(region)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    },
  );
});

describe("resolveSignInEndpoint from the partition rules", () => {
  it.each([
    // docs/protocol.md §12 vector 12 (endpoint-tests-1.json, current revision)
    ["us-east-1", "https://us-east-1.signin.aws.amazon.com"],
    ["cn-north-1", "https://cn-north-1.signin.amazonaws.cn"],
    ["us-gov-west-1", "https://us-gov-west-1.signin.amazonaws-us-gov.com"],
    ["us-iso-east-1", "https://us-iso-east-1.signin.c2shome.ic.gov"],
    // docs/protocol.md §1, current rule set
    ["us-isob-east-1", "https://us-isob-east-1.signin.sc2shome.sgov.gov"],
    ["us-isof-south-1", "https://us-isof-south-1.signin.csphome.hci.ic.gov"],
    ["eu-isoe-west-1", "https://eu-isoe-west-1.signin.csphome.adc-e.uk"],
    ["eusc-de-east-1", "https://eusc-de-east-1.signin.amazonaws-eusc.eu"],
    ["eu-central-2", "https://eu-central-2.signin.aws.amazon.com"],
  ])("%s → %s", (region, baseUrl) => {
    expect(resolveSignInEndpoint({ region })).toEqual({
      baseUrl,
      tokenUrl: `${baseUrl}/v1/token`,
      source: "partition",
    });
  });

  it("ignores empty overrides", () => {
    const endpoint = resolveSignInEndpoint({
      region: "us-west-2",
      endpointUrl: "",
      env: { AWS_ENDPOINT_URL_SIGNIN: " ", AWS_ENDPOINT_URL: "" },
    });
    expect(endpoint.source).toBe("partition");
    expect(endpoint.baseUrl).toBe("https://us-west-2.signin.aws.amazon.com");
  });
});

describe("resolveSignInEndpoint with overrides", () => {
  it("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true, carried by signInEndpointEnv, turns the environment's overrides off", () => {
    const overrides = {
      AWS_ENDPOINT_URL_SIGNIN: "http://127.0.0.1:2",
      AWS_ENDPOINT_URL: "http://127.0.0.1:3",
    };
    const ignored = signInEndpointEnv({ ...overrides, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" });
    expect(resolveSignInEndpoint({ region: "us-east-1", env: ignored })).toMatchObject({
      baseUrl: "https://us-east-1.signin.aws.amazon.com",
      source: "partition",
    });
    // Never the caller's explicit endpoint.
    expect(
      resolveSignInEndpoint({ region: "us-east-1", endpointUrl: "http://127.0.0.1:1", env: ignored }).source,
    ).toBe("flag");
    const kept = signInEndpointEnv({ ...overrides, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "false" });
    expect(resolveSignInEndpoint({ region: "us-east-1", env: kept }).source).toBe("env-signin");
  });

  it("docs/protocol.md §1: a custom endpoint passes through; baseUrl drops the path, tokenUrl keeps it", () => {
    expect(resolveSignInEndpoint({ region: "us-east-1", endpointUrl: "http://127.0.0.1:9000/x" })).toEqual({
      baseUrl: "http://127.0.0.1:9000",
      tokenUrl: "http://127.0.0.1:9000/x/v1/token",
      source: "flag",
    });
  });

  it("trims trailing slashes", () => {
    expect(
      resolveSignInEndpoint({ region: "us-east-1", endpointUrl: "https://signin.example.com/a/b//" }),
    ).toEqual({
      baseUrl: "https://signin.example.com",
      tokenUrl: "https://signin.example.com/a/b/v1/token",
      source: "flag",
    });
    expect(
      resolveSignInEndpoint({ region: "us-east-1", endpointUrl: "http://localhost:8080/" }).tokenUrl,
    ).toBe("http://localhost:8080/v1/token");
  });

  it("precedence: flag → AWS_ENDPOINT_URL_SIGNIN → AWS_ENDPOINT_URL → partition", () => {
    const env = { AWS_ENDPOINT_URL_SIGNIN: "http://127.0.0.1:2", AWS_ENDPOINT_URL: "http://127.0.0.1:3" };
    expect(
      resolveSignInEndpoint({ region: "us-east-1", endpointUrl: "http://127.0.0.1:1", env }),
    ).toMatchObject({
      baseUrl: "http://127.0.0.1:1",
      source: "flag",
    });
    expect(resolveSignInEndpoint({ region: "us-east-1", env })).toMatchObject({
      baseUrl: "http://127.0.0.1:2",
      source: "env-signin",
    });
    expect(
      resolveSignInEndpoint({ region: "us-east-1", env: { AWS_ENDPOINT_URL: env.AWS_ENDPOINT_URL } }),
    ).toEqual({
      baseUrl: "http://127.0.0.1:3",
      tokenUrl: "http://127.0.0.1:3/v1/token",
      source: "env",
    });
  });

  it("keeps IPv6 hosts bracketed", () => {
    expect(resolveSignInEndpoint({ region: "us-east-1", endpointUrl: "http://[::1]:4000" }).tokenUrl).toBe(
      "http://[::1]:4000/v1/token",
    );
  });

  it.each([
    "ftp://example.com",
    "example.com",
    "http://",
    "https://user:secret@example.com",
    "https://x.com/?a=1",
  ])("rejects override %j with INVALID_ARGUMENT", (endpointUrl) => {
    let thrown: unknown;
    try {
      resolveSignInEndpoint({ region: "us-east-1", endpointUrl });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: "INVALID_ARGUMENT" });
    expect((thrown as Error).message).toContain("--endpoint-url");
    expect((thrown as Error).message).not.toContain("secret");
  });

  it("names the variable that holds a bad override", () => {
    expect(() =>
      resolveSignInEndpoint({ region: "us-east-1", env: { AWS_ENDPOINT_URL_SIGNIN: "nope" } }),
    ).toThrow(/AWS_ENDPOINT_URL_SIGNIN/);
  });

  it("validates the region even when an override is given", () => {
    expect(() => resolveSignInEndpoint({ region: "Bad Region", endpointUrl: "http://127.0.0.1:1" })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });
});
