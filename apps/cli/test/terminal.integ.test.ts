/**
 * The interactive paths, driven through a real terminal: tmux runs the CLI in a pane (200×50), the test types
 * with send-keys and reads the screen with capture-pane. Each test has its own session on a private tmux socket.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseConfigFile } from "@awslogin/core";
import { DEFAULT_IDENTITY } from "@awslogin/emulator";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  CLI_BIN,
  CROSS_DEVICE_URL,
  cacheFiles,
  codeFromConfirmationPage,
  FAKE_BROWSER,
  useEmulatorSandbox,
} from "./helpers.js";
import { cachePathOf, loginProfile, readRecord, writeConfig } from "./session-helpers.js";

const TMUX_INSTALL_HINT = "sudo apt-get update && sudo apt-get install -y tmux";

/** True when tmux can run these tests. When it cannot, says so loudly, or fails under AWSLOGIN_REQUIRE_TMUX=1. */
function hasTmux(): boolean {
  try {
    execFileSync("tmux", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    // not installed (or not runnable)
  }
  if (process.env.AWSLOGIN_REQUIRE_TMUX === "1") {
    throw new Error(
      `tmux is required for the terminal tests (AWSLOGIN_REQUIRE_TMUX=1) but is not installed. Install it: ${TMUX_INSTALL_HINT}`,
    );
  }
  process.stderr.write(
    `\n${"!".repeat(78)}\n!! Terminal tests NOT run: tmux is not installed.\n!! Install it with: ${TMUX_INSTALL_HINT}\n${"!".repeat(78)}\n\n`,
  );
  return false;
}

const describeInTmux = describe.skipIf(!hasTmux());
const SOCKET = `awslogin-test-${process.pid}`;
const ESC = String.fromCharCode(27);
const harness = useEmulatorSandbox();
const sessions: string[] = [];
let counter = 0;

function tmux(...args: string[]): string {
  return execFileSync("tmux", ["-L", SOCKET, "-f", "/dev/null", ...args], { encoding: "utf8" });
}

const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/** Starts the CLI in a new tmux pane with exactly `env` (NODE_ENV=production, the sandbox); returns the session name. */
function startInTmux(args: string[], env: NodeJS.ProcessEnv): string {
  const name = `awslogin-${process.pid}-${++counter}`;
  const script = join(harness.sandbox.dir, `${name}.sh`);
  const vars = Object.entries({ ...env, TERM: "xterm-256color" })
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${quote(value!)}`);
  writeFileSync(
    script,
    `#!/bin/sh\n# Ctrl-C reaches the whole foreground group: the script survives it to print the exit code.\ntrap : INT\nenv -i ${vars.join(" ")} ${quote(process.execPath)} ${quote(CLI_BIN)} ${args.map(quote).join(" ")}\necho "[exit $?]"\nsleep 600\n`,
    { mode: 0o700 },
  );
  tmux("new-session", "-d", "-x", "200", "-y", "50", "-s", name, script);
  sessions.push(name);
  return name;
}

/** The pane's text, wrapped lines joined; with escapes (colours) when asked. */
function screen(name: string, escapes = false): string {
  return tmux("capture-pane", "-p", "-J", ...(escapes ? ["-e"] : []), "-S", "-", "-t", name);
}

