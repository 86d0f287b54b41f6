/**
 * `awslogin status`: reads a profile's (or every profile's) session state and prints it, as text or JSON.
 */
import { isUsableState, printable, type SessionStatus } from "@awslogin/core";
import {
  type RoleStepStatus,
  readRoleChain,
  readRoleChainStatus,
  readSessionStatuses,
} from "@awslogin/core/node";
import { EXIT } from "../exit-codes.js";
import type { Output } from "../output.js";
import { resolveProfileName } from "../profile-name.js";
import { createPaint, formatTable, type Paint, paintState, relativeTime } from "../render.js";

export interface StatusOptions {
  /** The profile to show (default: AWS_PROFILE, then `default`); ignored with `all`. */
  profile?: string;
  /** Every profile that has a login_session. */
  all: boolean;
  /** The caller prints the returned value as JSON: print no text. */
  json: boolean;
}

/**
 * A role profile's status: its login profile's session (the root of the chain) and each role's assume-role cache
 * entry. `state` is the session's: the roles are assumed again from it when their entries are due.
 */
export type RoleProfileStatus = SessionStatus & {
  /** The role profile asked about (`profile` is its login profile). */
  roleProfile: string;
  /** The roles of the chain, the first assumed with the login session's credentials. */
  roles: RoleStepStatus[];
};

/** What `status --json` prints: one profile's status, or every login profile's with `all`. */
export type StatusReport = SessionStatus | RoleProfileStatus | SessionStatus[];

/** Prints the text report unless `json`; returns the JSON report. Exit status 1 unless every profile is usable. */
export async function showStatus(options: StatusOptions, output: Output): Promise<StatusReport> {
  const env = process.env;
  const now = Date.now();
  if (!options.all) {
    const chain = await readRoleChain({ profile: resolveProfileName(options.profile, env), env });
    if (chain !== undefined) return showRoleStatus(chain, options, output, now);
  }
  const report = await readSessionStatuses({
    ...(options.all ? { all: true } : { profile: resolveProfileName(options.profile, env) }),
    env,
    now,
  });
  const { statuses } = report;
  const usable = statuses.length > 0 && statuses.every((status) => isUsableState(status.state));
  if (!usable) process.exitCode = EXIT.failure;
  const first = statuses[0];
  if (options.json) return options.all || first === undefined ? statuses : first;
  if (first === undefined) {
    output.err(
      `No profile in ${printable(report.configPath, PATH_LIMIT)} has a login_session. Run \`awslogin login\` to sign in.\n`,
    );
  } else {
    const paint = createPaint(env);
    output.out(`${options.all ? renderTable(statuses, now, paint) : renderOne(first, now, paint)}\n`);
  }
  return options.all ? statuses : (first ?? statuses);
}

/** Paths are ours or the user's, but may come from the environment: escaped, and cut only when absurd. */
const PATH_LIMIT = 1000;
/** A reason is our sentence with a path or a value in it. */
const REASON_LIMIT = 2000;

/** A value from the config file or the cache file, as printed: escaped and bounded. */
function shown(value: string | null | undefined): string {
  return value === null || value === undefined ? "-" : printable(value);
}

function when(iso: string | null | undefined, now: number): string {
  return iso === null || iso === undefined ? "-" : `${iso} (${relativeTime(iso, now)})`;
}

function renderOne(status: SessionStatus, now: number, paint: Paint): string {
  const rows: string[][] = [
    ["Profile", paint(shown(status.profile), "bold")],
    ["State", paintState(status.state, paint)],
  ];
  if (status.reason !== undefined) rows.push(["Reason", printable(status.reason, REASON_LIMIT)]);
  rows.push(
    ["Login session", shown(status.loginSession)],
    ["Account", shown(status.accountId)],
    ["Region", shown(status.region)],
    ["Credentials expire", when(status.expiresAt, now)],
  );
  if (status.sessionExpiresAt !== undefined) {
    rows.push(["Session ends", `${when(status.sessionExpiresAt, now)} ${paint("at the latest", "dim")}`]);
  }
  rows.push(["Cache file", status.cachePath === null ? "-" : printable(status.cachePath, PATH_LIMIT)]);
  return formatTable(rows.map(([key, value]) => [`${key}:`, value ?? ""]));
}

function renderTable(statuses: readonly SessionStatus[], now: number, paint: Paint): string {
  const rows = [
    ["PROFILE", "STATE", "ACCOUNT", "REGION", "CREDENTIALS", "SESSION ENDS"].map((title) =>
      paint(title, "bold"),
    ),
    ...statuses.map((status) => [
      shown(status.profile),
      paintState(status.state, paint),
      shown(status.accountId),
      shown(status.region),
      relativeTime(status.expiresAt, now),
      relativeTime(status.sessionExpiresAt, now),
    ]),
  ];
  const reasons = statuses
    .filter((status) => status.reason !== undefined)
    .map((status) => `  ${shown(status.profile)}: ${printable(status.reason ?? "", REASON_LIMIT)}`);
  return [formatTable(rows), ...(reasons.length > 0 ? ["", ...reasons] : [])].join("\n");
}

async function showRoleStatus(
  chain: NonNullable<Awaited<ReturnType<typeof readRoleChain>>>,
  options: StatusOptions,
  output: Output,
  now: number,
): Promise<RoleProfileStatus> {
  const env = process.env;
  const { statuses } = await readSessionStatuses({ profile: chain.rootProfile, env, now });
  const roles = await readRoleChainStatus(chain, { env, now });
  const root = statuses[0]!;
  if (!isUsableState(root.state)) process.exitCode = EXIT.failure;
  const status: RoleProfileStatus = { ...root, roleProfile: chain.profile, roles };
  if (options.json) return status;
  const paint = createPaint(env);
  const path = [chain.rootProfile, ...chain.steps.map((step) => step.profile)].map(shown).join(" → ");
  const rows: string[][] = [
    ["Role profile", paint(shown(chain.profile), "bold")],
    ["Chain", path],
  ];
  for (const role of roles) {
    const state =
      role.state === "fresh"
        ? paint("fresh", "green")
        : role.state === "due"
          ? "due (assumed again at next use)"
          : "not cached (assumed at next use)";
    rows.push([
      `Role ${shown(role.profile)}`,
      `${shown(role.roleArn)}: ${state}${role.expiresAt === null ? "" : `, expires ${when(role.expiresAt, now)}`}`,
    ]);
  }
  output.out(
    `${formatTable(rows.map(([key, value]) => [`${key}:`, value ?? ""]))}\n\nLogin profile:\n${renderOne(root, now, paint)}\n`,
  );
  return status;
}
