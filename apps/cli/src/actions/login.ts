/**
 * `awslogin login`: signs in through core's login flow, with the browser, the loopback listener and the
 * terminal of this machine.
 */
import {
  ALLOW_INSECURE_HTTP_ENV,
  AwsLoginError,
  assertExpectedAccount,
  DEFAULT_REGION,
  getProfile,
  insecureEndpointWarning,
  isRegionName,
  type LoginFlow,
  type LoginSettingsInput,
  login,
  parseConfigFile,
  printable,
  resolveEndpointUrl,
  resolveProfile,
  resolveRegion,
  resolveSignInEndpoint,
} from "@awslogin/core";
import {
  createBrowserOpener,
  createHttpTransport,
  resolveCaBundle,
  sessionLock,
  startCallbackListener,
  systemClock,
  systemRandom,
} from "@awslogin/core/node";
import { createContext } from "../context.js";
import { isInContainer, sameDeviceDoubt } from "../environment.js";
import { EXIT } from "../exit-codes.js";
import type { Output } from "../output.js";
import { createTerminal } from "../terminal.js";

export interface LoginOptions {
  /** The profile to sign in (default: AWS_PROFILE, then `default`). */
  profile?: string;
  /** The region to sign in to (default: AWS_REGION, the profile's region, or a prompt). */
  region?: string;
  /** A Sign-In endpoint instead of the region's. */
  endpointUrl?: string;
  /** A plain http:// endpoint on another host is allowed (warned about). */
  allowInsecureHttpEndpoint: boolean;
  /** The loopback listener's port (default: a free one). */
  redirectPort?: number;
  openBrowser: boolean;
  timeoutSeconds: number;
  /** Replace the profile's other login session without asking. */
  force: boolean;
  /** Write nothing unless the sign-in is to this account. */
  expectAccount?: string;
  /** Sign in from another device (cross-device flow). */
  remote: boolean;
  /** The CLI's version, for the User-Agent. */
  version: string;
}

