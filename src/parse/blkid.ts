// Parses `blkid --probe --output value --match-tag TYPE -- device`: the filesystem type, or nothing.
import { fail } from './util.js';

export function parseBlkidType(stdout: string): string | null {
  const text = stdout.trim();
  if (text === '') return null;
  if (!/^[A-Za-z0-9_.+-]+$/.test(text)) fail('blkid', 'expected a single filesystem type', stdout);
  return text;
}
