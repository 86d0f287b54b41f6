/**
 * Whether the same-device flow (a browser on this machine reaching 127.0.0.1) is likely to work.
 * @see PROTOCOL.md §2.3, §3
 */

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
