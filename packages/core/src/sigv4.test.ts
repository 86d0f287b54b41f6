import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest as SmithyRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { HttpRequest } from "./ports.js";
import { signRequest } from "./sigv4.js";

// The credentials and time of AWS's published Signature Version 4 test suite.
const SUITE = {
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
  region: "us-east-1",
  service: "service",
  now: Date.UTC(2015, 7, 30, 12, 36, 0),
};

describe("signRequest", () => {
  it("matches the AWS test suite's get-vanilla signature", () => {
    const signed = signRequest({ method: "GET", url: "https://example.amazonaws.com/", headers: {} }, SUITE);
    expect(signed.headers["X-Amz-Date"]).toBe("20150830T123600Z");
    expect(signed.headers.Authorization).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, " +
        "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    );
  });

  it("sends the session token and signs it", () => {
    const signed = signRequest(
      {
        method: "POST",
        url: "https://signin.invalid/v1/revoke?x-amz-client-auth-method=iam",
        headers: {},
        body: "{}",
      },
      { ...SUITE, credentials: { ...SUITE.credentials, sessionToken: "token/with+chars=" } },
    );
    expect(signed.headers["X-Amz-Security-Token"]).toBe("token/with+chars=");
    expect(signed.headers.Authorization).toContain("SignedHeaders=host;x-amz-date;x-amz-security-token,");
  });

  it("drops caller-supplied authorization, host and x-amz-* headers rather than sign a forged value", () => {
    const signed = signRequest(
      {
        method: "GET",
        url: "https://example.amazonaws.com/",
        headers: { Host: "evil.invalid", authorization: "x", "X-Amz-Date": "19990101T000000Z" },
      },
      SUITE,
    );
    expect(signed.headers.Host).toBeUndefined();
    expect(signed.headers.authorization).toBeUndefined();
    expect(signed.headers["X-Amz-Date"]).toBe("20150830T123600Z");
    expect(signed.headers.Authorization).toContain(
      "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    );
  });

  it("signs a `__proto__` query parameter as sent", () => {
    const plain = signRequest({ method: "GET", url: "https://example.amazonaws.com/", headers: {} }, SUITE);
    const withKey = signRequest(
      { method: "GET", url: "https://example.amazonaws.com/?__proto__=", headers: {} },
      SUITE,
    );
    expect(withKey.headers.Authorization).not.toBe(plain.headers.Authorization);
  });

  it("refuses a service or region that cannot form a credential scope", () => {
    expect(() =>
      signRequest({ method: "GET", url: "https://a.invalid/", headers: {} }, { ...SUITE, region: "us/east" }),
    ).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  it("agrees with the AWS SDK's signer on any request", async () => {
    const segment = fc.string({ unit: "grapheme-ascii", maxLength: 8 });
    const word = fc.stringMatching(/^[A-Za-z0-9 ._~!*'()&=+/-]{0,10}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          method: fc.constantFrom("GET" as const, "POST" as const),
          path: fc.array(segment, { maxLength: 3 }),
          query: fc.array(fc.tuple(word, word), { maxLength: 4 }),
          headers: fc.dictionary(
            fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
            fc.stringMatching(/^[ -~]{0,20}$/),
            {
              maxKeys: 3,
            },
          ),
          body: fc.string({ maxLength: 40 }),
          sessionToken: fc.option(fc.stringMatching(/^[A-Za-z0-9+/=]{1,40}$/), { nil: undefined }),
          port: fc.option(fc.integer({ min: 1024, max: 65535 }), { nil: undefined }),
          now: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 0, 1) }),
        }),
        async ({ method, path, query, headers, body, sessionToken, port, now }) => {
          const host = port === undefined ? "sts.us-east-1.amazonaws.com" : `127.0.0.1:${port}`;
          const url = new URL(`https://${host}/`);
          url.pathname = `/${path.map(encodeURIComponent).join("/")}`;
          // The SDK's signer copies the query into a plain object, which swallows a `__proto__` key: ours signs the
          // parameter as sent, so that key is left out of the comparison (and tested alone below).
          for (const [key, value] of query) {
            if (key !== "" && key !== "__proto__") url.searchParams.append(key, value);
          }
          const cleanHeaders = Object.fromEntries(
            Object.entries(headers).filter(([name]) => name !== "host" && !name.startsWith("x-amz-")),
          );
          const ours: HttpRequest = {
            method,
            url: url.href,
            headers: cleanHeaders,
            body: method === "POST" ? body : undefined,
          };
          const credentials = { ...SUITE.credentials, sessionToken };
          const signed = signRequest(ours, { service: "sts", region: "us-east-1", credentials, now });

          const smithy = new SignatureV4({
            credentials,
            region: "us-east-1",
            service: "sts",
            sha256: Sha256,
            applyChecksum: false,
          });
          const query2: Record<string, string | string[]> = Object.create(null);
          for (const [key, value] of url.searchParams) {
            const prior = query2[key];
            query2[key] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
          }
          const theirs = (await smithy.sign(
            new SmithyRequest({
              method,
              protocol: "https:",
              hostname: url.hostname,
              port: url.port === "" ? undefined : Number(url.port),
              path: url.pathname,
              query: query2,
              headers: { ...cleanHeaders, host: url.host },
              body: ours.body,
            }),
            { signingDate: new Date(now) },
          )) as SmithyRequest;
          expect(signed.headers.Authorization).toBe(theirs.headers.authorization);
        },
      ),
      { numRuns: 300 },
    );
  });
});
