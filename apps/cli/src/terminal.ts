/**
 * The terminal side of the CLI: prompts on stdin/stderr, a spinner, colour that honours NO_COLOR.
 */
import { createInterface } from "node:readline";
import { AwsLoginError, type Prompt } from "@awslogin/core";
import { createPaint, type Paint } from "./render.js";

export interface Terminal extends Prompt {
  /** stdin and stderr are both terminals: someone can answer. */
  readonly isInteractive: boolean;
  ask(question: string, defaultValue: string): Promise<string>;
  /** Reads one line from stdin (terminal or pipe); rejects on end of input or abort. */
  readLine(question: string, signal?: AbortSignal): Promise<string>;
  spinner(active: boolean, text: string): void;
  /** Stops reading stdin so the process can exit. */
  close(): void;
  /** Colour on stderr, where the prompts go. */
  paint: Paint;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** A question left unanswered (Ctrl-D, end of input): nothing was written. */
function endedPrompt(): never {
  throw new AwsLoginError("LOGIN_CANCELLED", "No answer was given (end of input). Nothing was written.");
}

export function createTerminal(env: NodeJS.ProcessEnv = process.env): Terminal {
  const stdin = process.stdin;
  const stderr = process.stderr;
  const isInteractive = Boolean(stdin.isTTY && stderr.isTTY);
  let timer: NodeJS.Timeout | undefined;

  // One line reader for the whole process: lines typed (or piped) ahead of a prompt are kept, not lost.
  let rl: ReturnType<typeof createInterface> | undefined;
  const lines: string[] = [];
  let ended = false;
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of waiters) w();
  };
  function reader() {
    if (rl === undefined) {
      rl = createInterface({ input: stdin, output: stderr, terminal: Boolean(stdin.isTTY) });
      rl.on("line", (line) => {
        lines.push(line);
        notify();
      });
      rl.on("close", () => {
        ended = true;
        notify();
      });
      rl.on("SIGINT", () => process.kill(process.pid, "SIGINT"));
    }
    return rl;
  }

  function readLine(question: string, signal?: AbortSignal): Promise<string> {
    reader();
    if (question !== "") stderr.write(question);
    return new Promise((resolve, reject) => {
      const check = () => {
        if (signal?.aborted) {
          waiters.delete(check);
          reject(new Error("aborted"));
        } else if (lines.length > 0) {
          waiters.delete(check);
          resolve(lines.shift()!);
        } else if (ended) {
          waiters.delete(check);
          reject(new Error("end of input"));
        }
      };
      waiters.add(check);
      signal?.addEventListener("abort", check, { once: true });
      check();
    });
  }

  return {
    isInteractive,
    async confirm(question) {
      const answer = await readLine(`${question} (y/n): `).catch(endedPrompt);
      return /^\s*y(es)?\s*$/i.test(answer);
    },
    async ask(question, defaultValue) {
      const answer = (await readLine(`${question} [${defaultValue}]: `).catch(endedPrompt)).trim();
      return answer === "" ? defaultValue : answer;
    },
    readLine,
    spinner(active, text) {
      if (!stderr.isTTY) return;
      if (timer !== undefined) {
        clearInterval(timer);
        timer = undefined;
        stderr.write("\r\x1b[K");
      }
      if (!active) return;
      let frame = 0;
      timer = setInterval(() => {
        stderr.write(`\r${FRAMES[frame++ % FRAMES.length]} ${text}`);
      }, 80);
      timer.unref();
    },
    close() {
      rl?.close();
      rl = undefined;
    },
    paint: createPaint(env, stderr),
  };
}
