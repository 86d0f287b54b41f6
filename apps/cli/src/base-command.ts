/**
 * The one base class of every command: turns core's typed errors into a one-line message on stderr (core's
 * facts, then the `awslogin` command its remedy calls for) and a stable exit code (0 ok, 1 failure the user can act on, 2 usage error, 130 interrupted).
 * Loaded on every start-up, so it imports nothing of core at run time: errors are recognised by core's marker.
 */
import type { AwsLoginError } from "@awslogin/core";
import { Command } from "@oclif/core";
import { EXIT } from "./exit-codes.js";
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
      process.stderr.write(`awslogin: ${printable(message, MESSAGE_LIMIT)} [${error.code}]\n`);
      this.exit(exit);
    }
    return super.catch(error);
  }
}
