/**
 * The one base class of every command: turns core's typed errors into a one-line message on stderr
 * and a stable exit code (0 ok, 1 failure the user can act on, 2 usage error, 130 interrupted).
 */
import { AwsLoginError } from "@awslogin/core";
import { Command } from "@oclif/core";

export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

export abstract class BaseCommand extends Command {
  protected override async catch(
    error: Error & { exitCode?: number; oclif?: { exit?: number } },
  ): Promise<unknown> {
    if (AwsLoginError.isInstance(error)) {
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
