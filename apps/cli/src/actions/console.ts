/**
 * `awslogin console`: the AWS console in the browser from a profile's credentials, through the federation endpoint
 * (getSigninToken, then the login URL). @see docs/protocol.md §17.3, §17.4
 */
import {
  AwsLoginError,
  DEFAULT_REGION,
  partitionOf,
  printable,
  refreshEndpoint,
  type SignInEndpoint,
} from "@awslogin/core";
import {
  createBrowserOpener,
  createHttpTransport,
  createTerminalMfaPrompt,
  isWsl,
  loadProfileCredentials,
  loadRoleProfileCredentials,
  readKernelRelease,
  readRoleChain,
  resolveProfileSession,
} from "@awslogin/core/node";
import {
  type ForwardingPage,
  removeForwardingPage,
  removeForwardingPageLater,
  writeForwardingPage,
} from "../console-page.js";
import {
  consoleDestination,
  consoleLoginUrl,
  federationUrlFor,
  parseSigninTokenAnswer,
  type SessionCredentials,
  signinTokenRequestUrl,
} from "../console-url.js";
import { EXIT } from "../exit-codes.js";
import type { Output } from "../output.js";
import { resolveProfileName } from "../profile-name.js";

export interface ConsoleOptions {
  /** The profile to sign in to the console with (default: AWS_PROFILE, then `default`). */
  profile?: string;
  /** A console URL or a service name (default: the console home of the profile's region). */
  destination?: string;
  /** Print the login URL instead of opening it. */
  print: boolean;
  /** The CLI's version, for the User-Agent. */
  version: string;
}

/** What a console sign-in needs from a profile. */
export interface ConsoleCredentials {
  profile: string;
  /** `login-session`: the login session's own credentials; `role`: credentials from STS AssumeRole. */
  kind: "login-session" | "role";
  credentials: SessionCredentials;
  /** The partition of the principal (from its ARN), which picks the console and federation hosts. */
  partition: string;
  region: string;
  /** The Sign-In endpoint the profile refreshes against: an override there points the federation endpoint too. */
  signIn: SignInEndpoint;
}

/**
 * Credentials for profile P, as console sign-in takes them: a role profile's (role_arn + source_profile down to a
 * login profile) through core's role resolution, with the root login profile's Sign-In endpoint, which finds the
 * federation endpoint; a login profile's own credentials otherwise (refreshed when due). A role profile whose chain
 * is not rooted in a login profile is core's ROLE_CHAIN_NOT_LOGIN, not PROFILE_NOT_LOGIN.
 */
export async function consoleCredentialsFor(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  output: Output,
): Promise<ConsoleCredentials> {
  const profile = resolveProfileName(flag, env);
  const onWarning = (warning: AwsLoginError) =>
    output.err(`awslogin: warning: ${printable(warning.message, 2000)} [${warning.code}]\n`);
  const chain = await readRoleChain({ profile, env });
  if (chain !== undefined) {
    const role = await loadRoleProfileCredentials({
      profile,
      env,
      mfaPrompt: createTerminalMfaPrompt(),
      onWarning,
    });
    // The root's record says where it signed in (region, endpoint); read without a refresh, since cached role
    // credentials need no live login session. Without a record, the login load reports what to do.
    const root = await resolveProfileSession({ profile: chain.rootProfile, env });
    const record =
      (await root.store.read(root.loginSession)) ??
      (await loadProfileCredentials({ profile: chain.rootProfile, env, onWarning })).record;
    const roleArn = role.assumedRoleArn ?? chain.steps.at(-1)?.roleArn ?? "";
    return {
      profile: role.profile,
      kind: "role",
      credentials: role.credentials,
      partition: /^arn:([a-z-]+):/.exec(roleArn)?.[1] ?? partitionOf(role.region).name,
      region: role.region,
      signIn: refreshEndpoint(record, { settings: root.settings }),
    };
  }
  const loaded = await loadProfileCredentials({ profile, env, onWarning });
  const region = loaded.region ?? loaded.record.signInRegion ?? DEFAULT_REGION;
  // The ARN's partition is the principal's own; the region's is the fallback for an ARN of an unexpected shape.
  const arnPartition = /^arn:([a-z-]+):/.exec(loaded.loginSession)?.[1];
  return {
    profile: loaded.profile,
    kind: "login-session",
    credentials: loaded.credentials,
    partition: arnPartition ?? partitionOf(region).name,
    region,
    signIn: refreshEndpoint(loaded.record, { settings: loaded.settings }),
  };
}

