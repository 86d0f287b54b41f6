import { describe, expect, it } from "vitest";
import { untrustedFolderReason } from "./cache-trust.js";

const ME = 1000;

describe("untrustedFolderReason (issue 7 §8)", () => {
  it.each([
    [0o700, ME, ME],
    [0o755, ME, ME],
    [0o1777, 0, ME],
    [0o755, 0, ME],
    [0o700, 1234, 0], // root (sudo -E) trusts the owner of the folder it was pointed at
  ])("trusts mode %s owned by %s (we are %s)", (mode, uid, own) => {
    expect(untrustedFolderReason({ mode, uid }, own)).toBeUndefined();
  });

  it.each([
    [0o777, ME, ME, /writable by every user \(mode 0777\)/],
    [0o770, ME, ME, /writable by its group \(mode 0770\)/],
    [0o757, ME, 0, /writable by every user/],
    [0o700, 1234, ME, /another user \(uid 1234\)/],
  ])("refuses mode %s owned by %s (we are %s)", (mode, uid, own, reason) => {
    expect(untrustedFolderReason({ mode, uid }, own)).toMatch(reason);
  });
});