export async function signIn(options: LoginOptions, output: Output): Promise<void> {
  const context = createContext();
  const { env } = context;
  const terminal = createTerminal(env);
  // Before the region prompt and the browser: a bad value must not cost a sign-in.
  if (options.expectAccount !== undefined) assertExpectedAccount(options.expectAccount);
  const config = parseConfigFile(await context.config.read());
  // Which profile, region and endpoint: core's one order (resolve.ts).
  const settings: LoginSettingsInput = {
    flags: { profile: options.profile, region: options.region, endpointUrl: options.endpointUrl },
    env,
    config,
  };
  const profile = resolveProfile(settings).value;
  const profileConfig = getProfile(config, profile);
  // The credentials file's section of the profile overrides the config file's keys (region, services,
  // endpoint_url), as on every refresh. fromEntries: an own key whatever the name, `__proto__` included.
  const credentialsSection = await context.config.readCredentialsSection?.(profile);
  if (credentialsSection !== undefined)
    settings.credentials = Object.fromEntries([[profile, credentialsSection]]);

  let region = resolveRegion(settings)?.value;
  if (region === undefined) {
    if (!terminal.isInteractive) {
      throw new AwsLoginError(
        "NO_REGION",
        `No region is set for profile ${profile}. Pass --region (e.g. --region ${DEFAULT_REGION}) or set AWS_REGION.`,
      );
    }
    region = await terminal.ask("AWS Region", DEFAULT_REGION);
  }
  if (!isRegionName(region)) {
    throw new AwsLoginError("INVALID_ARGUMENT", `"${region}" is not a region name (e.g. ${DEFAULT_REGION}).`);
  }
  const override = resolveEndpointUrl(settings);
  const endpoint = resolveSignInEndpoint({
    region,
    ...(override === undefined ? {} : { endpointUrl: override.value, endpointSource: override.source }),
    env: { AWSLOGIN_ALLOW_INSECURE_HTTP_ENDPOINT: env[ALLOW_INSECURE_HTTP_ENV] },
    allowInsecureHttp: options.allowInsecureHttpEndpoint,
  });
  if (endpoint.insecureHttp === true) {
    output.err(
      `${terminal.paint("Warning:", "red")} ${insecureEndpointWarning(endpoint)} Later refreshes are refused unless AWSLOGIN_ALLOW_INSECURE_HTTP_ENDPOINT=1 is set.\n\n`,
    );
  }
  const caBundle = resolveCaBundle(env, { name: profile, caBundle: profileConfig?.ca_bundle });
  const flow: LoginFlow = options.remote ? "cross-device" : "same-device";

  /** Prints the hint naming --remote when a browser here is unlikely to work; true when it did. */
  const showRemoteHint = (opened: boolean | undefined): boolean => {
    const doubt = sameDeviceDoubt({
      env,
      browserOpened: opened,
      inContainer: isInContainer(env),
      platform: process.platform,
    });
    if (doubt === undefined) return false;
    output.err(
      `${terminal.paint("Hint:", "yellow")} ${doubt}. If no browser here can reach 127.0.0.1, sign in from another device with \`awslogin login --remote\`${terminal.isInteractive ? " (or press Enter now)" : ""}. Still waiting here, in case the URL is opened through port forwarding.\n\n`,
    );
    return true;
  };

  const interrupt = new AbortController();
  const onSigint = () => {
    process.exitCode = EXIT.interrupted;
    interrupt.abort();
  };
  process.once("SIGINT", onSigint);
  try {
    const result = await login(
      {
        clock: systemClock,
        random: systemRandom,
        transport: createHttpTransport({
          userAgent: `awslogin/${options.version} md/command#login`,
          env,
          ...(caBundle === undefined ? {} : { caBundle }),
        }),
        browser: createBrowserOpener({ env }),
        startListener: startCallbackListener,
        store: context.store,
        lock: sessionLock(context.store),
        config: context.config,
        prompt: terminal,
        ui: {
          showAuthorizeUrl(url, shownFlow, opened) {
            if (shownFlow === "cross-device") {
              output.err(`Open the following URL on any device with a browser and sign in:\n\n${url}\n\n`);
              return;
            }
            // What the AWS CLI says here (docs/protocol.md §2.4), in our words; the hints below are ours.
            const lead =
              opened === true
                ? "Attempting to open your default browser. If the browser does not open, open the following URL."
                : opened === false
                  ? "Could not start a browser. Open the following URL in a browser on this machine."
                  : "Open the following URL in a browser on this machine.";
            output.err(
              `${lead}\nIf you cannot open the URL on this device, run this command again with --remote.\n\n${url}\n\n`,
            );
            if (!showRemoteHint(opened) && terminal.isInteractive) {
              output.err(terminal.paint("Press Enter to sign in from another device instead.\n\n", "dim"));
            }
          },
          browserFailed() {
            output.err(
              "The browser did not open (its opener exited with an error). Open the URL above in a browser on this machine.\n\n",
            );
            showRemoteHint(false);
          },
          waiting(active) {
            terminal.spinner(active, "Waiting for the sign-in to complete in your browser…");
          },
          async promptCode(problem, signal) {
            if (problem !== undefined)
              output.err(
                `${terminal.paint("That code did not work:", "red")} ${printable(problem.message, 2000)}\n`,
              );
            for (;;) {
              const text = await terminal.readLine(
                "Enter the authorization code displayed in your browser: ",
                signal,
              );
              if (text.trim() !== "") return text;
              output.err("The code is empty. Copy the whole code shown on the page after you sign in.\n");
            }
          },
          ...(terminal.isInteractive && !options.remote
            ? {
                offerRemote(start: () => void, signal: AbortSignal) {
                  terminal.readLine("", signal).then(start, () => undefined);
                },
              }
            : {}),
        },
      },
      {
        profile,
        region,
        flow,
        baseUrl: endpoint.baseUrl,
        tokenUrl: endpoint.tokenUrl,
        ...(endpoint.source === "partition"
          ? {}
          : { endpointOverride: endpoint.tokenUrl.replace(/\/v1\/token$/, "") }),
        timeoutMs: options.timeoutSeconds * 1000,
        openBrowser: options.openBrowser,
        ...(options.redirectPort === undefined ? {} : { redirectPort: options.redirectPort }),
        force: options.force,
        ...(options.expectAccount === undefined ? {} : { expectAccount: options.expectAccount }),
        signal: interrupt.signal,
      },
    );
    // The session and account come from the ID token: printed escaped, whatever reached this far.
    const who = terminal.paint(printable(result.loginSession), "bold");
    output.out(`Signed in as ${who} (account ${printable(result.accountId)}).\n`);
    output.out(
      `Updated profile ${printable(result.profile)} to use this session (${printable(result.configPath, 1000)}).\n`,
    );
    const use = result.profile === "default" ? "" : ` --profile ${result.profile}`;
    output.out(`Use it with any AWS tool, e.g. \`aws sts get-caller-identity${use}\`.\n`);
  } finally {
    process.off("SIGINT", onSigint);
    terminal.close();
  }
}