/** The refusal, in words that say what is possible. Never names a credential or the request URL. */
function refusal(source: ConsoleCredentials, status: number): AwsLoginError {
  const shown = printable(source.profile);
  if (source.kind === "login-session") {
    return new AwsLoginError(
      "CONSOLE_SIGNIN_REFUSED",
      `The console sign-in endpoint refused the login session's own credentials of profile ${shown} (HTTP ${status}). ` +
        "AWS documents console sign-in for role credentials: add a profile with role_arn and " +
        `source_profile = ${shown}, then run \`awslogin console --profile THAT_PROFILE\`; or sign in to the console in the browser.`,
    );
  }
  return new AwsLoginError(
    "CONSOLE_SIGNIN_REFUSED",
    `The console sign-in endpoint refused the role credentials of profile ${shown} (HTTP ${status}). Check that the role may be used in the console, then try again.`,
  );
}

export async function openConsole(options: ConsoleOptions, output: Output): Promise<void> {
  const env = process.env;
  const source = await consoleCredentialsFor(options.profile, env, output);
  const destination = consoleDestination(options.destination, source.partition, source.region);
  const federationUrl = federationUrlFor(source.partition, source.signIn);
  const transport = createHttpTransport({ userAgent: `awslogin/${options.version} md/command#console`, env });
  const answer = await transport.send({
    method: "GET",
    url: signinTokenRequestUrl(federationUrl, source.credentials),
    headers: { accept: "application/json" },
  });
  if (answer.status >= 500) {
    throw new AwsLoginError(
      "SERVER_ERROR",
      `The console sign-in endpoint failed (HTTP ${answer.status}). Try again in a moment.`,
      { retryable: true },
    );
  }
  if (answer.status !== 200) throw refusal(source, answer.status);
  const loginUrl = consoleLoginUrl(federationUrl, destination, parseSigninTokenAnswer(answer.body));
  const shown = printable(source.profile);

  if (options.print) {
    output.err(
      `Warning: this URL signs whoever opens it in to the AWS console as profile ${shown}, once, within 15 minutes. Do not share, paste or log it.\n`,
    );
    output.out(`${loginUrl}\n`);
    return;
  }
  // The login URL is a credential: on a command line every local user can read it. A file page in a private folder
  // forwards the browser instead; only the Windows browser under WSL, which cannot read a Linux path, gets the URL.
  const windowsBrowser =
    (env.BROWSER ?? "").trim() === "" && process.platform === "linux" && isWsl(env, readKernelRelease);
  const page: ForwardingPage | undefined = windowsBrowser ? undefined : await writeForwardingPage(loginUrl);
  let failed = false;
  const started = await createBrowserOpener({ env }).open(page?.fileUrl ?? loginUrl, () => {
    failed = true;
  });
  // The opener's early failure (a headless xdg-open) is reported within its grace period: wait for that verdict.
  if (started) await new Promise((resolve) => setTimeout(resolve, 1600));
  if (page !== undefined) {
    if (!started || failed) await removeForwardingPage(page);
    else removeForwardingPageLater(page);
  }
  if (!started || failed) {
    output.err(
      "No browser could be started to open the console. Set BROWSER, or run `awslogin console --print` and open the URL yourself.\n",
    );
    process.exitCode = EXIT.failure;
    return;
  }
  output.err(
    `Opened the AWS console as profile ${shown} in your browser (${printable(destination, 300)}).\n`,
  );
}
