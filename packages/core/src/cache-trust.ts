/**
 * Whether the login cache folder can be trusted: anyone who can create files in it (or in the folder above it)
 * can plant a cache record whose credentials awslogin would then hand to you. Pure; the stat comes from the caller.
 * @see docs/protocol.md §6
 */

/** What is judged of a folder: its mode bits and owner. */
export interface FolderStat {
  /** `st_mode`: the permission bits (group/other write, sticky) are judged. */
  mode: number;
  /** `st_uid`: the folder's owner. */
  uid: number;
}

/**
 * Why the folder cannot be trusted, or undefined when it can: writable by group or others without the sticky bit,
 * or owned by another user who is not root. Root (`sudo -E`) trusts the owner of the folder it was pointed at.
 */
export function untrustedFolderReason(folder: FolderStat, ownUid: number | undefined): string | undefined {
  const sticky = (folder.mode & 0o1000) !== 0;
  if ((folder.mode & 0o022) !== 0 && !sticky) {
    const who = (folder.mode & 0o002) !== 0 ? "every user" : "its group";
    return `it is writable by ${who} (mode 0${(folder.mode & 0o777).toString(8).padStart(3, "0")})`;
  }
  if (ownUid !== undefined && ownUid !== 0 && folder.uid !== ownUid && folder.uid !== 0) {
    return `it belongs to another user (uid ${folder.uid})`;
  }
  return undefined;
}

/** The sentence that says what the risk of an untrusted cache folder really is. */
export const PLANTED_CREDENTIALS_RISK =
  "another user could plant credentials there that awslogin would then hand to you and to every tool you run";
