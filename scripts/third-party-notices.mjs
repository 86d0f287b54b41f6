#!/usr/bin/env node
// Writes <dist>/THIRD_PARTY_NOTICES.md from what the bundles in <dist> actually contain: esbuild's metafile (tsup
// `metafile: true`) names every input module and how many of its bytes reached each output, so a package whose
// code was tree-shaken away is not listed, and one that was bundled cannot be forgotten. For each such package:
// its name, version, licence (package.json) and the text of its LICENSE/LICENCE/COPYING/NOTICE files. The
// metafiles are removed afterwards (they are build records, not for the tarball).
// Usage (a tsup onSuccess hook): node ../../scripts/third-party-notices.mjs dist
// Fails (exit 1) when a bundled package names no licence, so a new dependency is looked at before it ships.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";

const dist = resolve(process.argv[2] ?? "dist");
const packageRoot = dirname(dist);
const metafiles = readdirSync(dist).filter((f) => /^metafile-.*\.json$/.test(f));
if (metafiles.length === 0) {
  console.error(`third-party-notices: no metafile-*.json in ${dist} (set metafile: true in tsup.config.ts)`);
  process.exit(1);
}

/** The folder of the npm package a bundled module path belongs to, or undefined for our own sources. */
function packageFolderOf(input) {
  const at = input.lastIndexOf("node_modules/");
  if (at === -1) return undefined;
  const rest = input.slice(at + "node_modules/".length).split("/");
  const name = rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  return resolve(packageRoot, input.slice(0, at), "node_modules", name);
}

const bundled = new Map(); // package folder → bytes in output
for (const file of metafiles) {
  const meta = JSON.parse(readFileSync(join(dist, file), "utf8"));
  for (const output of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const folder = packageFolderOf(input);
      if (folder === undefined || bytesInOutput === 0) continue;
      bundled.set(folder, (bundled.get(folder) ?? 0) + bytesInOutput);
    }
  }
}

const problems = [];
const entries = [];
for (const folder of bundled.keys()) {
  const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
  if (manifest.name?.startsWith("@awslogin/")) continue; // ours: covered by the package's own LICENSE
  const licence = typeof manifest.license === "string" ? manifest.license : manifest.license?.type;
  if (!licence)
    problems.push(
      `${manifest.name}@${manifest.version} (${folder.split(sep).slice(-3).join("/")}) names no licence`,
    );
  const texts = readdirSync(folder)
    .filter((f) => /^(licen[cs]e|copying|notice)(\.|-|$)/i.test(f))
    .sort()
    .map((f) => readFileSync(join(folder, f), "utf8").trim());
  entries.push({
    name: manifest.name,
    version: manifest.version,
    licence,
    repository: manifest.repository,
    texts,
  });
}
entries.sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));

const own = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")).name;
const lines = [
  "# Third-party notices",
  "",
  `The bundles in this folder of ${own} include code from the packages below, under their own licences.`,
  "This file is generated at build time from the bundler's record of what the bundles contain",
  "(scripts/third-party-notices.mjs); do not edit it by hand.",
  "",
];
for (const e of entries) {
  const url = typeof e.repository === "string" ? e.repository : e.repository?.url;
  lines.push(
    `## ${e.name}@${e.version}`,
    "",
    `Licence: ${e.licence ?? "none named"}${url ? ` · ${url}` : ""}`,
    "",
  );
  if (e.texts.length === 0) lines.push(`The package ships no licence text; its licence is ${e.licence}.`, "");
  for (const text of e.texts) lines.push("```", text.replaceAll("```", "'''"), "```", "");
}
if (entries.length === 0) lines.push("No third-party code is bundled.", "");
writeFileSync(join(dist, "THIRD_PARTY_NOTICES.md"), lines.join("\n"));
for (const file of metafiles) rmSync(join(dist, file));
if (existsSync(join(dist, "THIRD_PARTY_NOTICES.md")))
  console.log(
    `third-party-notices: ${entries.length} bundled packages → ${join(dist, "THIRD_PARTY_NOTICES.md")}`,
  );
for (const problem of problems) console.error(`third-party-notices: ${problem}`);
process.exit(problems.length ? 1 : 0);
