import { isUsableState, type SessionStatus } from "@awslogin/core";
import { readSessionStatuses } from "@awslogin/core/node";
import { Flags } from "@oclif/core";
import { BaseCommand, EXIT } from "../base-command.js";
import { resolveProfileName } from "../context.js";
import { createStdoutPaint, formatTable, type Paint, paintState, relativeTime } from "../render.js";

export class StatusCommand extends BaseCommand {
  static override summary =
    "Show a profile's login session: account, credential and session expiry, and whether it is usable.";
  static override description =
    `Reads the config file and the token cache only: never refreshes, never writes.
States: valid; refresh-due (5 minutes or less left, or ran out, while the session lasts: the next use refreshes);
expired (past the 12-hour maximum, or the service refused the last refresh); logged-out (no login_session, or
no cache file); unreadable (the cache file cannot be used). sessionExpiresAt is the sign-in time + 12 hours, the
most AWS allows; your role's own limit may end the session sooner.
Exit status: 0 when every profile shown is valid or refresh-due, 1 otherwise (also when --all finds no login profile).`;
  static override examples = [
    "<%= config.bin %> status",
    "<%= config.bin %> status --profile dev",
    "<%= config.bin %> status --all",
    "<%= config.bin %> status --profile dev --json | jq -r .state",
    "<%= config.bin %> status --profile dev >/dev/null || <%= config.bin %> login --profile dev",
  ];
  static override flags = {
    profile: Flags.string({
      char: "p",
      description: "Profile to show (default: AWS_PROFILE, then default).",
      exclusive: ["all"],
    }),
    all: Flags.boolean({
      description: "Show every profile that has a login_session.",
      exclusive: ["profile"],
    }),
    json: Flags.boolean({ description: "Print JSON: one object for a profile, an array with --all." }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(StatusCommand);
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
      const paint = createStdoutPaint(env);
      process.stdout.write(
        `${flags.all ? renderTable(statuses, now, paint) : renderOne(statuses[0]!, now, paint)}\n`,
      );
    }
    if (!usable) process.exitCode = EXIT.failure;
  }
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
      status.expiresAt === null ? "-" : relativeTime(status.expiresAt, now),
      relativeTime(status.sessionExpiresAt, now),
    ]),
  ];
  const reasons = statuses
    .filter((status) => status.reason !== undefined)
    .map((status) => `  ${status.profile}: ${status.reason}`);
  return [formatTable(rows), ...(reasons.length > 0 ? ["", ...reasons] : [])].join("\n");
}
