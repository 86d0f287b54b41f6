/**
 * `awslogin status`: reads a profile's (or every profile's) session state and prints it, as text or JSON.
 */
import { isUsableState, type SessionStatus } from "@awslogin/core";
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
    process.stdout.write(`${JSON.stringify(flags.all ? statuses : statuses[0], null, 2)}\n`);
  } else if (statuses.length === 0) {
    process.stderr.write(
      `No profile in ${report.configPath} has a login_session. Run \`awslogin login\` to sign in.\n`,
    );
  } else {
    const paint = createPaint(env);
    process.stdout.write(
      `${flags.all ? renderTable(statuses, now, paint) : renderOne(statuses[0]!, now, paint)}\n`,
    );
  }
  if (!usable) process.exitCode = EXIT.failure;
}

function when(iso: string | null | undefined, now: number): string {
  return iso === null || iso === undefined ? "-" : `${iso} (${relativeTime(iso, now)})`;
}

function renderOne(status: SessionStatus, now: number, paint: Paint): string {
  const rows: string[][] = [
    ["Profile", paint(status.profile, "bold")],
    ["State", paintState(status.state, paint)],
  ];
  if (status.reason !== undefined) rows.push(["Reason", status.reason]);
  rows.push(
    ["Login session", status.loginSession ?? "-"],
    ["Account", status.accountId ?? "-"],
    ["Region", status.region ?? "-"],
    ["Credentials expire", when(status.expiresAt, now)],
  );
  if (status.sessionExpiresAt !== undefined) {
    rows.push(["Session ends", `${when(status.sessionExpiresAt, now)} ${paint("at the latest", "dim")}`]);
  }
  rows.push(["Cache file", status.cachePath ?? "-"]);
  return formatTable(rows.map(([key, value]) => [`${key}:`, value ?? ""]));
}

function renderTable(statuses: readonly SessionStatus[], now: number, paint: Paint): string {
  const rows = [
    ["PROFILE", "STATE", "ACCOUNT", "REGION", "CREDENTIALS", "SESSION ENDS"].map((title) =>
      paint(title, "bold"),
    ),
    ...statuses.map((status) => [
      status.profile,
      paintState(status.state, paint),
      status.accountId ?? "-",
      status.region ?? "-",
      relativeTime(status.expiresAt, now),
      relativeTime(status.sessionExpiresAt, now),
    ]),
  ];
  const reasons = statuses
    .filter((status) => status.reason !== undefined)
    .map((status) => `  ${status.profile}: ${status.reason}`);
  return [formatTable(rows), ...(reasons.length > 0 ? ["", ...reasons] : [])].join("\n");
}
