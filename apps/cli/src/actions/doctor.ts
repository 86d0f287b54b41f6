/**
 * `awslogin doctor`: runs core's checks and prints the findings.
 */
import { type DoctorFinding, doctorExitCode } from "@awslogin/core";
import { runDoctor } from "@awslogin/core/node";
import type { DoctorFlags } from "../commands/doctor.js";
import { createPaint, type Paint, paintStatus } from "../render.js";

export async function diagnose(flags: DoctorFlags): Promise<void> {
  const findings = await runDoctor({
    env: process.env,
    ...(flags.profile === undefined ? {} : { profile: flags.profile }),
  });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
  } else {
    process.stdout.write(render(findings, createPaint(process.env)));
  }
  process.exitCode = doctorExitCode(findings);
}

function render(findings: readonly DoctorFinding[], paint: Paint): string {
  const lines = findings.map((finding) => {
    const fix = finding.fix === null ? "" : `\n       ${paint("fix:", "dim")} ${finding.fix}`;
    return `${paintStatus(finding.status, paint)}  ${paint(finding.check, "bold")}: ${finding.message}${fix}`;
  });
  const count = (status: string) => findings.filter((finding) => finding.status === status).length;
  lines.push(
    "",
    `${count("ok")} ok, ${count("warn")} warning${count("warn") === 1 ? "" : "s"}, ${count("fail")} failed`,
  );
  return `${lines.join("\n")}\n`;
}
