/**
 * `awslogin export`: prints a profile's credentials in one of `aws configure export-credentials`'s formats.
 */
import { formatCredentials, isExportFormat } from "@awslogin/credential-process";
import type { ExportFlags } from "../commands/export.js";
import { loadCredentialsForProfile } from "../profile-credentials.js";

export async function exportCredentials(flags: ExportFlags): Promise<void> {
  const format = isExportFormat(flags.format) ? flags.format : "process";
  const { credentials, accountId, region } = await loadCredentialsForProfile(flags.profile);
  process.stdout.write(formatCredentials(credentials, format, { accountId, region }));
}
