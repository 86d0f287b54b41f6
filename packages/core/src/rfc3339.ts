/**
 * RFC 3339 timestamps as every token cache writer formats them (`Z`, `.000Z`, `+00:00`, nanoseconds).
 * Dependency-free on purpose: the credential_process hot path bundles this file alone.
 * @see docs/protocol.md §6 (readers must accept any RFC 3339 `expiresAt`)
 */

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Milliseconds since the epoch of an RFC 3339 timestamp (any fraction, `Z` or offset), or undefined. */
export function parseRfc3339(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offsetHours = m[9] === undefined ? 0 : Number(m[10]);
  const offsetMinutes = m[9] === undefined ? 0 : Number(m[11]);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60) return undefined;
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1) return undefined; // 31 April and the like
  const fractionMs = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  const offsetMs = (m[9] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return date.getTime() + ((hour * 60 + minute) * 60 + second) * 1000 + fractionMs - offsetMs;
}
