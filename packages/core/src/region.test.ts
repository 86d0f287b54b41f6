import { describe, expect, it } from "vitest";
import { isRegionName, resolveLoginRegion } from "./region.js";

describe("isRegionName", () => {
  it.each([
    "us-east-1",
    "eu-west-3",
    "us-gov-west-1",
    "cn-north-1",
    "us-iso-east-1",
    "us-isob-east-1",
    "eusc-de-east-1",
  ])("accepts %s", (region) => {
    expect(isRegionName(region)).toBe(true);
  });
  it.each([
    "",
    "us-east",
    "US-EAST-1",
    "us_east_1",
    "us-east-1; rm -rf",
    "https://x",
    // Longer than any cache file may hold as signInRegion (issue 7 §1a).
    "us-a-b-c-d-e-f-1",
    `us-${"east".repeat(10)}-1`,
  ])("refuses %j", (region) => {
    expect(isRegionName(region)).toBe(false);
  });
});

describe("resolveLoginRegion (flag → AWS_REGION → AWS_DEFAULT_REGION → profile)", () => {
  it.each<[Parameters<typeof resolveLoginRegion>[0], string | undefined]>([
    [{ flag: "eu-west-1", env: { AWS_REGION: "us-west-2" }, profileRegion: "ap-south-1" }, "eu-west-1"],
    [
      { env: { AWS_REGION: "us-west-2", AWS_DEFAULT_REGION: "ca-central-1" }, profileRegion: "ap-south-1" },
      "us-west-2",
    ],
    [{ env: { AWS_DEFAULT_REGION: "ca-central-1" }, profileRegion: "ap-south-1" }, "ca-central-1"],
    [{ env: { AWS_REGION: " " }, profileRegion: "ap-south-1" }, "ap-south-1"],
    [{ env: {} }, undefined],
  ])("%j → %s", (input, expected) => {
    expect(resolveLoginRegion(input)).toBe(expected);
  });
});
