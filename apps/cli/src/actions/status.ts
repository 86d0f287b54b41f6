/**
 * `awslogin status`: reads a profile's (or every profile's) session state and prints it, as text or JSON.
 */
import { isUsableState, printable, printableJson, type SessionStatus } from "@awslogin/core";
import { readSessionStatuses } from "@awslogin/core/node";
import type { StatusFlags } from "../commands/status.js";
import { EXIT } from "../exit-codes.js";
import { resolveProfileName } from "../profile-name.js";
import { createPaint, formatTable, type Paint, paintState, relativeTime } from "../render.js";

export async function showStatus(flags: StatusFlags): Promise<void> {
  const env = process.env;
  const now = Date.now();
  const report = await readSessionStatuses({
    ...(flags.all ? { all: true } : { profile: resolveProfileName(flags.profile, env) }),
    env,
    now,
  });
  const { statuses } = report;
  const usable = statuses.length > 0 && statuses.every((status) => isUsableState(status.state));

  if (flags.json) {
    process.stdout.write(`${printableJson(flags.all ? statuses : statuses[0])}\n`);
  } else if (statuses.length === 0) {
    process.stderr.write(
      `No profile in ${printable(report.configPath, PATH_LIMIT)} has a login_session. Run \`awslogin login\` to sign in.\n`,
    );
  } else {
    const paint = createPaint(env);
    process.stdout.write(
      `${flags.all ? renderTable(statuses, now, paint) : renderOne(statuses[0]!, now, paint)}\n`,
    );
  }
  if (!usable) process.exitCode = EXIT.failure;
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
