// Parses `losetup --list --json` and `losetup --find`.
import type { ObservedLoop } from '../types.js';
import { fail, isRow, nonEmpty, parseJson, rows } from './util.js';

const LIST = 'losetup --list';
const FIND = 'losetup --find';
const DELETED = ' (deleted)';

/** Bound loop devices. losetup prints nothing at all when no device is bound. */
export function parseLosetupList(stdout: string): ObservedLoop[] {
  if (stdout.trim() === '') return [];
  const doc = parseJson(LIST, stdout);
  if (!isRow(doc) || !Array.isArray(doc.loopdevices)) fail(LIST, 'missing "loopdevices" array', stdout);
  return rows(LIST, doc, 'loopdevices').map((r) => {
    const name = nonEmpty(LIST, r, 'name');
    const raw = r['back-file'];
    // A device bound with no backing file name (rare) reports null.
    if (raw !== null && typeof raw !== 'string') fail(LIST, 'field "back-file" is not a string', r);
    const file = raw ?? '';
    const deleted = file.endsWith(DELETED);
    return { name, backFile: deleted ? file.slice(0, -DELETED.length) : file, backFileDeleted: deleted };
  });
}

/** The first free loop device ("/dev/loopN"), or null when losetup printed nothing. */
export function parseLosetupFind(stdout: string): string | null {
  const text = stdout.trim();
  if (text === '') return null;
  if (!/^\/dev\/loop\d+$/.test(text)) fail(FIND, 'expected a single /dev/loopN', stdout);
  return text;
}
