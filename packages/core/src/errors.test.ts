import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { assertLoginCapableProfile } from "./config.js";
import { AwsLoginError, type AwsLoginRemedy, messageWithRemedy, type RemedyWording } from "./errors.js";
import { transitionRefresh } from "./machines/refresh.js";
import { loginSessionOf } from "./node/profile-credentials.js";
import type { HttpResponse } from "./ports.js";
import { accountIdFromArn, decodeIdTokenSubject, errorFromTokenResponse } from "./token.js";
import { expiresAtMs, parseTokenCache } from "./token-cache.js";

/**
 * Core serves the CLI, the SDK provider, the credential_process binary and embedders: a user who signed in with the
 * AWS CLI's `aws login` must not be told to run a tool they may not have. What to run is a remedy, worded by each
 * adapter; a core message names no `awslogin` command.
 */
const NAMES_A_COMMAND =
  /`awslogin\b|\bawslogin (login|logout|status|doctor|export|exec|configure|emulator|credential-process|autocomplete)\b/;

/** Every string and template literal of core's non-test sources (placeholders shown as `…`), with where it is. */
function messageTexts(): { where: string; text: string }[] {
  const root = import.meta.dirname;
  const texts: { where: string; text: string }[] = [];
  const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter(
    (file) => file.endsWith(".ts") && !file.endsWith(".test.ts"),
  );
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(join(root, file), "utf8"), ts.ScriptTarget.Latest);
    const visit = (node: ts.Node): void => {
      const line = () => `${file}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
        texts.push({ where: line(), text: node.text });
      } else if (ts.isTemplateExpression(node)) {
        const text = [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join("…");
        texts.push({ where: line(), text });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return texts;
}

function answer(status: number, body: unknown, type?: string): HttpResponse {
  return {
    status,
    headers: type === undefined ? {} : { "x-amzn-errortype": type },
    body: JSON.stringify(body),
  };
}

function caught(run: () => unknown): AwsLoginError {
  try {
    run();
  } catch (error) {
    if (AwsLoginError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("did not throw");
}

describe("core's messages name no awslogin command (issue 8 §2)", () => {
  it("no string or template literal of core's sources does", () => {
    const texts = messageTexts();
    // The scan reads what it should: hundreds of literals, the session-ended message among them.
    expect(texts.length).toBeGreaterThan(500);
    expect(texts.map(({ text }) => text)).toContain("Your login session has ended. Sign in again.");
    expect(texts.filter(({ text }) => NAMES_A_COMMAND.test(text))).toEqual([]);
  });

  it("the pattern catches the forms the messages used to have", () => {
    for (const text of [
      "Run `awslogin login` to sign in again.",
      "Run `awslogin login --profile …` to create it.",
      "Try again; if it persists, run `awslogin doctor`.",
      "or `awslogin logout` for that profile",
    ]) {
      expect(text).toMatch(NAMES_A_COMMAND);
    }
    expect("another user could plant credentials there that awslogin would then hand to you").not.toMatch(
      NAMES_A_COMMAND,
    );
  });

  const signIn = (profile?: string): AwsLoginRemedy => ({ kind: "sign-in", profile });
  const constructed: [string, () => AwsLoginError, AwsLoginRemedy | undefined][] = [
    ...[
      "AUTHCODE_EXPIRED",
      "TOKEN_EXPIRED",
      "USER_CREDENTIALS_CHANGED",
      "INSUFFICIENT_PERMISSIONS",
      "INVALID_REQUEST",
    ].map((code): [string, () => AwsLoginError, AwsLoginRemedy] => [
      `the service's ${code}`,
      () => errorFromTokenResponse(answer(400, { error: code }), { grant: "refresh_token", profile: "dev" }),
      signIn("dev"),
    ]),
    [
      "a ValidationException",
      () => errorFromTokenResponse(answer(400, {}, "ValidationException"), { grant: "authorization_code" }),
      signIn(undefined),
    ],
    ["throttling", () => errorFromTokenResponse(answer(429, {}), { grant: "refresh_token" }), undefined],
    [
      "no cache file",
      () => {
        const { state } = transitionRefresh({ name: "start" }, { type: "loaded", token: undefined }, 0, {
          profile: "dev",
        });
        if (state.name !== "failed") throw new Error(`unexpected state ${state.name}`);
        return state.error;
      },
      signIn("dev"),
    ],
    [
      "a profile in neither file",
      () => caught(() => loginSessionOf("dev", undefined, { configPath: "/c", credentialsPath: "/k" })),
      signIn("dev"),
    ],
    [
      "a profile without login_session",
      () => caught(() => loginSessionOf("dev", {}, { configPath: "/c", credentialsPath: "/k" })),
      signIn("dev"),
    ],
    [
      "a profile with other credentials",
      () => caught(() => assertLoginCapableProfile("dev", { aws_access_key_id: "AKIA" })),
      signIn("dev-login"),
    ],
    ["a cache file that is not JSON", () => caught(() => parseTokenCache("{", "/cache.json")), signIn()],
    [
      "a cache record with a bad expiresAt",
      () =>
        caught(() =>
          expiresAtMs({ accessToken: { expiresAt: "soon" } } as unknown as Parameters<typeof expiresAtMs>[0]),
        ),
      signIn(),
    ],
    ["an ID token without sub", () => caught(() => decodeIdTokenSubject("a.e30.c")), signIn()],
    ["a session that is not an ARN", () => caught(() => accountIdFromArn("arn:aws:iam::1:user/x")), signIn()],
  ];

  it.each(constructed)("%s: facts and tool-neutral advice, the remedy as data", (_name, build, remedy) => {
    const error = build();
    expect(error.message).not.toMatch(NAMES_A_COMMAND);
    expect(error.remedy).toEqual(remedy);
  });
});

describe("messageWithRemedy", () => {
  const wording: RemedyWording = {
    "sign-in": ({ profile }) => `Sign in as ${profile ?? "the default profile"}.`,
    diagnose: () => "Look into it.",
  };

  it("adds the adapter's words for each kind after the message", () => {
    const ended = new AwsLoginError("TOKEN_EXPIRED", "Ended.", {
      remedy: { kind: "sign-in", profile: "dev" },
    });
    expect(messageWithRemedy(ended, wording)).toBe("Ended. Sign in as dev.");
    const stuck = new AwsLoginError("LOCK_TIMEOUT", "Stuck.", { remedy: { kind: "diagnose" } });
    expect(messageWithRemedy(stuck, wording)).toBe("Stuck. Look into it.");
  });

  it("leaves a message without a remedy as it is", () => {
    expect(messageWithRemedy(new AwsLoginError("THROTTLED", "Slow down."), wording)).toBe("Slow down.");
  });
});
