/**
 * The principals the emulator can sign in, parsed from their ARNs once at start-up.
 * @see docs/protocol.md §5 (the `sub` forms) and §10 (the CloudTrail `userIdentity` they produce)
 */
import { createHash } from "node:crypto";

/**
 * The identity signed in when no `identities` option is given: an assumed-role session of role
 * `Developer` in the documentation account 111122223333.
 */
export const DEFAULT_IDENTITY = "arn:aws:sts::111122223333:assumed-role/Developer/awslogin-demo";

/** A principal the emulator signs in, with the ids STS and CloudTrail report for it. */
export interface Identity {
  /** The ARN exactly as configured; it is the ID token's `sub` and the STS `Arn`. */
  arn: string;
  kind: "assumed-role" | "user" | "root";
  partition: string;
  accountId: string;
  /** What STS GetCallerIdentity answers as `UserId`. */
  userId: string;
  /** Role name (assumed-role), user name (user), or "root". */
  name: string;
  /** Role session name, for assumed-role identities. */
  sessionName?: string;
  /** The role's id (`AROA…`) and ARN, for assumed-role identities. */
  roleId?: string;
  roleArn?: string;
  /** Set on a role session assumed with an MFA code (CloudTrail's `mfaAuthenticated`). */
  mfaAuthenticated?: boolean;
}

const ACCOUNT = "(\\d{12})";
const PARTITION = "(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc)";
const ASSUMED_ROLE = new RegExp(
  `^arn:${PARTITION}:sts::${ACCOUNT}:assumed-role/([\\w+=,.@-]{1,64})/([\\w+=,.@-]{2,64})$`,
);
const USER = new RegExp(
  `^arn:${PARTITION}:iam::${ACCOUNT}:user/((?:[\\x21-\\x7e]{1,510}/)?)([\\w+=,.@-]{1,64})$`,
);
const ROOT = new RegExp(`^arn:${PARTITION}:iam::${ACCOUNT}:root$`);

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** One character of the upper-case base32 alphabet AWS key and principal ids use for each byte. */
export function idCharacters(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += ID_ALPHABET[byte % 32];
  return out;
}

/**
 * A stable AWS-style unique id (`AROA…`, `AIDA…`): the prefix and 16 upper-case letters and digits
 * derived from `seed`, so the same principal always gets the same id.
 */
export function uniqueIdFor(prefix: string, seed: string): string {
  return prefix + idCharacters(createHash("sha256").update(seed).digest().subarray(0, 16));
}

/** Parses an identity ARN; throws a TypeError naming the accepted forms when it is none of them. */
export function parseIdentity(arn: string): Identity {
  const assumed = ASSUMED_ROLE.exec(arn);
  if (assumed) {
    const [, partition, accountId, role, session] = assumed as unknown as [
      string,
      string,
      string,
      string,
      string,
    ];
    const roleArn = `arn:${partition}:iam::${accountId}:role/${role}`;
    const roleId = uniqueIdFor("AROA", roleArn);
    return {
      arn,
      kind: "assumed-role",
      partition,
      accountId,
      userId: `${roleId}:${session}`,
      name: role,
      sessionName: session,
      roleId,
      roleArn,
    };
  }
  const user = USER.exec(arn);
  if (user) {
    const [, partition, accountId, , name] = user as unknown as [string, string, string, string, string];
    return { arn, kind: "user", partition, accountId, userId: uniqueIdFor("AIDA", arn), name };
  }
  const root = ROOT.exec(arn);
  if (root) {
    const [, partition, accountId] = root as unknown as [string, string, string];
    return { arn, kind: "root", partition, accountId, userId: accountId, name: "root" };
  }
  throw new TypeError(
    `Not a supported identity ARN: ${JSON.stringify(arn)}. Use arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, ` +
      "arn:aws:iam::ACCOUNT:user/NAME or arn:aws:iam::ACCOUNT:root (ACCOUNT is 12 digits; session names are " +
      "2-64 characters of A-Z a-z 0-9 + = , . @ _ -).",
  );
}
