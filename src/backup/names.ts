// src/backup/ owns lvmsnap's backups: archive names, rotation, the manifest, the format table (which
// child processes make, verify and restore each format), and the backup/prune/list/verify/restore runs
// built on the engine and the host port. This file: archive names `<prefix>__YYYYmmdd_HHMMSS.<ext>`
// (the original manage_backups.py format, local time) and their parsing. Pure.

export interface Stamp {
  readonly year: number;
  readonly month: number; // 1..12
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const p2 = (n: number): string => String(n).padStart(2, '0');

export const stampOf = (d: Date): Stamp => ({
  year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate(), hour: d.getHours(), minute: d.getMinutes(), second: d.getSeconds(),
});

/** The local-time Date a stamp names (names carry no zone: they mean the host's local time). */
export const dateOf = (s: Stamp): Date => new Date(s.year, s.month - 1, s.day, s.hour, s.minute, s.second);

export const formatStamp = (s: Stamp): string =>
  `${String(s.year).padStart(4, '0')}${p2(s.month)}${p2(s.day)}_${p2(s.hour)}${p2(s.minute)}${p2(s.second)}`;

export const archiveName = (prefix: string, s: Stamp, ext: string): string => `${prefix}__${formatStamp(s)}.${ext}`;

/** A prefix must be a plain file-name part: the "__" separator and "/" would make names ambiguous. */
export function prefixProblem(prefix: string): string | null {
  if (prefix.length === 0) return 'is empty';
  if (prefix.length > 100) return 'is longer than 100 characters';
  if (!/^[A-Za-z0-9._+-]+$/.test(prefix)) return 'may contain only letters, digits and . _ + -';
  if (prefix.startsWith('.') || prefix.startsWith('-')) return 'must not start with "." or "-"';
  if (prefix.includes('__')) return 'must not contain "__" (it separates the prefix from the date)';
  return null;
}

const STAMP_RE = /^(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})$/;

export function parseStamp(text: string): Stamp | null {
  const m = STAMP_RE.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  // Reject impossible dates (20260231) by a round trip through the calendar.
  const d = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day || d.getUTCHours() !== hour ||
      d.getUTCMinutes() !== minute || d.getUTCSeconds() !== second) return null;
  return { year, month, day, hour, minute, second };
}

/** The stamp of `name` if it is exactly `<prefix>__YYYYmmdd_HHMMSS.<ext>`, else null. */
export function parseArchiveName(name: string, prefix: string, ext: string): Stamp | null {
  const head = `${prefix}__`;
  const tail = `.${ext}`;
  if (!name.startsWith(head) || !name.endsWith(tail) || name.length !== head.length + 15 + tail.length) return null;
  return parseStamp(name.slice(head.length, head.length + 15));
}

/** Any lvmsnap-style name: prefix, stamp and extension (for `backups list`, which knows no prefix). */
export function splitArchiveName(name: string, exts: readonly string[]): { prefix: string; stamp: Stamp; ext: string } | null {
  const m = /^(.+)__(\d{8}_\d{6})\.(.+)$/.exec(name);
  if (!m || !exts.includes(m[3]!)) return null;
  const stamp = parseStamp(m[2]!);
  return stamp ? { prefix: m[1]!, stamp, ext: m[3]! } : null;
}

/**
 * The name for a backup started at `now`: no collision within a second. When the name (or a leftover of
 * it) is taken, the next free second is used, so names stay in the one parseable format.
 */
export function freshName(prefix: string, ext: string, now: Date, taken: ReadonlySet<string>): string {
  for (let i = 0; ; i++) {
    const name = archiveName(prefix, stampOf(new Date(now.getTime() + i * 1000)), ext);
    if (![name, `${name}.partial`, `${name}.sha256`, `${name}.json`].some((n) => taken.has(n))) return name;
  }
}
