#!/usr/bin/env node
// The demo: start the Sign-In + STS emulator, log in through it (auto-approve, no browser needed),
// then call STS GetCallerIdentity with the new credentials and print who we are.
// Everything happens on 127.0.0.1 in a throwaway HOME; nothing of yours is read or written.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";

const root = new URL("..", import.meta.url).pathname;
const cli = join(root, "apps", "cli", "bin", "run.js");
const home = mkdtempSync(join(tmpdir(), "awslogin-demo-"));
// None of your AWS_* settings (profile, files, endpoints, region) reach the demo.
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AWS_"))),
  HOME: home,
  NODE_ENV: "production",
  AWS_CONFIG_FILE: join(home, ".aws", "config"),
  AWS_SHARED_CREDENTIALS_FILE: join(home, ".aws", "credentials"),
  AWS_LOGIN_CACHE_DIRECTORY: join(home, ".aws", "login", "cache"),
  BROWSER: `"${process.execPath}" "${join(root, "scripts", "follow-redirects-browser.mjs")}"`,
};
const step = (text) => console.log(`\n\x1b[1m▶ ${text}\x1b[0m`);

const emulator = spawn(process.execPath, [cli, "emulator", "--auto-approve", "--quiet"], {
  env,
  stdio: ["ignore", "pipe", "inherit"],
});
try {
  step("Starting the AWS Sign-In + STS emulator (awslogin emulator --auto-approve)");
  const url = await new Promise((resolve, reject) => {
    emulator.once("exit", (code) => reject(new Error(`the emulator exited (${code})`)));
    createInterface({ input: emulator.stdout }).once("line", resolve);
  });
  console.log(`emulator at ${url}`);

  step(`awslogin login --profile demo --region us-east-1 --endpoint-url ${url}`);
  const login = spawn(
    process.execPath,
    [cli, "login", "--profile", "demo", "--region", "us-east-1", "--endpoint-url", url],
    {
      env,
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  const code = await new Promise((resolve) => login.on("exit", resolve));
  if (code !== 0) throw new Error(`awslogin login exited with ${code}`);

  step("What was written");
  console.log(readFileSync(env.AWS_CONFIG_FILE, "utf8").trim());
  const [cacheFile] = readdirSync(env.AWS_LOGIN_CACHE_DIRECTORY);
  const token = JSON.parse(readFileSync(join(env.AWS_LOGIN_CACHE_DIRECTORY, cacheFile), "utf8"));
  console.log(
    `${cacheFile}: accessKeyId ${token.accessToken.accessKeyId}, expires ${token.accessToken.expiresAt} (secrets not shown)`,
  );

  step("STS GetCallerIdentity with the new credentials (AWS SDK for JavaScript v3)");
  // The AWS SDK warns on Node 20 that its releases after January 2027 need Node 22: noise in a demo.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const sts = new STSClient({
    region: "us-east-1",
    endpoint: url,
    credentials: {
      accessKeyId: token.accessToken.accessKeyId,
      secretAccessKey: token.accessToken.secretAccessKey,
      sessionToken: token.accessToken.sessionToken,
    },
  });
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  console.log(
    JSON.stringify({ Arn: identity.Arn, Account: identity.Account, UserId: identity.UserId }, null, 2),
  );
  console.log("\nDemo complete.");
} finally {
  emulator.kill("SIGTERM");
  rmSync(home, { recursive: true, force: true });
}
