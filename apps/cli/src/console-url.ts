/**
 * The URLs of a console sign-in through the federation endpoint: where the endpoint is (partition host, or the
 * overridden Sign-In endpoint's origin), the getSigninToken request, the console destination, and the login URL.
 * Pure: no I/O. @see docs/protocol.md §17.3, §17.4
 */
import { AwsLoginError, type SignInEndpoint } from "@awslogin/core";

/** The partitions with a console and a federation endpoint, and their hosts. */
export const CONSOLE_HOSTS: Readonly<Record<string, { signin: string; console: string }>> = {
  aws: { signin: "signin.aws.amazon.com", console: "console.aws.amazon.com" },
  "aws-cn": { signin: "signin.amazonaws.cn", console: "console.amazonaws.cn" },
  "aws-us-gov": { signin: "signin.amazonaws-us-gov.com", console: "console.amazonaws-us-gov.com" },
};

/** Who the console is told sent the person (shown by AWS when the console session ends). */
export const CONSOLE_ISSUER = "awslogin";

/** The largest sign-in token accepted from the endpoint (AWS's are around a thousand characters). */
const MAX_SIGNIN_TOKEN_CHARS = 8192;

function hostsOf(partition: string): { signin: string; console: string } {
  const hosts = CONSOLE_HOSTS[partition];
  if (hosts === undefined) {
    throw new AwsLoginError(
      "INVALID_ARGUMENT",
      `Console sign-in is available in the ${Object.keys(CONSOLE_HOSTS).join(", ")} partitions, not in ${partition}.`,
    );
  }
  return hosts;
}

/**
 * The federation endpoint: the partition's global sign-in host, or, when the profile's Sign-In endpoint is
 * overridden (an emulator, a test double), that endpoint's origin plus `/federation`.
 */
export function federationUrlFor(
  partition: string,
  signIn: Pick<SignInEndpoint, "baseUrl" | "source">,
): string {
  if (signIn.source !== "partition") return `${new URL(signIn.baseUrl).origin}/federation`;
  return `https://${hostsOf(partition).signin}/federation`;
}

/**
 * Where the console opens: a console URL (https, on the partition's console host or a subdomain of it, without
 * credentials in it), a service name (`s3` → `https://console.aws.amazon.com/s3/home?region=R`), or by default the
 * console home of the region.
 */
export function consoleDestination(value: string | undefined, partition: string, region: string): string {
  const host = hostsOf(partition).console;
  const home = (service: string) => `https://${host}/${service}/home?region=${encodeURIComponent(region)}`;
  if (value === undefined || value === "") return home("console");
  if (/^[a-z][a-z0-9-]{0,62}$/.test(value)) return home(value);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AwsLoginError(
      "INVALID_ARGUMENT",
      `--destination must be a service name (such as s3) or an https URL of ${host}.`,
    );
  }
  const hostname = url.hostname.toLowerCase();
  if (
    url.protocol !== "https:" ||
    url.username !== "" ||
    url.password !== "" ||
    url.port !== "" ||
    (hostname !== host && !hostname.endsWith(`.${host}`)) ||
    url.href.length > 2048
  ) {
    throw new AwsLoginError(
      "INVALID_ARGUMENT",
      `--destination must be an https URL of ${host} (or a subdomain of it) of at most 2048 characters, or a service name such as s3.`,
    );
  }
  return url.href;
}

/** The temporary credentials a sign-in token is made from. */
export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** The getSigninToken request's URL (it carries the credentials: never print or log it). */
export function signinTokenRequestUrl(
  federationUrl: string,
  credentials: SessionCredentials,
  sessionDurationSeconds?: number,
): string {
  const query = new URLSearchParams({
    Action: "getSigninToken",
    Session: JSON.stringify({
      sessionId: credentials.accessKeyId,
      sessionKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
    }),
  });
  if (sessionDurationSeconds !== undefined) query.set("SessionDuration", String(sessionDurationSeconds));
  return `${federationUrl}?${query}`;
}

/** The sign-in token from a getSigninToken answer; BAD_RESPONSE (naming no part of the body) otherwise. */
export function parseSigninTokenAnswer(body: string): string {
  let token: unknown;
  try {
    token = (JSON.parse(body) as { SigninToken?: unknown } | null)?.SigninToken;
  } catch {
    token = undefined;
  }
  if (typeof token !== "string" || !/^[\x21-\x7e]+$/.test(token) || token.length > MAX_SIGNIN_TOKEN_CHARS) {
    throw new AwsLoginError(
      "BAD_RESPONSE",
      "The federation endpoint answered without a usable sign-in token.",
    );
  }
  return token;
}

/** The URL that signs a browser in to the console (a credential until it is used or expires). */
export function consoleLoginUrl(federationUrl: string, destination: string, signinToken: string): string {
  const query = new URLSearchParams({
    Action: "login",
    Issuer: CONSOLE_ISSUER,
    Destination: destination,
    SigninToken: signinToken,
  });
  return `${federationUrl}?${query}`;
}
