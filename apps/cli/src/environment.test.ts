import { describe, expect, it } from "vitest";
import { sameDeviceDoubt } from "./environment.js";

const base = { env: {}, browserOpened: true, inContainer: false, platform: "linux" } as const;

describe("sameDeviceDoubt", () => {
  it.each<[string, Parameters<typeof sameDeviceDoubt>[0], string | undefined]>([
    ["a desktop", base, undefined],
    [
      "a browser that could not start",
      { ...base, browserOpened: false },
      "no browser could be started on this machine",
    ],
    [
      "SSH without a display",
      { ...base, env: { SSH_CONNECTION: "a b c d" } },
      "this is an SSH session without a display",
    ],
    [
      "SSH with X forwarding",
      { ...base, env: { SSH_CONNECTION: "a b c d", DISPLAY: "localhost:10.0" } },
      undefined,
    ],
    [
      "SSH with Wayland",
      { ...base, env: { SSH_CONNECTION: "a b c d", WAYLAND_DISPLAY: "wayland-0" } },
      undefined,
    ],
    ["SSH into a Mac", { ...base, env: { SSH_CONNECTION: "a b c d" }, platform: "darwin" }, undefined],
    ["a container", { ...base, inContainer: true }, "this looks like a container"],
    [
      "a dev container with a BROWSER helper",
      { ...base, inContainer: true, env: { BROWSER: "/vscode/helper.sh" } },
      undefined,
    ],
  ])("%s", (_name, input, expected) => {
    expect(sameDeviceDoubt(input)).toBe(expected);
  });
});
