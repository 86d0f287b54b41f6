/** Stable exit codes: 0 ok, 1 failure the user can act on, 2 usage error, 130 interrupted. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;
