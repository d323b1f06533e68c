// Parses `blkid --probe --output value --match-tag TYPE -- device`: the filesystem type, or nothing.
import { fail } from './util.js';

export function parseBlkidType(stdout: string): string | null {
  const text = stdout.trim();
  if (text === '') return null;
  if (!/^[A-Za-z0-9_.+-]+$/.test(text)) fail('blkid', 'expected a single filesystem type', stdout);
  return text;
}

/** Parses `blkid --probe --output value --match-tag TYPE --match-tag PTTYPE -- device`: one value a line. */
export function parseBlkidValues(stdout: string): string[] {
  const lines = stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  for (const l of lines) if (!/^[A-Za-z0-9_.+-]+$/.test(l)) fail('blkid', 'expected one signature type a line', stdout);
  return lines;
}
