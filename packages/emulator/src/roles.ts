/**
 * The IAM roles the emulator lets callers assume with STS `AssumeRole`, each with its trust rule, and the
 * TOTP check of an MFA device bound to a role.
 * @see docs/protocol.md §17.1
 */
import { createHmac } from "node:crypto";
import type { Identity } from "./identity.js";

/** A role callers may assume, in the form {@link EmulatorOptions.roles} takes it. */
export interface RoleSpec {
  /** `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`. */
  arn: string;
  /**
   * Who may assume the role: `*`-patterns matched against the caller's ARN (and, for an assumed-role caller, its
   * role ARN as well). Default: any principal of the emulated organisation (see {@link EmulatedRole}).
   */
  trustedPrincipals?: string[];
  /** When set, callers must send this `ExternalId`. */
  externalId?: string;
  /** When set with `mfaSecret`, callers must send `SerialNumber` = this and a `TokenCode` that is a current TOTP code. */
  mfaSerial?: string;
  /** The MFA device's RFC 6238 secret in base32 (as an authenticator app is given it). */
  mfaSecret?: string;
  /** The role's maximum session duration in seconds, 3600–43200. Default 3600. */
  maxSessionDuration?: number;
}

/** A configured role, validated. */
export interface EmulatedRole {
  arn: string;
  partition: string;
  accountId: string;
  /** The role's name, the last segment of its ARN (paths are not part of an assumed-role ARN). */
  name: string;
  /** Compiled trust patterns; undefined = the organisation rule. */
  trusted?: RegExp[];
  externalId?: string;
  mfa?: { serial: string; secret: Buffer };
  maxSessionDuration: number;
}

const ROLE_ARN =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):iam::(\d{12}):role\/((?:[\x21-\x7e]{1,510}\/)?)([\w+=,.@-]{1,64})$/;
const MFA_SERIAL = /^(?:arn:[\w-]+:iam::\d{12}:mfa\/[\w+=,.@/-]{1,512}|[\w+=/:,.@-]{9,256})$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

function trustPattern(pattern: string): RegExp {
  if (pattern.length === 0 || pattern.length > 2048 || !/^[\x21-\x7e]+$/.test(pattern)) {
    throw new TypeError(
      `A trusted-principal pattern must be 1-2048 printable ASCII characters: ${JSON.stringify(pattern)}`,
    );
  }
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[\\^$.|?+()[\]{}]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`);
}

/** Decodes RFC 4648 base32 (upper or lower case, padding optional); undefined when it is not base32. */
export function base32Decode(text: string): Buffer | undefined {
  const clean = text.replace(/=+$/, "").toUpperCase();
  if (!/^[A-Z2-7]+$/.test(clean)) return undefined;
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of clean) {
    value = (value << 5) | "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".indexOf(char);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The 6-digit RFC 6238 code (HMAC-SHA-1, 30-second steps) of `secret` for the step holding `timeMs`. */
export function totpCode(secret: Buffer, timeMs: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(timeMs / 30_000)));
  const mac = createHmac("sha1", secret).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, "0");
}

/** Whether `code` is the TOTP code of the current step or the one before or after (clock drift, as AWS allows). */
export function totpAccepts(secret: Buffer, code: string, nowMs: number): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  return [-30_000, 0, 30_000].some((skew) => totpCode(secret, nowMs + skew) === code);
}

/**
 * Parses a role from its spec, or from the `ARN[=trusted-principal-pattern[,pattern…]]` string the CLI's
 * `--role` flag takes; throws a TypeError or RangeError naming what is wrong.
 */
export function parseRole(spec: string | RoleSpec): EmulatedRole {
  let role: RoleSpec;
  if (typeof spec === "string") {
    const index = spec.indexOf("=");
    role =
      index < 0
        ? { arn: spec }
        : { arn: spec.slice(0, index), trustedPrincipals: spec.slice(index + 1).split(",") };
  } else role = spec;
  const match = ROLE_ARN.exec(role.arn);
  if (!match) {
    throw new TypeError(
      `Not a role ARN: ${JSON.stringify(role.arn)}. Use arn:aws:iam::ACCOUNT:role/NAME (ACCOUNT is 12 digits).`,
    );
  }
  const [, partition, accountId, , name] = match as unknown as [string, string, string, string, string];
  const maxSessionDuration = role.maxSessionDuration ?? 3600;
  if (!Number.isInteger(maxSessionDuration) || maxSessionDuration < 3600 || maxSessionDuration > 43_200) {
    throw new RangeError(`maxSessionDuration of ${role.arn} must be an integer from 3600 to 43200.`);
  }
  if (role.externalId !== undefined && !EXTERNAL_ID.test(role.externalId)) {
    throw new TypeError(
      `externalId of ${role.arn} must be 2-1224 characters of A-Z a-z 0-9 + = , . @ : / _ -.`,
    );
  }
  let mfa: EmulatedRole["mfa"];
  if (role.mfaSerial !== undefined || role.mfaSecret !== undefined) {
    const secret = base32Decode(role.mfaSecret ?? "");
    if (role.mfaSerial === undefined || !MFA_SERIAL.test(role.mfaSerial) || !secret || secret.length < 10) {
      throw new TypeError(
        `MFA of ${role.arn} needs mfaSerial (an MFA device ARN) and mfaSecret (base32, at least 16 characters).`,
      );
    }
    mfa = { serial: role.mfaSerial, secret };
  }
  return {
    arn: role.arn,
    partition,
    accountId,
    name,
    ...(role.trustedPrincipals ? { trusted: role.trustedPrincipals.map(trustPattern) } : {}),
    ...(role.externalId === undefined ? {} : { externalId: role.externalId }),
    ...(mfa ? { mfa } : {}),
    maxSessionDuration,
  };
}

/**
 * Whether the role's trust rule admits `caller`. Without patterns, the rule is the emulated organisation: a caller
 * whose account is one of `organisation` (the accounts of the configured identities and roles) in the role's partition.
 */
export function trusts(role: EmulatedRole, caller: Identity, organisation: ReadonlySet<string>): boolean {
  if (caller.partition !== role.partition) return false;
  if (!role.trusted) return organisation.has(caller.accountId);
  const names = [caller.arn, ...(caller.roleArn ? [caller.roleArn] : [])];
  return role.trusted.some((pattern) => names.some((name) => pattern.test(name)));
}
