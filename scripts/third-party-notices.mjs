#!/usr/bin/env node
// Writes <dist>/THIRD_PARTY_NOTICES.md from what the bundles in <dist> actually contain: esbuild's metafile (tsup
// `metafile: true`) names every input module and how many of its bytes reached each output, so a package whose
// code was tree-shaken away is not listed, and one that was bundled cannot be forgotten. For each such package:
// its name, version, licence (package.json) and the text of its LICENSE/LICENCE/COPYING/NOTICE files. The
// metafiles are removed afterwards (they are build records, not for the tarball). A bundled file of another of our
// packages (core's dist, which bundles zod) is looked into: esbuild names each module it bundled in a `// path`
// comment, relative to that package's folder, so the third-party packages inside it are listed too.
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

/** The folder of the npm package a bundled module path (relative to `base`) belongs to, or undefined for our own. */
function packageFolderOf(input, base = packageRoot) {
  const at = input.lastIndexOf("node_modules/");
  if (at === -1) return undefined;
  const rest = input.slice(at + "node_modules/".length).split("/");
  const name = rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  return resolve(base, input.slice(0, at), "node_modules", name);
}

/** The folder of the nearest package.json above `file` that names another of our packages, or undefined. */
function otherPackageOf(file) {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    if (!existsSync(join(dir, "package.json"))) continue;
    const { name } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    return name?.startsWith("@awslogin/") && dir !== packageRoot ? dir : undefined;
  }
  return undefined;
}

/** The third-party packages a built file of another of our packages bundled, from esbuild's `// path` comments. */
function bundledInside(file, base) {
  const folders = new Set();
  for (const [, path] of readFileSync(file, "utf8").matchAll(/^\/\/ (\S*node_modules\/\S+)$/gm))
    folders.add(packageFolderOf(path, base));
  return folders;
}

const bundled = new Map(); // package folder → bytes in output
for (const file of metafiles) {
  const meta = JSON.parse(readFileSync(join(dist, file), "utf8"));
  for (const output of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (bytesInOutput === 0) continue;
      const folder = packageFolderOf(input);
      const ours = folder === undefined ? otherPackageOf(resolve(packageRoot, input)) : undefined;
      const folders = ours ? bundledInside(resolve(packageRoot, input), ours) : [folder];
      for (const f of folders) if (f !== undefined) bundled.set(f, (bundled.get(f) ?? 0) + bytesInOutput);
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