async function waitForScreen(
  name: string,
  pattern: RegExp,
  timeoutMs = 20_000,
  escapes = false,
): Promise<RegExpMatchArray> {
  const started = Date.now();
  for (;;) {
    const text = screen(name, escapes);
    const match = text.match(pattern);
    if (match) return match;
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out waiting for ${pattern} on the screen:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function exitCode(name: string): Promise<number> {
  const [, code] = await waitForScreen(name, /\[exit (\d+)\]/);
  return Number(code);
}

function type(name: string, text: string): void {
  if (text !== "") tmux("send-keys", "-t", name, "-l", text);
  tmux("send-keys", "-t", name, "Enter");
}

const SAME_DEVICE_URL = /(http:\/\/127\.0\.0\.1:\d+\/v1\/authorize\?\S*same-device\S*)/;

/**
 * Starts `login --no-browser` for `profile` and presses Enter while it waits, which switches it to --remote;
 * returns once the code is asked for, with both authorize URLs.
 */
async function switchToRemote(
  profile: string,
): Promise<{ name: string; sameDeviceUrl: string; crossDeviceUrl: string }> {
  const name = startInTmux(
    [
      "login",
      "--profile",
      profile,
      "--region",
      "us-east-1",
      "--endpoint-url",
      harness.emulator.url,
      "--no-browser",
    ],
    harness.sandbox.env,
  );
  const [, sameDeviceUrl] = await waitForScreen(name, SAME_DEVICE_URL);
  // A desktop gets "Press Enter…"; an SSH session or container gets a hint that ends "(or press Enter now)".
  await waitForScreen(name, /Press Enter to sign in from another device instead\.|\(or press Enter now\)/);
  type(name, "");
  const [, crossDeviceUrl] = await waitForScreen(name, CROSS_DEVICE_URL);
  await waitForScreen(name, /Enter the authorization code displayed in your browser: $/m);
  return { name, sameDeviceUrl: sameDeviceUrl!, crossDeviceUrl: crossDeviceUrl! };
}

function browserEnv(): NodeJS.ProcessEnv {
  return { ...harness.sandbox.env, BROWSER: `${process.execPath} ${FAKE_BROWSER}` };
}

afterEach(async () => {
  for (const name of sessions.splice(0)) {
    try {
      tmux("kill-session", "-t", name);
    } catch {
      // already gone
    }
  }
});
afterAll(() => {
  try {
    tmux("kill-server"); // the private server of this file's socket only
  } catch {
    // no server left
  }
});

describeInTmux("interactive login in a real terminal (tmux)", () => {
  it("asks for the region; Enter accepts us-east-1 and saves it to the profile", async () => {
    const name = startInTmux(
      ["login", "--profile", "fresh", "--endpoint-url", harness.emulator.url],
      browserEnv(),
    );
    await waitForScreen(name, /AWS Region \[us-east-1\]: $/m);
    type(name, "");
    expect(await exitCode(name)).toBe(0);
    expect(screen(name)).toContain(`Signed in as ${DEFAULT_IDENTITY}`);
    expect(parseConfigFile(readFileSync(harness.sandbox.configPath, "utf8")).fresh).toEqual({
      login_session: DEFAULT_IDENTITY,
      region: "us-east-1",
    });
  });

  it("asks before replacing another session: n writes nothing (config byte for byte), y replaces it", async () => {
    const original =
      "# team profile\n[profile dev]\nlogin_session = arn:aws:iam::999988887777:user/other ; old\nregion = eu-west-1\n";
    writeConfig(harness.sandbox, original);
    const no = startInTmux(
      ["login", "--profile", "dev", "--endpoint-url", harness.emulator.url],
      browserEnv(),
    );
    await waitForScreen(no, /Do you want to overwrite it to use \S+ instead\? \(y\/n\): $/m);
    type(no, "n");
    expect(await exitCode(no)).toBe(1);
    expect(screen(no)).toContain("LOGIN_CANCELLED");
    expect(readFileSync(harness.sandbox.configPath, "utf8")).toBe(original);
    expect(cacheFiles(harness.sandbox)).toEqual([]);

    const yes = startInTmux(
      ["login", "--profile", "dev", "--endpoint-url", harness.emulator.url],
      browserEnv(),
    );
    await waitForScreen(yes, /\(y\/n\): $/m);
    type(yes, "y");
    expect(await exitCode(yes)).toBe(0);
    const config = readFileSync(harness.sandbox.configPath, "utf8");
    expect(config).toContain("# team profile\n");
    expect(parseConfigFile(config).dev).toEqual({ login_session: DEFAULT_IDENTITY, region: "eu-west-1" });
  });

  it("Enter while waiting switches to --remote; the code from the confirmation page completes the cross-device login", async () => {
    const { name, sameDeviceUrl, crossDeviceUrl } = await switchToRemote("far");
    expect(crossDeviceUrl).not.toBe(sameDeviceUrl);

    // The other device: open the URL, follow to the confirmation page, read the code.
    type(name, await codeFromConfirmationPage(crossDeviceUrl));

    expect(await exitCode(name)).toBe(0);
    const record = readRecord(cachePathOf(harness.sandbox, DEFAULT_IDENTITY));
    expect(record.clientId).toBe("arn:aws:signin:::devtools/cross-device");
    expect(harness.emulator.stats().tokenRequests.authorization_code).toBe(1);
    expect(parseConfigFile(readFileSync(harness.sandbox.configPath, "utf8")).far).toMatchObject({
      login_session: DEFAULT_IDENTITY,
    });
  });

  it("Enter, then the same-device flow completes first: the code prompt is abandoned and the login succeeds", async () => {
    const { name, sameDeviceUrl } = await switchToRemote("near");

    // The browser on this machine still had the first URL open: it completes on the loopback.
    const log = join(harness.sandbox.dir, "browser.log");
    // Asynchronously: the emulator answers from this process.
    await promisify(execFile)(process.execPath, [FAKE_BROWSER, sameDeviceUrl], {
      env: { ...harness.sandbox.env, FAKE_BROWSER_LOG: log },
      timeout: 20_000,
    });

    expect(await exitCode(name)).toBe(0);
    const text = screen(name);
    expect(text).toContain(`Signed in as ${DEFAULT_IDENTITY}`);
    expect(text).not.toContain("did not work");
    expect(text).not.toContain("LOGIN_CANCELLED");
    const callback = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { url?: string; status?: number; body?: string })
      .find((page) => page.url?.includes("/oauth/callback"));
    expect(callback?.status).toBe(200);
    expect(callback?.body).toContain('data-result="success"');
    expect(readRecord(cachePathOf(harness.sandbox, DEFAULT_IDENTITY)).clientId).toBe(
      "arn:aws:signin:::devtools/same-device",
    );
    expect(readdirSync(harness.sandbox.cacheDir)).toHaveLength(1);
    expect(harness.emulator.stats().tokenRequests.authorization_code).toBe(1);
    expect(parseConfigFile(readFileSync(harness.sandbox.configPath, "utf8")).near).toMatchObject({
      login_session: DEFAULT_IDENTITY,
    });
  });
});

describeInTmux("colour on a terminal", () => {
  it("status paints the state on a terminal, and NO_COLOR turns it off", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const { NO_COLOR: _unset, ...colourEnv } = harness.sandbox.env;
    const coloured = startInTmux(["status", "--profile", "dev"], colourEnv);
    expect(await exitCode(coloured)).toBe(0);
    // tmux re-renders the SGR it saw: green (32) before "valid".
    expect(screen(coloured, true)).toMatch(new RegExp(`State:\\s+${ESC}\\[32mvalid`));

    const plain = startInTmux(["status", "--profile", "dev"], { ...harness.sandbox.env, NO_COLOR: "1" });
    expect(await exitCode(plain)).toBe(0);
    const text = screen(plain, true);
    expect(text).toMatch(/State:\s+valid/);
    expect(text).not.toContain(`${ESC}[`);
  });
});

