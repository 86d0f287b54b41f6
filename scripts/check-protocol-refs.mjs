#!/usr/bin/env node
// Every `docs/protocol.md §N` citation in the tracked sources must name a section that has a heading in
// docs/protocol.md, and no citation may still point at the old private notes (a bare "PROTOCOL" reference,
// upper case, with or without `.md` or a path in front). Lists each problem as file:line and exits 1.
//
// Cited forms understood: `§4.2`, lists and ranges after the first (`§6, §7 and §8`, `§2–§7`, `§12.2 (g)`).
// Headings understood: `## 4. Title`, `### 4.2 Title` (any level, optional `§`).
//
// Usage: node scripts/check-protocol-refs.mjs
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const root = execFileSync("git", ["rev-parse", "--show-toplevel"], { encoding: "utf8" }).trim();
const DOC = "docs/protocol.md";

/** Section numbers that have a heading in docs/protocol.md. */
function headings() {
  const found = new Set();
  let text;
  try {
    text = readFileSync(join(root, DOC), "utf8");
  } catch {
    console.error(`${DOC}: missing`);
    process.exit(1);
  }
  let fenced = false;
  for (const line of text.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const m = /^#{1,6}\s+§?\s*(\d+(?:\.\d+)*)\.?(?:\s|$)/.exec(line);
    if (m) found.add(m[1]);
  }
  return found;
}

const files = execFileSync(
  "git",
  [
    "ls-files",
    "-z",
    "--",
    "*.ts",
    "*.mjs",
    "*.cjs",
    "*.js",
    "*.md",
    ":!:**/node_modules/**",
    ":!:**/dist/**",
  ],
  { cwd: root, encoding: "utf8" },
)
  .split("\0")
  .filter(Boolean);

const known = headings();
const SECTION = String.raw`§\s*(\d+(?:\.\d+)*)`;
// A citation, then any further sections joined by a comma, a dash, "and", "or", "/" or "&".
const CITATION = new RegExp(
  String.raw`docs/protocol\.md\x60?\s*${SECTION}((?:\s*(?:,|–|—|-|\band\b|\bor\b|/|&)\s*§\s*\d+(?:\.\d+)*)*)`,
  "g",
);
const MORE = new RegExp(SECTION, "g");
// The old notes: the upper-case file name with its extension (any path in front), or the upper-case word
// directly followed by a section sign.
const BARE = /PROTOCOL(?:\.md|\s*§)/;

const problems = [];
let citations = 0;
for (const file of files) {
  let text;
  try {
    text = readFileSync(join(root, file), "utf8");
  } catch {
    continue; // deleted in the working tree
  }
  if (!text.includes("PROTOCOL") && !text.includes(DOC)) continue;
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    const where = `${file}:${i + 1}`;
    if (BARE.test(line))
      problems.push(`${where}: reference to the private notes, not ${DOC}: ${line.trim()}`);
    for (const m of line.matchAll(CITATION)) {
      const cited = [m[1], ...[...(m[2] ?? "").matchAll(MORE)].map((x) => x[1])];
      for (const n of cited) {
        citations++;
        if (!known.has(n)) problems.push(`${where}: ${DOC} has no section §${n}: ${line.trim()}`);
      }
    }
  });
}

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  console.error(`check-protocol-refs: ${problems.length} problem(s) in ${files.length} files`);
  process.exit(1);
}
console.log(
  `check-protocol-refs: ${citations} section citations in ${files.length} files, all found in ${DOC} (${known.size} headings)`,
);
