/**
 * @awslogin/credential-process as a library: the output formats of `aws configure export-credentials`,
 * shared with `awslogin export`. The binary is `dist/main.cjs` (`awslogin-credential-process`).
 * @see PROTOCOL.md §9
 */
export {
  EXPORT_FORMATS,
  type ExportableCredentials,
  type ExportContext,
  type ExportFormat,
  formatCredentials,
  formatIsoExpiration,
  formatProcess,
  isExportFormat,
} from "./formats.js";
