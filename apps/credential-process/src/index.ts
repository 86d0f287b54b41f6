/**
 * @awslogin/credential-process as a library, for `awslogin export` and `exec`: the output formats of
 * `aws configure export-credentials`. The cache-hit reader they use is `@awslogin/core/cache-hit`.
 * The binary is `dist/main.cjs` (`awslogin-credential-process`).
 * @see docs/protocol.md §9
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
  quotePosix,
} from "./formats.js";
