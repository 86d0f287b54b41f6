import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { forwardingPageHtml, removeForwardingPageLater, writeForwardingPage } from "./console-page.js";

const parents: string[] = [];
afterEach(() => {
  for (const parent of parents.splice(0)) rmSync(parent, { recursive: true, force: true });
});
function parent(): string {
  const dir = mkdtempSync(join(tmpdir(), "awslogin-page-test-"));
  parents.push(dir);
  return dir;
}

/** What a browser reads from the meta refresh: the URL after `url=`, HTML entities decoded. */
function refreshTarget(html: string): string {
  const content = /<meta http-equiv="refresh" content="0;url=([^"]*)">/.exec(html)?.[1] ?? "";
  return content
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

describe("the console forwarding page", () => {
  it("writes a 0600 file in a new 0700 folder, forwarding to the URL whole", async () => {
    const url =
      "http://127.0.0.1:1/federation?Action=login&Issuer=awslogin&Destination=https%3A%2F%2Fx&SigninToken=a+b/c=";
    const page = await writeForwardingPage(url, parent());
    const file = fileURLToPath(page.fileUrl);
    expect(statSync(page.folder).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(page.fileUrl).not.toContain("SigninToken");
    expect(refreshTarget(readFileSync(file, "utf8"))).toBe(url);
  });

  it("keeps a hostile URL inside the attribute", () => {
    const url = `https://x.invalid/"><script>alert(1)</script>'&amp;`;
    const html = forwardingPageHtml(url);
    expect(html).not.toContain("<script>");
    expect(refreshTarget(html)).toBe(url);
  });

  it("removes the folder later, from a process that outlives the caller's wait", async () => {
    const page = await writeForwardingPage("https://x.invalid/", parent());
    removeForwardingPageLater(page, 100);
    expect(existsSync(page.folder)).toBe(true);
    await expect.poll(() => existsSync(page.folder), { timeout: 10_000 }).toBe(false);
  });
});
