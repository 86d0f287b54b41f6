/**
 * `awslogin status`: reads a profile's (or every profile's) session state and prints it, as text or JSON.
 */
import { AwsLoginError, isUsableState, printable, type SessionStatus } from "@awslogin/core";
import {
  checkProfileSession,
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
  /** Ask the sign-in service too (introspection): the only network call status makes. */
  check?: boolean;
}

/** What the sign-in service says about a profile's session (`status --check`). @see docs/protocol.md §16.3 */
export interface ServiceView {
  /** Whether the service considers the session's refresh token active. */
  active: boolean;
  /** When the session ends, as the service says (ISO 8601). */
  expiresAt?: string;
  /** The login session's ARN at the service. */
  signinSession?: string;
  /** The principal ARN. */
  principal?: string;
  /** The account. */
  accountId?: string;
  /** Why the session is not active, or why the check failed. */
  reason?: string;
  /** The error code when the check could not be made (network, access denied, …). */
  error?: string;
}

/** A profile's status, with the service's view after `--check`. */
export type CheckedStatus = SessionStatus & { service?: ServiceView };

/**
 * A role profile's status: its login profile's session (the root of the chain) and each role's assume-role cache
 * entry. `state` is the session's: the roles are assumed again from it when their entries are due.
 */
export type RoleProfileStatus = CheckedStatus & {
  /** The role profile asked about (`profile` is its login profile). */
  roleProfile: string;
  /** The roles of the chain, the first assumed with the login session's credentials. */
  roles: RoleStepStatus[];
};

/** What `status --json` prints: one profile's status, or every login profile's with `all`. */
export type StatusReport = CheckedStatus | RoleProfileStatus | CheckedStatus[];

/**
 * Adds the service's view to each profile whose local state is usable; a session the service reports inactive becomes
 * `expired`, with the reason. A check that fails leaves the local state and names the error.
 */
async function addServiceViews(statuses: SessionStatus[], env: NodeJS.ProcessEnv): Promise<CheckedStatus[]> {
  const checked: CheckedStatus[] = [];
  for (const status of statuses) {
    if (!isUsableState(status.state)) {
      checked.push(status);
      continue;
    }
    try {
      const result = await checkProfileSession({ profile: status.profile, env });
      const { introspection } = result;
      const service: ServiceView = {
        active: introspection.active,
        ...(introspection.expiresAt === undefined
          ? {}
          : { expiresAt: new Date(introspection.expiresAt).toISOString() }),
        ...(introspection.signinSession === undefined ? {} : { signinSession: introspection.signinSession }),
        ...(introspection.principal === undefined ? {} : { principal: introspection.principal }),
        ...(introspection.accountId === undefined ? {} : { accountId: introspection.accountId }),
        ...(result.reason === undefined ? {} : { reason: result.reason }),
      };
      checked.push(
        introspection.active
          ? { ...status, service }
          : {
              ...status,
              state: "expired",
              reason: result.reason ?? "The sign-in service ended the session.",
              service,
            },
      );
    } catch (error) {
      if (!AwsLoginError.isInstance(error)) throw error;
      checked.push({
        ...status,
        service: { active: false, error: error.code, reason: `The check failed: ${error.message}` },
      });
    }
  }
  return checked;
}

