/**
 * The one base class of every command: turns core's typed errors into a one-line message on stderr
 * and a stable exit code (0 ok, 1 failure the user can act on, 2 usage error, 130 interrupted).
 * Loaded on every start-up, so it imports nothing of core at run time: errors are recognised by core's marker.
 */
import type { AwsLoginError } from "@awslogin/core";
import { Command } from "@oclif/core";
import { EXIT } from "./exit-codes.js";

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
      process.stderr.write(`awslogin: ${error.message} [${error.code}]\n`);
      this.exit(exit);
    }
    return super.catch(error);
  }
}
