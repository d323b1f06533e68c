import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/errors.js';
import { parseBlkidType } from '../../src/parse/index.js';

describe('parseBlkidType', () => {
  it('returns the type', () => {
    expect(parseBlkidType('ext4\n')).toBe('ext4');
    expect(parseBlkidType('LVM2_member\n')).toBe('LVM2_member');
  });
  it('returns null when nothing was found', () => {
    expect(parseBlkidType('')).toBeNull();
  });
  it('rejects anything but one type', () => {
    expect(() => parseBlkidType('ext4\nxfs\n')).toThrow(ParseError);
    expect(() => parseBlkidType('TYPE="ext4"')).toThrow(/blkid/);
  });
});
