// Parses `df --block-size=1 --output=source,fstype,avail,target -- dir`: a header line, then one data line.
import type { ObservedFs } from '../types.js';
import { fail, toInt } from './util.js';

const CMD = 'df';

export function parseDf(stdout: string): ObservedFs {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== 2) fail(CMD, `expected a header and one data line, got ${lines.length} lines`, stdout);
  const [header, data] = lines as [string, string];
  if (!/^\s*Filesystem\s/.test(header)) fail(CMD, 'unexpected header', header);
  // The target (last column) may contain spaces; the other columns may not.
  const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S.*)$/.exec(data.trim());
  if (!m) fail(CMD, 'expected 4 columns', data);
  return { source: m[1]!, fstype: m[2]!, availBytes: toInt(CMD, 'avail', m[3]), target: m[4]! };
}
