/**
 * Plain-text output of the read commands (status, doctor): aligned tables, relative times, and colour only
 * on a terminal with NO_COLOR unset (https://no-color.org); login's prompts on stderr share the rule.
 */
import type { SessionState } from "@awslogin/core";
import type { DoctorStatus } from "./doctor/judges.js";

export type Paint = (text: string, color: "green" | "red" | "yellow" | "bold" | "dim") => string;

const CODES = { green: 32, red: 31, yellow: 33, bold: 1, dim: 2 } as const;
/** A colour escape sequence (Select Graphic Rendition). */
const SGR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

/** Colour for `stream` (stdout by default): a terminal, NO_COLOR unset or empty, TERM not dumb. */
export function createPaint(
  env: NodeJS.ProcessEnv = process.env,
  stream: { isTTY?: boolean } = process.stdout,
): Paint {
  const color =
    Boolean(stream.isTTY) && (env.NO_COLOR === undefined || env.NO_COLOR === "") && env.TERM !== "dumb";
  return (text, name) => (color ? `\x1b[${CODES[name]}m${text}\x1b[0m` : text);
}

/** Columns padded to their widest cell (measured without colour codes), two spaces apart. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const visible = (cell: string) => cell.replace(SGR, "").length;
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, visible(cell));
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - visible(cell))))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** "in 14 min", "3 min ago", "in 11 h 58 min". */
export function relativeTime(iso: string | null | undefined, now: number): string {
  if (iso === null || iso === undefined) return "-";
  const delta = Date.parse(iso) - now;
  const total = Math.round(Math.abs(delta) / 60_000);
  const span = total < 60 ? `${total} min` : `${Math.floor(total / 60)} h ${total % 60} min`;
  return delta >= 0 ? `in ${span}` : `${span} ago`;
}

export function paintState(state: SessionState, paint: Paint): string {
  switch (state) {
    case "valid":
      return paint(state, "green");
    case "refresh-due":
      return paint(state, "yellow");
    default:
      return paint(state, "red");
  }
}

export function paintStatus(status: DoctorStatus, paint: Paint): string {
  const label = status.toUpperCase().padEnd(4);
  return status === "ok"
    ? paint(label, "green")
    : status === "warn"
      ? paint(label, "yellow")
      : paint(label, "red");
}
