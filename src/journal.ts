// Where lvmsnap writes down what it created, and how that file is read back (zod-validated).
import { posix } from 'node:path';
import { z } from 'zod';
import { LvmsnapError } from './errors.js';
import type { Journal, Target } from './types.js';

/** `<stateDir>/<vg>/<snapshot>.json` */
export const journalPath = (target: Pick<Target, 'stateDir' | 'vg' | 'snapshot'>): string =>
  posix.join(target.stateDir, target.vg, `${target.snapshot}.json`);

/** The journal file exists but is not a valid lvmsnap journal. */
export class JournalCorrupt extends LvmsnapError {
  constructor(readonly file: string, readonly detail: string) {
    super(`corrupt journal ${file}: ${detail}; inspect it, then remove it if nothing lvmsnap created is left`);
  }
}

const count = z.number().int().nonnegative();

const JournalSchema = z.object({
  version: z.literal(1),
  vg: z.string().min(1),
  snapshot: z.string().min(1),
  tmpFile: z.object({ path: z.string().min(1), dev: count.optional(), ino: count.optional() }).optional(),
  createdMountpoint: z.string().min(1).optional(),
  reactivateOrigin: z.string().min(1).optional(),
});

/**
 * Parse a journal's text. An empty (or blank) file means no journal: null.
 * Anything else that is not a valid journal throws JournalCorrupt naming `file`.
 */
export function parseJournal(text: string, file = 'journal'): Journal | null {
  if (text.trim() === '') return null;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new JournalCorrupt(file, `invalid JSON (${(err as Error).message})`);
  }
  const result = JournalSchema.safeParse(data);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new JournalCorrupt(file, issues.join('; '));
  }
  return result.data;
}
