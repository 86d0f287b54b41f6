/**
 * `awslogin export`: prints a profile's credentials in one of `aws configure export-credentials`'s formats.
 */
import { type ExportFormat, formatCredentials } from "@awslogin/credential-process";
import type { Output } from "../output.js";
import { loadCredentialsForProfile } from "../profile-credentials.js";

export interface ExportOptions {
  /** The profile to export (default: AWS_PROFILE, then `default`). */
  profile?: string;
  format: ExportFormat;
}

export async function exportCredentials(options: ExportOptions, output: Output): Promise<void> {
  const { credentials, accountId, region } = await loadCredentialsForProfile(options.profile, output);
  output.out(formatCredentials(credentials, options.format, { accountId, region }));
}
