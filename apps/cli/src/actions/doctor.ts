/**
 * `awslogin doctor`: runs the checks (doctor/observe.ts, doctor/judges.ts) and prints the findings.
 */
import { printable } from "@awslogin/core";
import { type DoctorFinding, doctorExitCode } from "../doctor/judges.js";
import { runDoctor } from "../doctor/observe.js";
import type { Output } from "../output.js";
import { createPaint, type Paint, paintStatus } from "../render.js";

export interface DoctorOptions {
  /** Check only this profile (default: every profile with a login_session). */
  profile?: string;
  /** The caller prints the returned findings as JSON: print no text. */
  json: boolean;
}

/** Prints the findings unless `json`, and returns them; exit status 1 when a check failed. */
export async function diagnose(options: DoctorOptions, output: Output): Promise<DoctorFinding[]> {
  const findings = await runDoctor({
    env: process.env,
    ...(options.profile === undefined ? {} : { profile: options.profile }),
  });
  if (!options.json) output.out(render(findings, createPaint(process.env)));
  process.exitCode = doctorExitCode(findings);
  return findings;
}

/** A finding is our sentence with paths and values from files in it: escaped, cut only when absurd. */
const FINDING_LIMIT = 2000;

function render(findings: readonly DoctorFinding[], paint: Paint): string {
  const lines = findings.map((finding) => {
    const fix =
      finding.fix === null ? "" : `\n       ${paint("fix:", "dim")} ${printable(finding.fix, FINDING_LIMIT)}`;
    return `${paintStatus(finding.status, paint)}  ${paint(printable(finding.check), "bold")}: ${printable(finding.message, FINDING_LIMIT)}${fix}`;
  });
  const count = (status: string) => findings.filter((finding) => finding.status === status).length;
  lines.push(
    "",
    `${count("ok")} ok, ${count("warn")} warning${count("warn") === 1 ? "" : "s"}, ${count("fail")} failed`,
  );
  return `${lines.join("\n")}\n`;
}
