/**
 * @awslogin/credential-process as a library, for `awslogin export` and `exec`: the output formats of
 * `aws configure export-credentials`, and the binary's cache-hit reader (core's full path only when it misses).
 * The binary is `dist/main.cjs` (`awslogin-credential-process`).
 * @see docs/protocol.md §6, §9
 */
export { type CacheHit, readCacheHit } from "./cache-hit.js";
export type { CachedCredentials } from "./cached-credentials.js";
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
