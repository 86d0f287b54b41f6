/**
 * `awslogin serve` and `exec --serve`: a container credentials endpoint on 127.0.0.1 that hands tools a profile's
 * credentials, refreshed in the background, for as long as it runs.
 * @see docs/protocol.md §17.2
 */
import { AwsLoginError, messageWithRemedy } from "@awslogin/core/errors";
import { printable } from "@awslogin/core/printable";
import { quotePosix } from "@awslogin/credential-process";
import type { Output } from "../output.js";
import { loadCredentialsForProfile } from "../profile-credentials.js";
import { resolveProfileName } from "../profile-name.js";
import { CLI_REMEDY_WORDING } from "../remedy.js";
import { competingProfileWarning, findCompetingProfile } from "../serve/competing-profile.js";
import {
  type CredentialSource,
  createCredentialCache,
  type ServedCredentials,
} from "../serve/credential-cache.js";
import { type EndpointError, SERVE_HOST, startCredentialServer } from "../serve/server.js";
import { randomToken, readTokenFile } from "../serve/token.js";

/** How the endpoint starts. */
export interface EndpointOptions {
  /** The profiles to serve (the first is the one the printed URL names); none: AWS_PROFILE, then `default`. */
  profiles: readonly string[];
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** A file holding the token to require; default: a fresh random token. */
  tokenFile?: string | undefined;
  /** Where AWS_* variables are read from. */
  env?: NodeJS.ProcessEnv;
}

/** A running endpoint and what a tool needs to use it. */
export interface RunningEndpoint {
  /** The variables that point the SDKs at the first profile, in the order they are printed. */
  variables: Array<[string, string]>;
  /** The URL of each served profile. */
  urls: Map<string, string>;
  /** The first profile's credentials, once loaded (or its error). */
  ready(): Promise<ServedCredentials>;
  close(): Promise<void>;
}

/** Codes after which trying again later may work by itself. */
const TRANSIENT = new Set(["NETWORK", "TIMEOUT", "THROTTLED", "SERVER_ERROR", "LOCK_TIMEOUT"]);

/** Room for a message with a path or two in it. */
const MESSAGE_LIMIT = 2000;

/**
 * A failure as the SDKs show it. A session that needs a new sign-in is a 403 whose JSON `Code`/`Message` the JS
 * SDK attaches to its error (it reads them from 4xx answers only) and botocore prints with the body; a failure
 * that may pass by itself is a 503, which both retry.
 */
export function describeEndpointError(error: unknown, profile: string): EndpointError {
  if (AwsLoginError.isInstance(error)) {
    const message = printable(
      `awslogin serve, profile ${profile}: ${messageWithRemedy(error, CLI_REMEDY_WORDING)}`,
      MESSAGE_LIMIT,
    );
    const status = error.remedy?.kind === "sign-in" ? 403 : TRANSIENT.has(error.code) ? 503 : 500;
    return { status, code: error.code, message };
  }
  return {
    status: 500,
    code: "InternalError",
    message: `awslogin serve, profile ${profile}: the credentials could not be loaded.`,
  };
}

/** Profile → fresh credentials, the way `export` and `exec` get them (warnings on stderr). */
export function profileCredentialSource(output: Output, env: NodeJS.ProcessEnv): CredentialSource {
  return async (profile) => {
    const loaded = await loadCredentialsForProfile(profile, output, env);
    return {
      accessKeyId: loaded.credentials.accessKeyId,
      secretAccessKey: loaded.credentials.secretAccessKey,
      sessionToken: loaded.credentials.sessionToken,
      // A login session's credentials always expire; a source without an expiry is asked again each minute.
      expiration: loaded.credentials.expiration ?? Date.now() + 6 * 60_000,
      accountId: loaded.accountId,
      region: loaded.region,
    };
  };
}

/** Starts the endpoint; the caller prints its variables and closes it. */
export async function startEndpoint(
  options: EndpointOptions,
  output: Output,
  source?: CredentialSource,
): Promise<RunningEndpoint> {
  const env = options.env ?? process.env;
  const profiles =
    options.profiles.length > 0 ? [...new Set(options.profiles)] : [resolveProfileName(undefined, env)];
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new AwsLoginError("INVALID_ARGUMENT", `--port must be a number from 0 to 65535.`);
  }
  const token = options.tokenFile === undefined ? randomToken() : await readTokenFile(options.tokenFile);
  // One line per change of a profile's trouble, not one per request.
  const lastLogged = new Map<string, string>();
  const cache = createCredentialCache({
    source: source ?? profileCredentialSource(output, env),
    onError: (profile, error) => {
      const { code, message } = describeEndpointError(error, profile);
      if (lastLogged.get(profile) === code) return;
      lastLogged.set(profile, code);
      output.err(`awslogin: ${message} [${code}]\n`);
    },
  });
  const server = await startCredentialServer({
    port: options.port,
    token,
    profiles,
    credentials: async (profile) => {
      const credentials = await cache.get(profile);
      if (lastLogged.delete(profile))
        output.err(`awslogin: serve: profile ${profile} has credentials again.\n`);
      return credentials;
    },
    describeError: describeEndpointError,
    listenError: (error) =>
      new AwsLoginError(
        "ENDPOINT_LISTEN_FAILED",
        error.code === "EADDRINUSE"
          ? `Port ${options.port} on ${SERVE_HOST} is in use. Pick another --port, or leave it out to use a free one.`
          : `Could not listen on ${SERVE_HOST} (${error.code ?? error.message}).`,
        { cause: error },
      ),
  });
  for (const profile of profiles) cache.prime(profile);
  const urls = new Map(profiles.map((profile) => [profile, server.urlOf(profile)]));
  return {
    variables: [
      ["AWS_CONTAINER_CREDENTIALS_FULL_URI", server.urlOf(profiles[0] as string)],
      ["AWS_CONTAINER_AUTHORIZATION_TOKEN", token],
    ],
    urls,
    ready: () => cache.get(profiles[0] as string),
    async close() {
      cache.close();
      await server.close();
    },
  };
}

/** `export NAME='value'` lines, quoted as `awslogin export --format env` quotes. */
export function exportLines(variables: ReadonlyArray<[string, string]>): string {
  return variables.map(([name, value]) => `export ${name}=${quotePosix(value)}\n`).join("");
}

/** `awslogin serve`: prints the variables, then serves until SIGINT or SIGTERM; resolves to the exit status. */
export async function serve(options: EndpointOptions, output: Output): Promise<number> {
  const endpoint = await startEndpoint(options, output);
  output.out(exportLines(endpoint.variables));
  for (const [profile, url] of endpoint.urls) {
    output.err(`awslogin: serving profile ${printable(profile, 200)} at ${url}\n`);
  }
  const env = options.env ?? process.env;
  const served = [...endpoint.urls.keys()][0] as string;
  // A shell that exports these variables keeps its AWS_PROFILE, which the SDKs read before the endpoint.
  const reader = env.AWS_PROFILE || "default";
  const competing = await findCompetingProfile(served, reader, env);
  if (competing !== undefined) {
    const how =
      reader === "default"
        ? "Move those keys to a named profile."
        : "Unset AWS_PROFILE where you set these variables.";
    output.err(competingProfileWarning(competing, served, how));
  }
  output.err("awslogin: press Ctrl-C to stop.\n");
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const stop = (received: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      process.off("SIGHUP", stop);
      resolve(received);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    process.on("SIGHUP", stop);
  });
  await endpoint.close();
  output.err(`awslogin: stopped (${signal}).\n`);
  return 0;
}
