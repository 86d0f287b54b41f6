/**
 * One authorization attempt: fresh state, PKCE verifier and the authorize URL for a flow.
 * @see docs/protocol.md §2.1, §2.2, §3
 */
import { buildAuthorizeUrl, crossDeviceRedirectUri, loopbackRedirectUri } from "./authorize.js";
import { AwsLoginError } from "./errors.js";
import type { AuthorizationAttempt } from "./machines/login.js";
import { codeChallengeFor, createCodeVerifier, createState } from "./pkce.js";
import type { Random } from "./ports.js";
import { clientIdFor, type LoginFlow } from "./protocol.js";

/** Creates the secrets and URL of one attempt. Same-device needs the loopback `port`. @see docs/protocol.md §2.1 */
export function createAuthorizationAttempt(args: {
  flow: LoginFlow;
  baseUrl: string;
  random: Random;
  port?: number;
}): AuthorizationAttempt {
  let redirectUri: string;
  if (args.flow === "same-device") {
    if (args.port === undefined) {
      throw new AwsLoginError(
        "INVALID_ARGUMENT",
        "The same-device login needs the loopback listener's port.",
      );
    }
    redirectUri = loopbackRedirectUri(args.port);
  } else {
    redirectUri = crossDeviceRedirectUri(args.baseUrl);
  }
  const state = createState(args.random);
  const codeVerifier = createCodeVerifier(args.random);
  const authorizeUrl = buildAuthorizeUrl({
    baseUrl: args.baseUrl,
    flow: args.flow,
    state,
    codeChallenge: codeChallengeFor(codeVerifier),
    redirectUri,
  });
  return {
    flow: args.flow,
    clientId: clientIdFor(args.flow),
    state,
    codeVerifier,
    redirectUri,
    authorizeUrl,
  };
}
