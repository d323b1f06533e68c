import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/errors.js';
import { parseBlkidType, parseBlkidValues } from '../../src/parse/index.js';

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

describe('parseBlkidValues (blkid --probe --output value --match-tag TYPE --match-tag PTTYPE)', () => {
  it('returns every signature, one a line', () => {
    expect(parseBlkidValues('LVM2_member\n')).toEqual(['LVM2_member']);
    expect(parseBlkidValues('gpt\n')).toEqual(['gpt']);
    expect(parseBlkidValues('linux_raid_member\ndos\n')).toEqual(['linux_raid_member', 'dos']);
  });
  it('returns [] when nothing was found', () => {
    expect(parseBlkidValues('')).toEqual([]);
  });
  it('rejects anything but bare values', () => {
    expect(() => parseBlkidValues('TYPE="ext4"\n')).toThrow(ParseError);
  });
});
