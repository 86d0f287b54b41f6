/**
 * `awslogin login`: signs in through core's login flow, with the browser, the loopback listener and the
 * terminal of this machine.
 */
import {
  AwsLoginError,
  assertExpectedAccount,
  DEFAULT_REGION,
  getProfile,
  insecureEndpointWarning,
  isRegionName,
  type LoginFlow,
  login,
  parseConfigFile,
  printable,
  resolveLoginRegion,
  resolveSignInEndpoint,
  signInEndpointEnv,
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
import type { Command } from "@oclif/core";
import type { LoginFlags } from "../commands/login.js";
import { createContext } from "../context.js";
import { isInContainer, sameDeviceDoubt } from "../environment.js";
import { EXIT } from "../exit-codes.js";
import { resolveProfileName } from "../profile-name.js";
import { createTerminal } from "../terminal.js";

export async function signIn(cli: Pick<Command, "config" | "log">, flags: LoginFlags): Promise<void> {
  const context = createContext();
  const { env } = context;
  const terminal = createTerminal(env);
  // Before the region prompt and the browser: a bad value must not cost a sign-in.
  if (flags["expect-account"] !== undefined) assertExpectedAccount(flags["expect-account"]);
  const profile = resolveProfileName(flags.profile, env);
  const profileConfig = getProfile(parseConfigFile(await context.config.read()), profile);

  let region = resolveLoginRegion({ flag: flags.region, env, profileRegion: profileConfig?.region });
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
  const endpoint = resolveSignInEndpoint({
    region,
    ...(flags["endpoint-url"] === undefined ? {} : { endpointUrl: flags["endpoint-url"] }),
    env: signInEndpointEnv(env),
    allowInsecureHttp: flags["allow-insecure-http-endpoint"],
  });
  if (endpoint.insecureHttp === true) {
    process.stderr.write(
      `${terminal.paint("Warning:", "red")} ${insecureEndpointWarning(endpoint)} Later refreshes are refused unless AWSLOGIN_ALLOW_INSECURE_HTTP_ENDPOINT=1 is set.\n\n`,
    );
  }
  const caBundle = resolveCaBundle(env, { name: profile, caBundle: profileConfig?.ca_bundle });
  const flow: LoginFlow = flags.remote ? "cross-device" : "same-device";

  /** Prints the hint naming --remote when a browser here is unlikely to work; true when it did. */
  const showRemoteHint = (opened: boolean | undefined): boolean => {
    const doubt = sameDeviceDoubt({
      env,
      browserOpened: opened,
      inContainer: isInContainer(env),
      platform: process.platform,
    });
    if (doubt === undefined) return false;
    process.stderr.write(
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
          userAgent: `awslogin/${cli.config.version} md/command#login`,
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
              process.stderr.write(
                `Open the following URL on any device with a browser and sign in:\n\n${url}\n\n`,
              );
              return;
            }
            const lead =
              opened === true
                ? "Attempting to open your default browser. If the browser does not open, open the following URL:"
                : opened === false
                  ? "Could not start a browser. Open the following URL in a browser on this machine:"
                  : "Open the following URL in a browser on this machine:";
            process.stderr.write(`${lead}\n\n${url}\n\n`);
            if (!showRemoteHint(opened) && terminal.isInteractive) {
              process.stderr.write(
                terminal.paint("Press Enter to sign in from another device instead.\n\n", "dim"),
              );
            }
          },
          browserFailed() {
            process.stderr.write(
              "The browser did not open (its opener exited with an error). Open the URL above in a browser on this machine.\n\n",
            );
            showRemoteHint(false);
          },
          waiting(active) {
            terminal.spinner(active, "Waiting for the sign-in to complete in your browser…");
          },
          async promptCode(problem, signal) {
            if (problem !== undefined)
              process.stderr.write(
                `${terminal.paint("That code did not work:", "red")} ${printable(problem.message, 2000)}\n`,
              );
            for (;;) {
              const text = await terminal.readLine(
                "Enter the authorization code displayed in your browser: ",
                signal,
              );
              if (text.trim() !== "") return text;
              process.stderr.write(
                "The code is empty. Copy the whole code shown on the page after you sign in.\n",
              );
            }
          },
          ...(terminal.isInteractive && !flags.remote
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
        timeoutMs: flags.timeout * 1000,
        openBrowser: flags.browser,
        ...(flags["redirect-port"] === undefined ? {} : { redirectPort: flags["redirect-port"] }),
        force: flags.force,
        ...(flags["expect-account"] === undefined ? {} : { expectAccount: flags["expect-account"] }),
        signal: interrupt.signal,
      },
    );
    // The session and account come from the ID token: printed escaped, whatever reached this far.
    const who = terminal.paint(printable(result.loginSession), "bold");
    cli.log(`Signed in as ${who} (account ${printable(result.accountId)}).`);
    cli.log(
      `Updated profile ${printable(result.profile)} to use this session (${printable(result.configPath, 1000)}).`,
    );
    const use = result.profile === "default" ? "" : ` --profile ${result.profile}`;
    cli.log(`Use it with any AWS tool, e.g. \`aws sts get-caller-identity${use}\`.`);
  } finally {
    process.off("SIGINT", onSigint);
    terminal.close();
  }
}
