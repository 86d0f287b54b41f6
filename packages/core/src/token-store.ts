/**
 * Where login token cache records live. Types only: the file implementation is `node/token-store.ts`.
 * @see docs/protocol.md §6
 */
import type { AwsLoginError } from "./errors.js";
import type { TokenCacheRecord } from "./token-cache.js";

/** One file of the cache directory, for `status` and `logout --all`: a record, or why it could not be read. @see docs/protocol.md §6, §7 */
export interface TokenStoreEntry {
  /** The file's absolute path. */
  path: string;
  /** The record, when the file could be parsed. */
  record?: TokenCacheRecord;
  /** Why it could not be (CACHE_MALFORMED), when it could not. */
  error?: AwsLoginError;
}

/** Reads and writes login token cache records keyed by login session. @see docs/protocol.md §6 */
export interface TokenStore {
  /** The cache directory. */
  readonly directory: string;
  /** `<directory>/<sha256(loginSession)>.json`. */
  pathFor(loginSession: string): string;
  /** The record, or undefined when the file does not exist; CACHE_MALFORMED when it cannot be used. Never writes. */
  read(loginSession: string): Promise<TokenCacheRecord | undefined>;
  /** The file's text as stored, or undefined when it does not exist. */
  readText?(loginSession: string): Promise<string | undefined>;
  /** Replaces the record atomically (0600 file, 0700 directory); CACHE_WRITE_FAILED leaves the old file intact. */
  write(loginSession: string, record: TokenCacheRecord): Promise<void>;
  /**
   * Called under the session's lock before a refresh: a writer that died (or hit a full disk) between writing its
   * temp file whole and the rename may have left the only copy of a rotated refresh token. A complete temp record
   * of the same session, newer than the file, is renamed into place (true); the other temp files are removed.
   */
  adoptPending?(loginSession: string): Promise<boolean>;
  /** Deletes the file; false when there was none. */
  remove(loginSession: string): Promise<boolean>;
  /** The login-token-shaped `*.json` files, and the `*.json` files that are not valid JSON, sorted by path. */
  list(): Promise<TokenStoreEntry[]>;
}
