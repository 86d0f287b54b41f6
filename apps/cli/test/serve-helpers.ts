/**
 * `awslogin serve` as a real process: started with the sandbox's environment, its printed variables read back.
 */
import { request } from "node:http";
import { expect } from "vitest";
import { type RunningCli, startCli } from "./helpers.js";

export interface RunningServe {
  cli: RunningCli;
  /** The printed variables, unquoted. */
  variables: Record<string, string>;
  url: string;
  token: string;
  port: number;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
}

/** One `export NAME='value'` line as awslogin prints it (values here never hold a quote). */
const EXPORT_LINE = /^export ([A-Z_]+)='([^']*)'$/;

/** Starts `awslogin serve ARGS` and resolves once it has printed both variables. */
export async function startServe(args: string[], env: NodeJS.ProcessEnv): Promise<RunningServe> {
  const cli = startCli(["serve", ...args], env);
  await cli.waitForStderr(/press Ctrl-C to stop/);
  const lines = cli.stdout().trimEnd().split("\n");
  const variables: Record<string, string> = {};
  for (const line of lines) {
    const match = line.match(EXPORT_LINE);
    expect(match, `not an export line: ${line}`).not.toBeNull();
    variables[match![1]!] = match![2]!;
  }
  const url = variables.AWS_CONTAINER_CREDENTIALS_FULL_URI!;
  const token = variables.AWS_CONTAINER_AUTHORIZATION_TOKEN!;
  return {
    cli,
    variables,
    url,
    token,
    port: Number(new URL(url).port),
    async stop() {
      if (cli.child.exitCode === null) cli.child.kill("SIGTERM");
      await cli.done;
    },
  };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with exactly these headers (fetch would set Host and others itself). */
export function rawRequest(
  port: number,
  path: string,
  {
    method = "GET",
    headers = {},
    body,
  }: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, headers, setHost: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        text += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Polls `condition` every 50 ms until it holds, for at most `timeoutMs`. */
export async function eventually<T>(
  condition: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
