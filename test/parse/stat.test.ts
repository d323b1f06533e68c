import { describe, expect, it } from 'vitest';
import { STAT_FORMAT } from '../../src/commands.js';
import { ParseError } from '../../src/errors.js';
import { parseStat } from '../../src/parse/index.js';

// Recorded with `stat --printf STAT_FORMAT -- ...` (GNU coreutils); /nonexist only went to stderr.
const REAL = [
  '/tmp/f1\tregular file\t65024\t2146553\t3\t/',
  '/tmp/emptyf\tregular empty file\t65024\t2146552\t0\t/',
  '/tmp\tdirectory\t65024\t260072\t4096\t/',
  '/dev/null\tcharacter special file\t6\t3\t0\t/dev',
  '/dev/loop0\tblock special file\t6\t172\t0\t/dev',
  '',
].join('\n');

describe('parseStat', () => {
  it('matches the format in commands.ts', () => {
    expect(STAT_FORMAT).toBe('%n\t%F\t%d\t%i\t%s\t%m\n');
  });

  it('parses each line and maps %F to a PathType', () => {
    expect(parseStat(REAL)).toEqual([
      { path: '/tmp/f1', type: 'file', dev: 65024, ino: 2146553, size: 3, mountPoint: '/' },
      { path: '/tmp/emptyf', type: 'file', dev: 65024, ino: 2146552, size: 0, mountPoint: '/' },
      { path: '/tmp', type: 'directory', dev: 65024, ino: 260072, size: 4096, mountPoint: '/' },
      { path: '/dev/null', type: 'other', dev: 6, ino: 3, size: 0, mountPoint: '/dev' },
      { path: '/dev/loop0', type: 'block', dev: 6, ino: 172, size: 0, mountPoint: '/dev' },
    ]);
  });

  it('returns nothing for empty output (all paths missing)', () => {
    expect(parseStat('')).toEqual([]);
  });

  it('keeps a tab inside a path name', () => {
    expect(parseStat('/a\tb\tdirectory\t1\t2\t3\t/\n')[0]?.path).toBe('/a\tb');
  });

  it('rejects malformed lines', () => {
    expect(() => parseStat('/tmp directory 1 2 3 /\n')).toThrow(ParseError);
    expect(() => parseStat('/tmp\tdirectory\t1x\t2\t3\t/\n')).toThrow(/stat.*dev/);
    expect(() => parseStat('/tmp\tdirectory\t1\t2\t3\t\n')).toThrow(ParseError);
  });
});
