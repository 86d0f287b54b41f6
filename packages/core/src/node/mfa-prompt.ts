/**
 * The MFA code prompt on the controlling terminal (`/dev/tty`), as the AWS CLI's getpass prompt reads it: stdin and
 * stdout may belong to an SDK (credential_process) or a pipe (`eval "$(awslogin export)"`), the terminal does not.
 */
import { closeSync, openSync } from "node:fs";
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
 * an SDK started without a terminal). The code is not echoed, as the AWS CLI's getpass prompt does not echo it;
 * Ctrl-C or Ctrl-D give up (an empty answer, refused by the caller).
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
        input.setRawMode(true);
        const answer = await new Promise<string>((resolve) => {
          let typed = "";
          input.on("data", (chunk: Buffer) => {
            for (const char of chunk.toString("utf8")) {
              if (char === "\r" || char === "\n") return resolve(typed);
              if (char === "\u0003" || char === "\u0004") return resolve("");
              if (char === "\u007f" || char === "\b") typed = typed.slice(0, -1);
              else if (typed.length < 64) typed += char;
            }
          });
          input.once("end", () => resolve(typed));
        });
        output.write("\n");
        return answer;
      } finally {
        input.setRawMode(false);
        input.destroy();
        output.destroy();
      }
    },
  };
}
