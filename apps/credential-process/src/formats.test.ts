import { describe, expect, it } from "vitest";
import {
  EXPORT_FORMATS,
  formatCredentials,
  formatIsoExpiration,
  formatProcess,
  isExportFormat,
} from "./formats.js";

// docs/protocol.md §12.2 (g): the refreshed credentials of the shared SEP test case.
const CREDENTIALS = {
  accessKeyId: "NEWREFRESHEDKEY",
  secretAccessKey: "newRefreshedSecretKey",
  sessionToken: "newRefreshedSessionToken",
  expiration: Date.UTC(2025, 10, 19, 0, 15, 0),
};

describe("the formats of `aws configure export-credentials` (docs/protocol.md §9)", () => {
  it("process: json.dumps(indent=2), Version first, +00:00", () => {
    expect(formatProcess(CREDENTIALS)).toBe(
      '{\n  "Version": 1,\n  "AccessKeyId": "NEWREFRESHEDKEY",\n  "SecretAccessKey": "newRefreshedSecretKey",\n' +
        '  "SessionToken": "newRefreshedSessionToken",\n  "Expiration": "2025-11-19T00:15:00+00:00"\n}\n',
    );
    expect(formatCredentials(CREDENTIALS, "process")).toBe(formatProcess(CREDENTIALS));
  });

  it("process: SessionToken and Expiration only when known", () => {
    expect(formatProcess({ accessKeyId: "A", secretAccessKey: "S" })).toBe(
      '{\n  "Version": 1,\n  "AccessKeyId": "A",\n  "SecretAccessKey": "S"\n}\n',
    );
  });

  // The AWS CLI's lines, each value quoted for its shell (formats.ts TSDoc).
  const lines: Record<string, string> = {
    env:
      "export AWS_ACCESS_KEY_ID='NEWREFRESHEDKEY'\nexport AWS_SECRET_ACCESS_KEY='newRefreshedSecretKey'\n" +
      "export AWS_SESSION_TOKEN='newRefreshedSessionToken'\nexport AWS_CREDENTIAL_EXPIRATION='2025-11-19T00:15:00+00:00'\n",
    "env-no-export":
      "AWS_ACCESS_KEY_ID='NEWREFRESHEDKEY'\nAWS_SECRET_ACCESS_KEY='newRefreshedSecretKey'\n" +
      "AWS_SESSION_TOKEN='newRefreshedSessionToken'\nAWS_CREDENTIAL_EXPIRATION='2025-11-19T00:15:00+00:00'\n",
    powershell:
      "$Env:AWS_ACCESS_KEY_ID='NEWREFRESHEDKEY'\n$Env:AWS_SECRET_ACCESS_KEY='newRefreshedSecretKey'\n" +
      "$Env:AWS_SESSION_TOKEN='newRefreshedSessionToken'\n$Env:AWS_CREDENTIAL_EXPIRATION='2025-11-19T00:15:00+00:00'\n",
    "windows-cmd":
      'set "AWS_ACCESS_KEY_ID=NEWREFRESHEDKEY"\nset "AWS_SECRET_ACCESS_KEY=newRefreshedSecretKey"\n' +
      'set "AWS_SESSION_TOKEN=newRefreshedSessionToken"\nset "AWS_CREDENTIAL_EXPIRATION=2025-11-19T00:15:00+00:00"\n',
    fish:
      "set -gx AWS_ACCESS_KEY_ID 'NEWREFRESHEDKEY'\nset -gx AWS_SECRET_ACCESS_KEY 'newRefreshedSecretKey'\n" +
      "set -gx AWS_SESSION_TOKEN 'newRefreshedSessionToken'\nset -gx AWS_CREDENTIAL_EXPIRATION '2025-11-19T00:15:00+00:00'\n",
  };
  for (const [format, expected] of Object.entries(lines)) {
    it(format, () => {
      expect(isExportFormat(format)).toBe(true);
      expect(formatCredentials(CREDENTIALS, format as (typeof EXPORT_FORMATS)[number])).toBe(expected);
    });
  }

  it("json (awslogin's): the process object plus AccountId and Region, on one line", () => {
    expect(formatCredentials(CREDENTIALS, "json", { accountId: "012345678901", region: "eu-west-1" })).toBe(
      '{"Version":1,"AccessKeyId":"NEWREFRESHEDKEY","SecretAccessKey":"newRefreshedSecretKey",' +
        '"SessionToken":"newRefreshedSessionToken","Expiration":"2025-11-19T00:15:00+00:00",' +
        '"AccountId":"012345678901","Region":"eu-west-1"}\n',
    );
    expect(formatCredentials(CREDENTIALS, "json", { accountId: "012345678901" })).not.toContain("Region");
  });

  it("Python's isoformat: microseconds only when there is a fraction", () => {
    expect(formatIsoExpiration(Date.UTC(2025, 0, 2, 3, 4, 5))).toBe("2025-01-02T03:04:05+00:00");
    expect(formatIsoExpiration(Date.UTC(2025, 0, 2, 3, 4, 5, 120))).toBe("2025-01-02T03:04:05.120000+00:00");
  });

  it("lists exactly the AWS CLI's formats, then json", () => {
    expect(EXPORT_FORMATS).toEqual([
      "process",
      "env",
      "env-no-export",
      "powershell",
      "windows-cmd",
      "fish",
      "json",
    ]);
    expect(isExportFormat("yaml")).toBe(false);
  });
});