describeInTmux("exec in a real terminal", () => {
  it("Ctrl-C reaches the command once (the terminal delivers it; awslogin does not send it again)", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const counter = join(harness.sandbox.dir, "count-sigint.mjs");
    writeFileSync(
      counter,
      'let n = 0; process.on("SIGINT", () => { n++; }); console.log("ready"); setTimeout(() => { console.log("SIGINT x" + n); process.exit(n); }, 1500);\n',
    );
    const name = startInTmux(
      ["exec", "--profile", "dev", "--", process.execPath, counter],
      harness.sandbox.env,
    );
    await waitForScreen(name, /^ready$/m);
    tmux("send-keys", "-t", name, "C-c");
    expect(await exitCode(name)).toBe(1);
    expect(screen(name)).toContain("SIGINT x1");
  });

  it("Ctrl-D at the region prompt ends the login with a typed error, writing nothing", async () => {
    const name = startInTmux(
      ["login", "--profile", "fresh", "--endpoint-url", harness.emulator.url],
      browserEnv(),
    );
    await waitForScreen(name, /AWS Region \[us-east-1\]: $/m);
    tmux("send-keys", "-t", name, "C-d");
    expect(await exitCode(name)).toBe(1);
    expect(screen(name)).toContain("[LOGIN_CANCELLED]");
    expect(existsSync(harness.sandbox.configPath)).toBe(false);
  });
});
