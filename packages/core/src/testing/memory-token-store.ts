/**
 * A {@link TokenStore} in memory for driver tests. Records are cloned in and out, as a file would copy them, and
 * every write is appended to `journal` (shared with other fakes to check the order of writes).
 *
 * Test support only: not part of the package's entry points.
 */
import type { TokenStore } from "../ports.js";
import type { TokenCacheRecord } from "../token-cache.js";

export interface MemoryTokenStore extends TokenStore {
  readonly records: Map<string, TokenCacheRecord>;
  readonly journal: string[];
}

export function createMemoryTokenStore(
  options: { journal?: string[]; records?: Record<string, TokenCacheRecord> } = {},
): MemoryTokenStore {
  const records = new Map(Object.entries(options.records ?? {}).map(([k, v]) => [k, structuredClone(v)]));
  const journal = options.journal ?? [];
  return {
    records,
    journal,
    directory: "/home/u/.aws/login/cache",
    pathFor: (session) => `/home/u/.aws/login/cache/${encodeURIComponent(session)}.json`,
    read: async (session) => structuredClone(records.get(session)),
    write: async (session, record) => {
      journal.push(`cache:${session}`);
      records.set(session, structuredClone(record));
    },
    remove: async (session) => records.delete(session),
    list: async () => [...records.entries()].map(([session, record]) => ({ path: session, record })),
  };
}
