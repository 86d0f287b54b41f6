/**
 * The commands bin/run.js answers before oclif loads (dist/fast-path.cjs, CommonJS like the credential_process
 * binary): `--version`, `export` and `exec` on a cache hit, and `status --json` of one profile whose cache file passes
 * the structural check (or that has no login_session). Each answers only what it fully understands and
 * prints exactly what the oclif command prints; anything else (another flag, `--help`, a cache miss, a refresh
 * due, an error to explain) answers false, and bin/run.js runs oclif, which does it all as before.
 * AWSLOGIN_NO_FAST_PATH=1 (internal, for the tests that hold both paths equal) always answers false.
 */
import { readFileSync } from "node:fs";
import { arch, platform, release } from "node:os";
import { join } from "node:path";
import { isUsableState, readStatusHit } from "@awslogin/core/cache-hit";
import { printableJson } from "@awslogin/core/printable";
import { formatCredentials, isExportFormat } from "@awslogin/credential-process";
import { readProfileCacheHit } from "../cache-hit.js";
import { splitExecArgv } from "../exec-argv.js";
import { runWithCredentials } from "../exec-child.js";
import { EXIT } from "../exit-codes.js";
import { resolveProfileName } from "../profile-name.js";
import { fdOutput } from "./fd-output.js";
import { parseFastFlags } from "./flags.js";

/**
 * Answers the command line without oclif when it can: true when it did (for `exec`, once the command started;
 * process.exitCode is set when it ends), false when oclif must run it.
 * @param root the CLI package's folder (where package.json is)
 */
export function answerWithoutOclif(argv: readonly string[], env: NodeJS.ProcessEnv, root: string): boolean {
  // Forced off for the parity tests; oclif's debug output (DEBUG, AWSLOGIN_DEBUG) is oclif's to print, and oclif
  // removes AWSLOGIN_REDIRECTED from what exec would pass on.
  if (env.AWSLOGIN_NO_FAST_PATH === "1" || env.DEBUG || env.AWSLOGIN_DEBUG || env.AWSLOGIN_REDIRECTED)
    return false;
  const [command, ...rest] = argv;
  if (command === "--version" && rest.length === 0) return answerVersion(root);
  // oclif shows help for --help anywhere before `--`, whatever the command.
  const beforeDashDash = rest.indexOf("--") === -1 ? rest : rest.slice(0, rest.indexOf("--"));
  if (beforeDashDash.includes("--help")) return false;
  if (command === "export") return answerExport(rest, env);
  if (command === "exec") return answerExec(rest, env);
  if (command === "status") return answerStatus(rest, env);
  return false;
}

/**
 * oclif's `--version` line: `NAME/VERSION PLATFORM-ARCH node-vX.Y.Z`. Under WSL oclif says `wsl` (unless in a
 * container, which it checks further): left to oclif.
 */
function answerVersion(root: string): boolean {
  if (release().toLowerCase().includes("microsoft") || readsMicrosoft("/proc/version")) return false;
  const { name, version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    name: string;
    version?: string;
  };
  const cpu = arch() === "ia32" ? "x86" : arch();
  fdOutput.out(`${name}/${version || "0.0.0"} ${platform()}-${cpu} node-${process.version}\n`);
  return true;
}

function readsMicrosoft(path: string): boolean {
  try {
    return readFileSync(path, "utf8").toLowerCase().includes("microsoft");
  } catch {
    return false;
  }
}

/** `export [--profile P] [--format F]` on a cache hit; a value a format cannot hold is oclif's to refuse. */
function answerExport(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  const flags = parseFastFlags(argv, { profile: { char: "p" }, format: { char: "f" } });
  const format = flags?.format ?? "process";
  if (flags === undefined || !isExportFormat(format)) return false;
  const hit = readProfileCacheHit(resolveProfileName(flags.profile, env), env);
  if (hit === undefined) return false;
  let text: string;
  try {
    text = formatCredentials(hit.credentials, format, { accountId: hit.accountId, region: hit.region });
  } catch {
    return false;
  }
  fdOutput.out(text);
  return true;
}

/** `exec [--profile P] [--] COMMAND [ARGS...]` on a cache hit. */
function answerExec(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  const { own, command } = splitExecArgv(argv);
  const flags = parseFastFlags(own, { profile: { char: "p" } });
  const [file, ...args] = command;
  if (flags === undefined || file === undefined || file === "") return false;
  const hit = readProfileCacheHit(resolveProfileName(flags.profile, env), env);
  if (hit === undefined) return false;
  void runWithCredentials(file, args, hit, fdOutput, env).then((code) => {
    process.exitCode = code;
  });
  return true;
}

/**
 * `status --json [--profile P]`: the object oclif's JSON flag prints (core's printableJson, as BaseCommand.logJson),
 * exit status 1 unless the session is usable. Text output (colours, the terminal's width) and `--all` are oclif's.
 */
function answerStatus(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  const own = argv.filter((arg) => arg !== "--json");
  if (argv.length - own.length !== 1) return false;
  const flags = parseFastFlags(own, { profile: { char: "p" } });
  if (flags === undefined) return false;
  const status = readStatusHit(resolveProfileName(flags.profile, env), env);
  if (status === undefined) return false;
  fdOutput.out(`${printableJson(status)}\n`);
  if (!isUsableState(status.state)) process.exitCode = EXIT.failure;
  return true;
}
