import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/errors.js';
import { parseLosetupFind, parseLosetupList } from '../../src/parse/index.js';
import { fixture } from './fixtures.js';

describe('parseLosetupList', () => {
  it('parses the real output', () => {
    expect(parseLosetupList(fixture('present.losetup.json'))).toEqual([
      { name: '/dev/loop0', backFile: '/var/space/extra.tmp', backFileDeleted: false },
    ]);
  });

  it('treats empty stdout as no devices', () => {
    expect(parseLosetupList('')).toEqual([]);
    expect(parseLosetupList('\n')).toEqual([]);
  });

  it('strips the " (deleted)" suffix', () => {
    const text = fixture('present.losetup.json').replace('/var/space/extra.tmp', '/var/space/extra.tmp (deleted)');
    expect(parseLosetupList(text)).toEqual([
      { name: '/dev/loop0', backFile: '/var/space/extra.tmp', backFileDeleted: true },
    ]);
  });

  it('rejects malformed output', () => {
    expect(() => parseLosetupList('{"loopdevices": [')).toThrow(ParseError);
    expect(() => parseLosetupList('{"devices": []}')).toThrow(/losetup --list/);
    expect(() => parseLosetupList('{"loopdevices": [{"back-file": "/x"}]}')).toThrow(ParseError);
    expect(() => parseLosetupList('{"loopdevices": [{"name": "/dev/loop0", "back-file": 3}]}')).toThrow(ParseError);
  });
});

describe('parseLosetupFind', () => {
  it('returns the device', () => {
    expect(parseLosetupFind('/dev/loop1\n')).toBe('/dev/loop1');
  });
  it('returns null for empty output', () => {
    expect(parseLosetupFind('')).toBeNull();
  });
  it('rejects anything else', () => {
    expect(() => parseLosetupFind('/dev/loop1\n/dev/loop2\n')).toThrow(ParseError);
    expect(() => parseLosetupFind('losetup: cannot find an unused loop device')).toThrow(/losetup --find/);
  });
});
