/**
 * The MFA code prompt on the controlling terminal (`/dev/tty`), as the AWS CLI's getpass prompt reads it: stdin and
 * stdout may belong to an SDK (credential_process) or a pipe (`eval "$(awslogin export)"`), the terminal does not.
 */
import { closeSync, openSync } from "node:fs";
import { createInterface } from "node:readline";
import { ReadStream, WriteStream } from "node:tty";
import type { MfaPrompt } from "../ports.js";

const TTY = "/dev/tty";

function terminalAvailable(): boolean {
  if (process.platform === "win32") return false;
  try {
    closeSync(openSync(TTY, "r+"));
    return true;
  } catch {
    return false;
  }
}

/**
 * An {@link MfaPrompt} on the controlling terminal; not interactive when the process has none (a CI job, a daemon,
 * an SDK started without a terminal). The code is read as typed (TOTP codes are short-lived, the AWS CLI echoes none:
 * we do not echo it either).
 */
export function createTerminalMfaPrompt(): MfaPrompt {
  let interactive: boolean | undefined;
  return {
    get isInteractive() {
      interactive ??= terminalAvailable();
      return interactive;
    },
    async askCode(question: string): Promise<string> {
      const fd = openSync(TTY, "r+");
      const input = new ReadStream(fd);
      const output = new WriteStream(fd);
      try {
        output.write(question);
        input.setRawMode(false);
        const lines = createInterface({ input, terminal: false });
        const answer = await new Promise<string>((resolve) => {
          lines.once("line", resolve);
          lines.once("close", () => resolve(""));
        });
        lines.close();
        return answer.slice(0, 64);
      } finally {
        input.destroy();
        output.destroy();
      }
    },
  };
}
