/**
 * `awslogin doctor`: runs the checks (doctor/observe.ts, doctor/judges.ts) and prints the findings.
 */
import { printable, printableJson } from "@awslogin/core";
import type { DoctorFlags } from "../commands/doctor.js";
import { type DoctorFinding, doctorExitCode } from "../doctor/judges.js";
import { runDoctor } from "../doctor/observe.js";
import { createPaint, type Paint, paintStatus } from "../render.js";

export async function diagnose(flags: DoctorFlags): Promise<void> {
  const findings = await runDoctor({
    env: process.env,
    ...(flags.profile === undefined ? {} : { profile: flags.profile }),
  });
  if (flags.json) {
    process.stdout.write(`${printableJson(findings)}\n`);
  } else {
    process.stdout.write(render(findings, createPaint(process.env)));
  }
  process.exitCode = doctorExitCode(findings);
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
