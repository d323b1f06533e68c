// Parses `stat --printf STAT_FORMAT -- paths...`: one tab-separated line per existing path
// (name, %F type, dev, ino, size, mount point). Missing paths only appear on stderr.
import type { ObservedPath, PathType } from '../types.js';
import { fail, toInt } from './util.js';

const CMD = 'stat';

const TYPES: Readonly<Record<string, PathType>> = {
  'regular file': 'file',
  'regular empty file': 'file',
  directory: 'directory',
  'block special file': 'block',
};

export function parseStat(stdout: string): ObservedPath[] {
  const lines = stdout.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => {
    const fields = line.split('\t');
    if (fields.length < 6) fail(CMD, `expected 6 tab-separated fields, got ${fields.length}`, line);
    // The name comes first and is the only field that may itself contain a tab: take the rest from the right.
    const tail = fields.splice(-5);
    const [type, dev, ino, size, mountPoint] = tail as [string, string, string, string, string];
    const path = fields.join('\t');
    if (path === '' || mountPoint === '') fail(CMD, 'empty path or mount point', line);
    return {
      path,
      type: TYPES[type] ?? 'other',
      dev: toInt(CMD, 'dev', dev),
      ino: toInt(CMD, 'ino', ino),
      size: toInt(CMD, 'size', size),
      mountPoint,
    };
  });
}
