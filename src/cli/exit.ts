// lvmsnap's exit codes (documented in EXIT_CODES, src/cli/spec.ts). Re-exported by main.ts, which holds
// the one boundary mapping errors to them; commands import them from here so nothing imports main.
export const EXIT = { ok: 0, failed: 1, changed: 2, refused: 3 } as const;
