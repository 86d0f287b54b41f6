/**
 * Whether the same-device flow (a browser on this machine reaching 127.0.0.1) is likely to work: guesses about
 * this machine that only `awslogin login` uses to word its hint.
 * @see docs/protocol.md §2.3, §3
 */
import { existsSync } from "node:fs";

/**
 * True inside a Docker/Podman/Kubernetes container (marker files or the `container` variable).
 * `AWSLOGIN_CONTAINER=0` or `=1` overrides the guess.
 */
export function isInContainer(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.AWSLOGIN_CONTAINER === "0" || env.AWSLOGIN_CONTAINER === "1") return env.AWSLOGIN_CONTAINER === "1";
  if (env.container || env.KUBERNETES_SERVICE_HOST) return true;
  return ["/.dockerenv", "/run/.containerenv"].some((path) => existsSync(path));
}

/** Why a browser on this machine probably cannot complete the login, or undefined when it probably can. */
export function sameDeviceDoubt(args: {
  env: Record<string, string | undefined>;
  browserOpened: boolean | undefined;
  inContainer: boolean;
  platform: string;
}): string | undefined {
  if (args.browserOpened === false) return "no browser could be started on this machine";
  const hasDisplay = Boolean(args.env.DISPLAY || args.env.WAYLAND_DISPLAY);
  if (args.env.SSH_CONNECTION && !hasDisplay && args.platform !== "darwin" && args.platform !== "win32") {
    return "this is an SSH session without a display";
  }
  // In a container a BROWSER helper usually forwards to the host's browser (dev containers): no doubt then.
  if (args.inContainer && !args.env.BROWSER) return "this looks like a container";
  return undefined;
}
