import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/errors.js';
import { parseDf } from '../../src/parse/index.js';

// Recorded with `df --block-size=1 --output=source,fstype,avail,target -- /tmp` (GNU coreutils).
const REAL = 'Filesystem     Type       Avail Mounted on\n/dev/vda       ext4 85586722816 /\n';

describe('parseDf', () => {
  it('parses the data line', () => {
    expect(parseDf(REAL)).toEqual({ source: '/dev/vda', fstype: 'ext4', availBytes: 85586722816, target: '/' });
  });

  it('keeps spaces in the mount point', () => {
    const out = 'Filesystem Type Avail Mounted on\ntmpfs tmpfs 209715200 /var/my space\n';
    expect(parseDf(out)).toEqual({ source: 'tmpfs', fstype: 'tmpfs', availBytes: 209715200, target: '/var/my space' });
  });

  it('rejects malformed output', () => {
    expect(() => parseDf('')).toThrow(ParseError);
    expect(() => parseDf('/dev/vda ext4 1 /\n')).toThrow(/df/);
    expect(() => parseDf('Filesystem Type Avail Mounted on\n/dev/vda ext4 - /\n')).toThrow(/avail/);
    expect(() => parseDf(`${REAL}/dev/vdb ext4 1 /x\n`)).toThrow(ParseError);
    expect(() => parseDf('Filesystem Type Avail Mounted on\n/dev/vda ext4\n')).toThrow(ParseError);
  });
});
