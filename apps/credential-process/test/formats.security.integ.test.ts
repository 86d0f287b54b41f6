/**
 * Issue 7 §1b: whatever a credential holds, evaluating `awslogin export`'s output in a real shell only sets the
 * variables, to exactly the value. Generated values (full unicode, control characters, quotes, `$()`, backticks,
 * line breaks and ready-made injections that would create a marker file) are formatted, evaluated the documented
 * way by bash, dash and fish (one shell run per format for the whole batch), and printed back NUL-separated.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExportableCredentials, type ExportFormat, formatCredentials } from "../src/formats.js";

const run = promisify(execFile);
const BATCH = 150;
const NAMES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_CREDENTIAL_EXPIRATION",
];

let directory: string;
let home: string;
let marker: string;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), "awslogin-shell-"));
  // fish keeps its own files under HOME: somewhere else, so that the folder holds only what the test wrote.
  home = mkdtempSync(join(tmpdir(), "awslogin-shell-home-"));
  marker = join(directory, "PWNED");
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

/** Values an attacker would try, each of which creates the marker file if it ever runs. */
function injections(): string[] {
  const touch = `touch ${marker}`;
  return [
    `$(${touch})`,
    `\`${touch}\``,
    `'; ${touch}; '`,
    `'\\''; ${touch}; '`,
    `"; ${touch}; "`,
    `\n${touch}\n`,
    `\r\n${touch}\r\n`,
    `(${touch})`,
    `; ${touch} #`,
    `\\'; ${touch} #`,
    `\\\\'; ${touch}; echo '`,
    `\u2019; ${touch}; \u2018`,
    "'",
    "\\",
    "$HOME",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, on purpose
    "${HOME}",
    "%PATH%",
    "!x!",
    "-e",
    "--",
    "--help",
    "*",
    "~",
    "{a,b}",
  ];
}

/** A credential value: pieces of injections and arbitrary strings; no NUL (refused, tested apart), never empty. */
function values(): fc.Arbitrary<string> {
  return fc
    .array(
      fc.oneof(
        fc.constantFrom(...injections()),
        fc.string({ unit: "binary", maxLength: 12 }),
        fc.string({ unit: "grapheme", maxLength: 12 }),
        fc.string({
          unit: fc.constantFrom("'", '"', "\\", "$", "`", "(", ")", "\n", "\r", "\t", " ", ";", "#"),
          maxLength: 8,
        }),
      ),
      { minLength: 1, maxLength: 4 },
    )
    .map((parts) => parts.join(""))
    .filter(
      (value) =>
        value !== "" && !value.includes("\0") && Buffer.from(value, "utf8").toString("utf8") === value,
    );
}

function credentialSets(seed: number): ExportableCredentials[] {
  return fc.sample(
    fc.record({
      accessKeyId: values(),
      secretAccessKey: values(),
      sessionToken: values(),
      expiration: fc.integer({ min: 0, max: Date.UTC(9999, 0, 1) }),
    }),
    { numRuns: BATCH, seed },
  );
}

/**
 * Writes each set's formatted output to its own file, and a script that evaluates them one after the other the
 * way users do, printing the variables (as a child process sees them, for the exporting formats) after each.
 */
function writeScript(
  shell: "posix" | "fish",
  format: ExportFormat,
  sets: readonly ExportableCredentials[],
): string {
  const lines: string[] = [];
  sets.forEach((credentials, i) => {
    const file = join(directory, `${format}-${shell}-${i}.out`);
    writeFileSync(file, formatCredentials(credentials, format));
    const names = NAMES.map((name) => `"$${name}"`).join(" ");
    const child = `sh -c 'printf "%s\\0" ${names}'`;
    if (shell === "fish") {
      lines.push(`source '${file}'`, child);
    } else {
      lines.push(`eval "$(cat '${file}')"`, format === "env" ? child : `printf '%s\\0' ${names}`);
    }
  });
  const script = join(directory, `${format}-${shell}.script`);
  writeFileSync(script, `${lines.join("\n")}\n`);
  return script;
}

function expected(sets: readonly ExportableCredentials[]): string[] {
  return sets.flatMap((c) => {
    const lines = formatCredentials(c, "env-no-export");
    const expiration = /AWS_CREDENTIAL_EXPIRATION='([^']*)'/.exec(lines)?.[1] ?? "";
    return [c.accessKeyId, c.secretAccessKey, c.sessionToken ?? "", expiration];
  });
}

const SHELLS: Array<[string, string, "posix" | "fish", ExportFormat, number]> = [
  ["bash", "bash", "posix", "env", 1],
  ["bash", "bash", "posix", "env-no-export", 2],
  ["dash (sh)", "dash", "posix", "env", 3],
  ["dash (sh)", "dash", "posix", "env-no-export", 4],
  ["fish", "fish", "fish", "fish", 5],
];

describe("export formats evaluated by real shells (issue 7 §1b)", () => {
  for (const [label, command, kind, format, seed] of SHELLS) {
    it(`${format} in ${label}: ${BATCH} hostile credential sets round-trip exactly and run nothing`, async () => {
      const sets = credentialSets(seed);
      const script = writeScript(kind, format, sets);
      const { stdout } = await run(command, [script], {
        cwd: directory,
        encoding: "buffer",
        maxBuffer: 64 * 1024 * 1024,
        timeout: 60_000,
        env: { PATH: process.env.PATH, HOME: home, LC_ALL: "C.UTF-8" },
      });
      const printed = stdout.toString("utf8").split("\0").slice(0, -1);
      const want = expected(sets);
      expect(printed.length).toBe(want.length);
      for (let i = 0; i < want.length; i++) {
        if (printed[i] !== want[i]) {
          // Name the failing set by its output, which is what a reader needs to reproduce it.
          expect({ set: Math.floor(i / 4), printed: printed[i] }).toEqual({
            set: Math.floor(i / 4),
            printed: want[i],
          });
        }
      }
      expect(existsSync(marker)).toBe(false);
      expect(readdirSync(directory).every((name) => /\.(out|script)$/.test(name))).toBe(true);
    });
  }

  it("the injections do run when printed unquoted (the test can see an attack)", async () => {
    const script = join(directory, "control.script");
    writeFileSync(script, `eval "export AWS_SECRET_ACCESS_KEY=$(printf 'x\\ntouch ${marker}')"\n`);
    await run("sh", [script], { cwd: directory, env: { PATH: process.env.PATH } });
    expect(existsSync(marker)).toBe(true);
    rmSync(marker);
  });
});
