/**
 * A {@link ConfigStore} in memory for driver tests: the config file's text, an optional credentials file section
 * per profile, and hooks to change the text between the driver's reads (another process editing the file).
 * Every write is appended to `journal`.
 *
 * Test support only: not part of the package's entry points.
 */
import type { ConfigStore } from "../ports.js";

export interface MemoryConfigStore extends ConfigStore {
  text: string;
  readonly journal: string[];
  /** How many times the text was read. */
  reads: number;
  /** Called before each read with the read's number (1 = the first): may change `text`. */
  beforeRead?: (read: number) => void;
}

export function createMemoryConfigStore(
  text: string,
  options: { journal?: string[]; credentials?: Record<string, Record<string, string>> } = {},
): MemoryConfigStore {
  const journal = options.journal ?? [];
  const store: MemoryConfigStore = {
    text,
    journal,
    reads: 0,
    path: "/home/u/.aws/config",
    async read() {
      store.reads++;
      store.beforeRead?.(store.reads);
      return store.text;
    },
    async write(next) {
      journal.push("config");
      store.text = next;
    },
    async update(edit) {
      const next = edit(store.text);
      journal.push("config");
      store.text = next;
    },
    readCredentialsSection: async (profile) => options.credentials?.[profile],
  };
  return store;
}