/** Prints the text report unless `json`; returns the JSON report. Exit status 1 unless every profile is usable. */
export async function showStatus(options: StatusOptions, output: Output): Promise<StatusReport> {
  const env = process.env;
  if (!options.all) {
    const chain = await readRoleChain({ profile: resolveProfileName(options.profile, env), env });
    if (chain !== undefined) return showRoleStatus(chain, options, output);
  }
  const which = options.all ? { all: true } : { profile: resolveProfileName(options.profile, env) };
  let now = Date.now();
  let report = await readSessionStatuses({ ...which, env, now });
  let statuses: CheckedStatus[] = report.statuses;
  if (options.check === true) {
    const checked = await addServiceViews(report.statuses, env);
    // A check refreshes due credentials (the call is signed): show the cache as it is now, with the service's view.
    now = Date.now();
    report = await readSessionStatuses({ ...which, env, now });
    statuses = withServiceViews(report.statuses, checked);
  }
  // A check that could not be made is a failure too: the user asked to know.
  const usable =
    statuses.length > 0 &&
    statuses.every((status) => isUsableState(status.state) && status.service?.error === undefined);
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

function renderOne(status: CheckedStatus, now: number, paint: Paint): string {
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
  const { service } = status;
  if (service !== undefined) {
    rows.push(["At AWS", serviceState(service)]);
    if (service.reason !== undefined) rows.push(["AWS says", printable(service.reason, REASON_LIMIT)]);
    if (service.expiresAt !== undefined) rows.push(["AWS session ends", when(service.expiresAt, now)]);
    if (service.signinSession !== undefined) rows.push(["Sign-in session", shown(service.signinSession)]);
    if (service.principal !== undefined) rows.push(["Principal", shown(service.principal)]);
  }
  return formatTable(rows.map(([key, value]) => [`${key}:`, value ?? ""]));
}

/** The service's view in one word or two. */
function serviceState(service: ServiceView): string {
  if (service.error !== undefined) return `not checked (${service.error})`;
  return service.active ? "active" : "inactive";
}

function renderTable(statuses: readonly CheckedStatus[], now: number, paint: Paint): string {
  const checked = statuses.some((status) => status.service !== undefined);
  const rows = [
    [
      "PROFILE",
      "STATE",
      "ACCOUNT",
      "REGION",
      "CREDENTIALS",
      "SESSION ENDS",
      ...(checked ? ["AT AWS"] : []),
    ].map((title) => paint(title, "bold")),
    ...statuses.map((status) => [
      shown(status.profile),
      paintState(status.state, paint),
      shown(status.accountId),
      shown(status.region),
      relativeTime(status.expiresAt, now),
      relativeTime(status.sessionExpiresAt, now),
      ...(checked ? [status.service === undefined ? "-" : serviceState(status.service)] : []),
    ]),
  ];
  const reasons = statuses
    .filter((status) => status.reason !== undefined || status.service?.error !== undefined)
    .map(
      (status) =>
        `  ${shown(status.profile)}: ${printable(status.reason ?? status.service?.reason ?? "", REASON_LIMIT)}`,
    );
  return [formatTable(rows), ...(reasons.length > 0 ? ["", ...reasons] : [])].join("\n");
}

/** The statuses read after a check, each with the service's view of the check before it (matched by profile). */
function withServiceViews(statuses: CheckedStatus[], checked: CheckedStatus[]): CheckedStatus[] {
  return statuses.map((status, index) => {
    const view = checked[index];
    if (view?.service === undefined || view.profile !== status.profile) return status;
    return view.service.active || view.service.error !== undefined
      ? { ...status, service: view.service }
      : { ...status, state: "expired", reason: view.reason ?? view.service.reason, service: view.service };
  });
}

async function showRoleStatus(
  chain: NonNullable<Awaited<ReturnType<typeof readRoleChain>>>,
  options: StatusOptions,
  output: Output,
): Promise<RoleProfileStatus> {
  const env = process.env;
  let now = Date.now();
  let { statuses }: { statuses: CheckedStatus[] } = await readSessionStatuses({
    profile: chain.rootProfile,
    env,
    now,
  });
  if (options.check === true) {
    // The service knows the login session only: the roles' credentials cannot be introspected.
    const checked = await addServiceViews(statuses, env);
    // A check refreshes due credentials (the call is signed): show the cache as it is now, as showStatus does.
    now = Date.now();
    statuses = withServiceViews(
      (await readSessionStatuses({ profile: chain.rootProfile, env, now })).statuses,
      checked,
    );
  }
  const roles = await readRoleChainStatus(chain, { env, now });
  const root = statuses[0]!;
  if (!isUsableState(root.state) || root.service?.error !== undefined) process.exitCode = EXIT.failure;
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
