#!/usr/bin/env node
// The public surface of each published library, as API Extractor reports (`<package>/api/<entry>.api.md`), one per
// entry point of the package's `exports` (API Extractor reads one entry at a time). Run after `pnpm build`.
//   node scripts/api-report.mjs           update the reports (commit them with the change that moved the surface)
//   node scripts/api-report.mjs --check   CI: fail when a report differs from the built types, or when a name
//                                          exported by @awslogin/core has no TSDoc
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Extractor, ExtractorConfig } from "@microsoft/api-extractor";

const root = new URL("..", import.meta.url).pathname;
const check = process.argv.includes("--check");
/** Packages whose every exported name must carry TSDoc. */
const DOCUMENTED = new Set(["@awslogin/core"]);
const packages = [
  "packages/core",
  "packages/credential-provider",
  "packages/emulator",
  "apps/credential-process",
];

const temp = mkdtempSync(join(tmpdir(), "awslogin-api-"));
let failed = false;
try {
  for (const dir of packages) {
    const folder = join(root, dir);
    const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
    for (const [subpath, conditions] of Object.entries(manifest.exports)) {
      const types = conditions?.types ?? conditions?.import?.types ?? conditions?.require?.types;
      // A subpath without types, or one whose module exports nothing (a binary's `./bin`), has no surface.
      if (typeof types !== "string" || !/\bexport\s+[{*a-z]/.test(readFileSync(join(folder, types), "utf8")))
        continue;
      const entry = subpath === "." ? "index" : subpath.slice(2).replaceAll("/", "-");
      const undocumented = [];
      mkdirSync(join(folder, "api"), { recursive: true });
      const config = ExtractorConfig.prepare({
        configObject: {
          projectFolder: folder,
          mainEntryPointFilePath: join(folder, types),
          compiler: {
            overrideTsconfig: {
              compilerOptions: {
                target: "es2022",
                lib: ["es2022"],
                types: ["node"],
                module: "nodenext",
                moduleResolution: "nodenext",
                strict: true,
                skipLibCheck: true,
              },
            },
          },
          apiReport: {
            enabled: true,
            reportFolder: join(folder, "api"),
            reportTempFolder: temp,
            reportFileName: entry,
          },
          docModel: { enabled: false },
          dtsRollup: { enabled: false },
          tsdocMetadata: { enabled: false },
          messages: {
            // Findings are written into the report itself, so that a new one shows in review.
            compilerMessageReporting: { default: { logLevel: "warning", addToApiReportFile: true } },
            extractorMessageReporting: {
              default: { logLevel: "warning", addToApiReportFile: true },
              "ae-missing-release-tag": { logLevel: "none" },
              // Counted (and, for DOCUMENTED packages, fatal) here rather than noted in the report.
              "ae-undocumented": {
                logLevel: DOCUMENTED.has(manifest.name) ? "warning" : "none",
                addToApiReportFile: false,
              },
            },
            tsdocMessageReporting: { default: { logLevel: "warning", addToApiReportFile: true } },
          },
        },
        configObjectFullPath: join(folder, "api-extractor.json"),
        packageJsonFullPath: join(folder, "package.json"),
      });
      const result = Extractor.invoke(config, {
        localBuild: !check,
        messageCallback: (message) => {
          if (message.messageId === "ae-undocumented")
            undocumented.push(message.text.replace(/^Missing documentation for "?|"?\.?$/g, ""));
          // Errors are printed; everything else is in the report (or counted above).
          if (message.logLevel !== "error") message.handled = true;
        },
      });
      const label = `${manifest.name}${subpath === "." ? "" : subpath.slice(1)}`;
      // In --check mode API Extractor also fails on warnings: the undocumented names, reported below.
      if (result.errorCount > 0 || (check && result.apiReportChanged)) {
        failed = true;
        console.error(
          check
            ? `${label}: the API report ${dir}/api/${entry}.api.md differs from the built types: run \`node scripts/api-report.mjs\`, review the change and commit it with a changeset`
            : `${label}: API Extractor failed (see above)`,
        );
      }
      if (DOCUMENTED.has(manifest.name) && undocumented.length > 0) {
        failed = failed || check;
        console.error(
          `${label}: ${undocumented.length} exported names without TSDoc: ${undocumented.join(", ")}`,
        );
      }
      const state = result.apiReportChanged ? (check ? "differs" : "updated") : "unchanged";
      console.log(
        `${label}: ${dir}/api/${entry}.api.md ${state}${undocumented.length ? `, ${undocumented.length} undocumented` : ""}`,
      );
    }
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
