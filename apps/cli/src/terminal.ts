/**
 * The terminal side of the CLI: prompts on stdin/stderr, a spinner, colour that honours NO_COLOR.
 */
import { createInterface } from "node:readline";
import type { Prompt } from "@awslogin/core";

export interface Terminal extends Prompt {
  /** stdin and stderr are both terminals: someone can answer. */
  readonly isInteractive: boolean;
  readonly color: boolean;
  ask(question: string, defaultValue: string): Promise<string>;
  /** Reads one line from stdin (terminal or pipe); rejects on end of input or abort. */
  readLine(question: string, signal?: AbortSignal): Promise<string>;
  spinner(active: boolean, text: string): void;
  paint(text: string, color: "green" | "red" | "yellow" | "bold" | "dim"): string;
}

const CODES = { green: 32, red: 31, yellow: 33, bold: 1, dim: 2 } as const;
const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export function createTerminal(env: NodeJS.ProcessEnv = process.env): Terminal {
  const stdin = process.stdin;
  const stderr = process.stderr;
  const isInteractive = Boolean(stdin.isTTY && stderr.isTTY);
  const color = Boolean(stderr.isTTY) && (env.NO_COLOR === undefined || env.NO_COLOR === "") && env.TERM !== "dumb";
  let timer: NodeJS.Timeout | undefined;

  function readLine(question: string, signal?: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      const rl = createInterface({ input: stdin, output: stderr, terminal: Boolean(stdin.isTTY) });
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        rl.close();
        fn();
      };
      const onAbort = () => finish(() => reject(new Error("aborted")));
      signal?.addEventListener("abort", onAbort, { once: true });
      rl.once("line", (line) => finish(() => resolve(line)));
      rl.once("close", () => finish(() => reject(new Error("end of input"))));
      rl.once("SIGINT", () => finish(() => reject(new Error("interrupted"))));
      stderr.write(question);
    });
  }

  return {
    isInteractive,
    color,
    async confirm(question) {
      const answer = await readLine(`${question} (y/n): `);
      return /^\s*y(es)?\s*$/i.test(answer);
    },
    async ask(question, defaultValue) {
      const answer = (await readLine(`${question} [${defaultValue}]: `)).trim();
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
    paint(text, name) {
      return color ? `\x1b[${CODES[name]}m${text}\x1b[0m` : text;
    },
  };
}
