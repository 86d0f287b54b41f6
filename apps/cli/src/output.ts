/**
 * Where every command's output goes: results on stdout, messages, warnings and errors on stderr. Commands and
 * their actions write through this one writer (never console.log or oclif's log), so the oclif path and the fast
 * path in bin/run.js print the same bytes, and tests can swap it.
 */
export interface Output {
  /** Writes `text` to stdout as it is (the caller ends its lines). */
  out(text: string): void;
  /** Writes `text` to stderr as it is (the caller ends its lines). */
  err(text: string): void;
}

/** The process's own stdout and stderr. */
export const processOutput: Output = {
  out: (text) => {
    process.stdout.write(text);
  },
  err: (text) => {
    process.stderr.write(text);
  },
};
