/**
 * Keeping the console login URL (a bearer credential) out of the browser's command line, which other users of the
 * machine can read: the browser is given a file:// page in a private folder (0700, the file 0600) that forwards it
 * to the URL, and the folder is removed a minute later by a detached process that knows only the folder's path.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** How long the forwarding page stays: long enough for a browser to start, far shorter than the token's 15 minutes. */
export const FORWARDING_PAGE_TTL_MS = 60_000;

/** Escapes text for a double-quoted HTML attribute or element content. */
function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** The page: an immediate meta refresh to `url`, and a link for a browser that does not follow it. */
export function forwardingPageHtml(url: string): string {
  const target = escapeHtml(url);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0;url=${target}">
<title>Opening the AWS console…</title>
</head>
<body>
<p><a href="${target}">Continue to the AWS console</a></p>
</body>
</html>
`;
}

/** A forwarding page written for one sign-in: its file:// URL, and the private folder that holds it. */
export interface ForwardingPage {
  fileUrl: string;
  folder: string;
}

/** Writes the page into a new private folder under the temporary folder. */
export async function writeForwardingPage(url: string, parent = tmpdir()): Promise<ForwardingPage> {
  // mkdtemp creates the folder 0700 under a random name: nobody else can list, read or swap it.
  const folder = await mkdtemp(join(parent, "awslogin-console-"));
  const file = join(folder, "console.html");
  await writeFile(file, forwardingPageHtml(url), { mode: 0o600, flag: "wx" });
  return { fileUrl: pathToFileURL(file).href, folder };
}

/** Removes the folder now. */
export function removeForwardingPage(page: ForwardingPage): Promise<void> {
  return rm(page.folder, { recursive: true, force: true });
}

/** Removes the folder after `delayMs`, from a detached process, so the command can end at once. */
export function removeForwardingPageLater(page: ForwardingPage, delayMs = FORWARDING_PAGE_TTL_MS): void {
  const script = `setTimeout(() => require("node:fs").rmSync(process.argv[1], { recursive: true, force: true }), ${Math.trunc(delayMs)});`;
  const child = spawn(process.execPath, ["-e", script, page.folder], {
    detached: true,
    stdio: "ignore",
    windowsHide: true,
  });
  child.on("error", () => undefined);
  child.unref();
}
