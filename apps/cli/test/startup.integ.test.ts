/**
 * Start-up stays cheap: `--version`, `--help` and every command's definition load oclif (bundled) and the
 * command definitions only; a command's implementation, core, zod and undici load when it runs.
 */
import { readdirSync, readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Specifiers of the static imports and re-exports of a module (not `import type`, not `import()`). */
function staticImports(source: string): string[] {
  const specifiers: string[] = [];
  const pattern = /^(?:import|export)\s+(?!type\s)(?:[^"';]*?\sfrom\s+)?["']([^"']+)["']/gm;
  for (const match of source.matchAll(pattern)) specifiers.push(match[1] as string);
  return specifiers;
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe("start-up", () => {
  it("command files import only @oclif/core, the base command and exec's argv split at run time", () => {
    const commandFiles = filesUnder(join(root, "src", "commands"));
    expect(commandFiles.length).toBeGreaterThanOrEqual(8);
    for (const file of commandFiles) {
      const allowed = [
        "@oclif/core",
        ...["base-command.js", "exec-argv.js"].map((name) =>
          relative(dirname(file), join(root, "src", name)),
        ),
      ];
      const imports = staticImports(readFileSync(file, "utf8")).map((specifier) =>
        specifier.startsWith(".") ? relative(dirname(file), join(dirname(file), specifier)) : specifier,
      );
      for (const specifier of imports) expect(allowed, `${file} imports ${specifier}`).toContain(specifier);
    }
  });

  it("the base command and src/commands.ts load no workspace package", () => {
    for (const file of [
      "base-command.ts",
      "exit-codes.ts",
      "output.ts",
      "exec-argv.ts",
      "commands.ts",
      "main.ts",
    ]) {
      const imports = staticImports(readFileSync(join(root, "src", file), "utf8"));
      for (const specifier of imports) {
        expect(specifier.startsWith(".") || specifier === "@oclif/core", `${file} imports ${specifier}`).toBe(
          true,
        );
      }
    }
  });

  it("the built entry points statically reach only their own chunks and Node's built-in modules", () => {
    const dist = join(root, "dist");
    const seen = new Set<string>();
    const outside: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const specifier of staticImports(readFileSync(join(dist, file), "utf8"))) {
        if (specifier.startsWith("./")) visit(specifier.slice(2));
        else if (!isBuiltin(specifier)) outside.push(`${file} -> ${specifier}`);
      }
    };
    visit("main.js");
    visit("commands.js");
    expect(outside).toEqual([]);
    // Each implementation (src/actions/) is a chunk of its own that only import() reaches.
    const lazy = [...seen].flatMap((file) =>
      [...readFileSync(join(dist, file), "utf8").matchAll(/\bimport\(["']\.\/([^"']+)["']\)/g)].map(
        (match) => match[1] as string,
      ),
    );
    expect(lazy.length).toBeGreaterThanOrEqual(8);
    for (const chunk of lazy) expect(seen, chunk).not.toContain(chunk);
  });

  it("bin/run.js's fast path is one CommonJS file that requires only Node's built-in modules", () => {
    const source = readFileSync(join(root, "dist", "fast-path.cjs"), "utf8");
    const required = [...source.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map(
      (match) => match[1] as string,
    );
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((specifier) => !isBuiltin(specifier))).toEqual([]);
    expect(source).not.toMatch(/\bimport\(/);
  });
});
