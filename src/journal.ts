// Where lvmsnap writes down what it created, and how that file is read back (validated field by field).
import { posix } from 'node:path';
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

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a parsed journal; returns the problems (each naming its field) and the journal without unknown keys. */
function validateJournal(data: unknown): { issues: string[]; journal: Journal } {
  const issues: string[] = [];
  if (!isRecord(data)) return { issues: ['(root): expected an object'], journal: null as unknown as Journal };
  if (data['version'] !== 1) issues.push(`version: expected 1, got ${JSON.stringify(data['version'])}`);
  for (const k of ['vg', 'snapshot'] as const) if (!isName(data[k])) issues.push(`${k}: expected a non-empty string`);
  const out: Record<string, unknown> = { version: data['version'], vg: data['vg'], snapshot: data['snapshot'] };
  if (data['lv'] !== undefined) {
    if (!isName(data['lv'])) issues.push('lv: expected a non-empty string');
    out['lv'] = data['lv'];
  }
  const tf = data['tmpFile'];
  if (tf !== undefined) {
    if (!isRecord(tf)) issues.push('tmpFile: expected an object');
    else {
      if (!isName(tf['path'])) issues.push('tmpFile.path: expected a non-empty string');
      const t: Record<string, unknown> = { path: tf['path'] };
      for (const k of ['dev', 'ino'] as const) {
        if (tf[k] === undefined) continue;
        if (!isCount(tf[k])) issues.push(`tmpFile.${k}: expected a non-negative integer`);
        t[k] = tf[k];
      }
      out['tmpFile'] = t;
    }
  }
  if (data['createdMountpoint'] !== undefined) {
    if (!isName(data['createdMountpoint'])) issues.push('createdMountpoint: expected a non-empty string');
    out['createdMountpoint'] = data['createdMountpoint'];
  }
  return { issues, journal: out as unknown as Journal };
}

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
  const { issues, journal } = validateJournal(data);
  if (issues.length > 0) throw new JournalCorrupt(file, issues.join('; '));
  return journal;
}
