// tsup onSuccess hook shared by the packages that bundle third-party code: dist/THIRD_PARTY_NOTICES.md from the
// bundler's metafile (see third-party-notices.mjs).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("./third-party-notices.mjs", import.meta.url));

export async function thirdPartyNotices() {
  execFileSync(process.execPath, [script, "dist"], { stdio: "inherit" });
}
