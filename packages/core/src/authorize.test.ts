import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildAuthorizeUrl,
  crossDeviceRedirectUri,
  decodeVerificationCode,
  encodeVerificationCode,
  loopbackRedirectUri,
  parseAuthorizeCallback,
} from "./authorize.js";
import { hasErrorCode } from "./errors.js";
import { codeChallengeFor } from "./pkce.js";

const STATE = "3f1c9a52-6a0e-4d7b-9a51-2b8f5e4c1d07";

describe("redirect URIs", () => {
  it("same-device: http://127.0.0.1:{port}/oauth/callback", () => {
    expect(loopbackRedirectUri(53412)).toBe("http://127.0.0.1:53412/oauth/callback");
  });

  it.each([0, -1, 65536, 1.5])("rejects port %s", (port) => {
    expect(() => loopbackRedirectUri(port)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  it("cross-device: {base}/v1/sessions/confirmation (docs/protocol.md §12 vector 3)", () => {
    expect(crossDeviceRedirectUri("https://foobar")).toBe("https://foobar/v1/sessions/confirmation");
    expect(crossDeviceRedirectUri("https://us-east-1.signin.aws.amazon.com/")).toBe(
      "https://us-east-1.signin.aws.amazon.com/v1/sessions/confirmation",
    );
  });
});

describe("buildAuthorizeUrl", () => {
  it("docs/protocol.md §2.2 example, byte for byte", () => {
    const url = buildAuthorizeUrl({
      baseUrl: "https://us-east-1.signin.aws.amazon.com",
      flow: "same-device",
      state: STATE,
      codeChallenge: codeChallengeFor("a".repeat(64)),
      redirectUri: loopbackRedirectUri(53412),
    });
    expect(url).toBe(
      "https://us-east-1.signin.aws.amazon.com/v1/authorize?response_type=code&client_id=arn%3Aaws%3Asignin%3A%3A%3Adevtools%2Fsame-device&state=3f1c9a52-6a0e-4d7b-9a51-2b8f5e4c1d07&code_challenge_method=SHA-256&scope=openid&redirect_uri=http%3A%2F%2F127.0.0.1%3A53412%2Foauth%2Fcallback&code_challenge=_-BU_nrgy23GXDr5th1SCfQ5hR20PQulmXM33xVGaOs",
    );
  });

  it("cross-device uses its client id and the confirmation redirect", () => {
    const url = new URL(
      buildAuthorizeUrl({
        baseUrl: "https://foobar",
        flow: "cross-device",
        state: STATE,
        codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        redirectUri: crossDeviceRedirectUri("https://foobar"),
      }),
    );
    expect([...url.searchParams]).toEqual([
      ["response_type", "code"],
      ["client_id", "arn:aws:signin:::devtools/cross-device"],
      ["state", STATE],
      ["code_challenge_method", "SHA-256"],
      ["scope", "openid"],
      ["redirect_uri", "https://foobar/v1/sessions/confirmation"],
      ["code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"],
    ]);
    expect(url.pathname).toBe("/v1/authorize");
  });

  it("encodes like Python quote(safe='-._~'): everything else outside A-Za-z0-9 is escaped, UTF-8 first", () => {
    const url = buildAuthorizeUrl({
      baseUrl: "http://127.0.0.1:9",
      flow: "same-device",
      state: "a b!'()*~._-/:é",
      codeChallenge: codeChallengeFor("x".repeat(43)),
      redirectUri: "r",
    });
    expect(url).toContain("&state=a%20b%21%27%28%29%2A~._-%2F%3A%C3%A9&");
  });

  it("property: the query decodes back to the inputs", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string({ unit: "grapheme" }), (state, redirectUri) => {
        const url = new URL(
          buildAuthorizeUrl({
            baseUrl: "https://h",
            flow: "same-device",
            state,
            codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            redirectUri,
          }),
        );
        expect(url.searchParams.get("state")).toBe(state);
        expect(url.searchParams.get("redirect_uri")).toBe(redirectUri);
        expect(url.search).toMatch(/^\?[A-Za-z0-9%&=._~-]+$/);
      }),
      { examples: [["\u{1F600}", "http://[::1]:1/"]] },
    );
  });

  it("rejects a challenge that is not base64url of the right length", () => {
    expect(() =>
      buildAuthorizeUrl({
        baseUrl: "https://h",
        flow: "same-device",
        state: STATE,
        codeChallenge: "a&b",
        redirectUri: "r",
      }),
    ).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});

describe("parseAuthorizeCallback", () => {
  const at = (query: string) => new URL(`http://127.0.0.1:5000/oauth/callback${query}`);

  it("code and state", () => {
    expect(parseAuthorizeCallback(at(`?code=abc%2Bdef&state=${STATE}`))).toEqual({
      kind: "code",
      code: "abc+def",
      state: STATE,
    });
  });

  it("error wins over code, with optional description and state", () => {
    expect(
      parseAuthorizeCallback(at(`?error=access_denied&error_description=User+said+no&code=x&state=${STATE}`)),
    ).toEqual({
      kind: "error",
      error: "access_denied",
      description: "User said no",
      state: STATE,
    });
    expect(parseAuthorizeCallback(at("?error=server_error"))).toEqual({
      kind: "error",
      error: "server_error",
      description: undefined,
      state: undefined,
    });
  });

  it.each(["", "?code=abc", `?state=${STATE}`, "?code=&state=s", "?code=c&state="])(
    "ignores %j (keep waiting, like the CLI)",
    (query) => {
      expect(parseAuthorizeCallback(at(query))).toEqual({ kind: "none" });
    },
  );

  it("ignores requests on other paths such as /favicon.ico", () => {
    expect(parseAuthorizeCallback(new URL("http://127.0.0.1:5000/favicon.ico"))).toEqual({ kind: "none" });
  });
});

describe("verification codes (docs/protocol.md §3)", () => {
  const EXAMPLE = "c3RhdGU9M2YxYzlhNTItNmEwZS00ZDdiLTlhNTEtMmI4ZjVlNGMxZDA3JmNvZGU9RVhBTVBMRUNPREU=";

  it("encodes the §3 example", () => {
    expect(encodeVerificationCode(STATE, "EXAMPLECODE")).toBe(EXAMPLE);
  });

  it("decodes the §3 example, with or without padding and with stray whitespace", () => {
    const expected = { state: STATE, code: "EXAMPLECODE" };
    expect(decodeVerificationCode(EXAMPLE)).toEqual(expected);
    expect(decodeVerificationCode(EXAMPLE.replace(/=+$/, ""))).toEqual(expected);
    expect(decodeVerificationCode(`  ${EXAMPLE.slice(0, 30)}\n${EXAMPLE.slice(30)}\r\n`)).toEqual(expected);
  });

  it("accepts the fields in either order and URL-decodes them", () => {
    const text = Buffer.from("code=a%2Bb%3D%26c&state=s+1").toString("base64");
    expect(decodeVerificationCode(text)).toEqual({ state: "s 1", code: "a+b=&c" });
  });

  it("property: encode then decode is the identity", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, unit: "grapheme" }),
        fc.string({ minLength: 1, unit: "grapheme" }),
        (state, code) => {
          expect(decodeVerificationCode(encodeVerificationCode(state, code))).toEqual({ state, code });
        },
      ),
    );
  });

  it.each([
    ["empty", ""],
    ["whitespace", "   \n"],
    ["not base64", "this is not base64!"],
    ["impossible length", "abcde"],
    ["no code", Buffer.from(`state=${STATE}`).toString("base64")],
    ["no state", Buffer.from("code=abc").toString("base64")],
    ["empty code", Buffer.from(`state=${STATE}&code=`).toString("base64")],
    ["invalid UTF-8", Buffer.from([0xff, 0xfe, 0x3d]).toString("base64")],
    ["url-safe alphabet", "c3RhdGU9_-"],
  ])("rejects %s with BAD_VERIFICATION_CODE", (_name, text) => {
    let thrown: unknown;
    try {
      decodeVerificationCode(text);
    } catch (error) {
      thrown = error;
    }
    expect(hasErrorCode(thrown, "BAD_VERIFICATION_CODE")).toBe(true);
    expect((thrown as Error).message).toMatch(/copy the whole code/i);
  });
});
