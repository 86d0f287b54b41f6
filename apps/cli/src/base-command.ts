/**
 * The one base class of every command: turns core's typed errors into a one-line message on stderr (core's
 * facts, then the `awslogin` command its remedy calls for) and a stable exit code (0 ok, 1 failure the user can act
 * on, 2 usage error, 130 interrupted), and prints what a `--json` command returns (oclif's JSON flag) escaped for a
 * terminal, as it always was.
 * Loaded on every start-up, so it imports nothing of core at run time: errors are recognised by core's marker.
 */
import type { AwsLoginError } from "@awslogin/core";
import { Command } from "@oclif/core";
import { EXIT } from "./exit-codes.js";
import { type Output, processOutput } from "./output.js";
import { CLI_REMEDY_WORDING } from "./remedy.js";

/** Room for a message with a few outside values and paths in it; beyond it, a message is cut. */
const MESSAGE_LIMIT = 2000;

/** The property core's AwsLoginError sets to true, shared by every copy of core (see core's errors.ts). */
const AWS_LOGIN_ERROR_MARKER = Symbol.for("@awslogin/core/AwsLoginError");

/** `AwsLoginError.isInstance` without loading core. */
export function isAwsLoginError(value: unknown): value is AwsLoginError {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[AWS_LOGIN_ERROR_MARKER] === true
  );
}

export abstract class BaseCommand extends Command {
  /** The one writer of every command and its action. */
  protected readonly output: Output = processOutput;

  /** JSON as `--json` prints it; set in init, where it can be loaded without delaying start-up. */
  private formatJson: ((value: unknown) => string) | undefined;

  protected override async init(): Promise<void> {
    await super.init();
    // Values from files and the network end up in the JSON: escaped like every other output, so none can act on
    // the terminal (oclif's own logJson would colour it and print it raw).
    if (this.jsonEnabled()) this.formatJson = (await import("@awslogin/core/printable")).printableJson;
  }

  protected override logJson(json: unknown): void {
    this.output.out(`${(this.formatJson ?? ((value) => JSON.stringify(value, null, 2)))(json)}\n`);
  }

  protected override async catch(
    error: Error & { exitCode?: number; oclif?: { exit?: number } },
  ): Promise<unknown> {
    if (isAwsLoginError(error)) {
      const exit =
        error.code === "LOGIN_CANCELLED" && process.exitCode === EXIT.interrupted
          ? EXIT.interrupted
          : error.code === "INVALID_ARGUMENT"
            ? EXIT.usage
            : EXIT.failure;
      // Messages carry values from the network and files: escaped here too, so none can act on the terminal.
      // Loaded here, on the error path only: start-up loads no workspace package.
      const [{ printable }, { messageWithRemedy }] = await Promise.all([
        import("@awslogin/core/printable"),
        import("@awslogin/core/errors"),
      ]);
      const message = messageWithRemedy(error, CLI_REMEDY_WORDING);
      this.output.err(`awslogin: ${printable(message, MESSAGE_LIMIT)} [${error.code}]\n`);
      this.exit(exit);
    }
    // Usage errors and the rest keep oclif's message on stderr and exit status, with --json too (oclif would
    // print them as JSON on stdout instead).
    if (this.jsonEnabled()) {
      process.exitCode = process.exitCode ?? error.exitCode ?? 1;
      throw error;
    }
    return super.catch(error);
  }
}
