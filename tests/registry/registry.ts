/**
 * A local npm registry for the release tests: Verdaccio on 127.0.0.1 with a temporary storage folder and no uplink,
 * serving the `@awslogin` scope only. Our packages are published to it as the release publishes them (`pnpm publish`,
 * which rewrites `workspace:*`); third-party dependencies come from npm's usual registry through npm's cache,
 * as they would for a user, because the fresh HOME's `.npmrc` maps only `@awslogin` to this registry.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The packages of a release, in the order they depend on each other (what `pnpm -r publish` also follows). */
export const PUBLISHED = [
  "packages/core",
  "packages/emulator",
  "packages/credential-provider",
  "apps/credential-process",
  "apps/cli",
] as const;

export interface Registry {
  url: string;
  token: string;
  stop(): Promise<void>;
}

const run = promisify(execFile);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

async function waitForPing(url: string, child: ChildProcess, deadline: number): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Verdaccio exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/-/ping`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error("Verdaccio did not answer within 60 s");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Starts Verdaccio 6 (it runs on Node 20) and creates a publishing user. */
export async function startRegistry(): Promise<Registry> {
  const dir = mkdtempSync(join(tmpdir(), "awslogin-registry-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  mkdirSync(join(dir, "storage"));
  writeFileSync(
    join(dir, "config.yaml"),
    [
      `storage: ${join(dir, "storage")}`,
      "auth:",
      "  htpasswd:",
      `    file: ${join(dir, "htpasswd")}`,
      "    max_users: 10",
      "uplinks: {}",
      "packages:",
      "  '@awslogin/*':",
      "    access: $all",
      "    publish: $authenticated",
      "    unpublish: $authenticated",
      "server:",
      "  keepAliveTimeout: 60",
      "logs: { type: stdout, format: pretty, level: error }",
      "publish:",
      "  allow_offline: true",
      "",
    ].join("\n"),
  );
  const bin = join(ROOT, "tests", "registry", "node_modules", "verdaccio", "bin", "verdaccio");
  const child = spawn(
    process.execPath,
    [bin, "--config", join(dir, "config.yaml"), "--listen", `127.0.0.1:${port}`],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env.PATH, HOME: dir, NODE_ENV: "production" },
    },
  );
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  try {
    await waitForPing(url, child, Date.now() + 60_000);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  const response = await fetch(`${url}/-/user/org.couchdb.user:release`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "release", password: "release-password", type: "user", roles: [] }),
  });
  const { token } = (await response.json()) as { token?: string };
  if (!response.ok || !token) throw new Error(`Verdaccio refused the publishing user (${response.status})`);
  return {
    url,
    token,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `.npmrc` lines that send the `@awslogin` scope, and nothing else, to the local registry. */
export function npmrcFor(registry: Registry): string {
  const host = registry.url.replace(/^http:/, "");
  return `@awslogin:registry=${registry.url}/\n${host}/:_authToken=${registry.token}\nfund=false\naudit=false\nupdate-notifier=false\n`;
}

/**
 * Publishes every package as the release does: `pnpm publish` in each package's folder (its `prepack` builds `dist`),
 * in dependency order. Provenance needs a CI provider's identity, which a local run has not: it is turned off here.
 */
export async function publishAll(registry: Registry, home: string): Promise<void> {
  for (const dir of PUBLISHED) {
    await run("pnpm", ["publish", "--no-git-checks", "--access", "public"], {
      cwd: join(ROOT, dir),
      env: {
        ...process.env,
        HOME: home,
        npm_config_userconfig: join(home, ".npmrc"),
        npm_config_registry: `${registry.url}/`,
        npm_config_provenance: "false",
      },
      maxBuffer: 16 * 1024 * 1024,
    });
  }
}
