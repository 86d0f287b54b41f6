import { describe, expect, it } from "vitest";
import { decodePowershell, powershellLiteral } from "../testing/powershell.js";
import { wslBrowserCommand } from "./browser.js";

describe("hostile URLs through the Windows openers", () => {
  // Each is what a browser would load: the Windows side must get that URL whole, whatever cmd.exe, powershell.exe or
  // WSL's command-line conversion would make of its characters.
  const hostile = [
    "http://127.0.0.1:1/v1/authorize?a=1&b=2&calc.exe",
    "http://127.0.0.1:1/x?a=^&^|b=%PATH%&c=%%d%%&e=!USERNAME!",
    "http://127.0.0.1:1/it's'/x?q=a''b",
    "http://127.0.0.1:1/x?q=$(Start-Process calc)&r=`whoami`;s=@(1)",
    'http://127.0.0.1:1/x?q="quoted" &b= spaced\t"',
    "http://127.0.0.1:1/x?q=\u2019smart\u2018&r=\u00e9\u4e2d",
    "https://signin.aws.amazon.com/federation?Action=login&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2F&SigninToken=a+b/c==",
  ];

  it.each(hostile)("%s reaches powershell's Start-Process as the URL a browser would load", (url) => {
    const argv = wslBrowserCommand(url, (n) => n === "powershell.exe");
    expect(argv?.slice(0, 4)).toEqual(["powershell.exe", "-NoProfile", "-NonInteractive", "-EncodedCommand"]);
    expect(argv?.length).toBe(5);
    // Only base64 crosses the Windows command line: nothing there to quote, split or expand.
    expect(argv?.[4]).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(powershellLiteral(decodePowershell(argv![4]!))).toBe(new URL(url).href);
  });

  it.each(hostile)(
    "%s reaches rundll32.exe and wslview as one argument without a space or a double quote",
    (url) => {
      for (const opener of ["wslview", "rundll32.exe"]) {
        const argv = wslBrowserCommand(url, (n) => n === opener)!;
        const last = argv.at(-1)!;
        expect(last).toBe(new URL(url).href);
        expect(last).toMatch(/^[\x21\x23-\x7e]+$/);
        expect(new URL(last).href).toBe(new URL(url).href);
      }
    },
  );

  it("keeps every query parameter of a URL with & in it", () => {
    const url = "http://127.0.0.1:1/v1/authorize?response_type=code&client_id=x&state=s&code_challenge=c";
    const argv = wslBrowserCommand(url, (n) => n === "powershell.exe")!;
    const params = new URL(powershellLiteral(decodePowershell(argv[4]!))).searchParams;
    expect([...params.keys()]).toEqual(["response_type", "client_id", "state", "code_challenge"]);
  });
});
