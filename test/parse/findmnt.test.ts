import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/errors.js';
import { parseFindmnt } from '../../src/parse/index.js';
import { fixture } from './fixtures.js';

describe('parseFindmnt', () => {
  const mounts = parseFindmnt(fixture('present.findmnt.json'));

  it('flattens the tree, parents first', () => {
    expect(mounts.map((m) => m.target)).toEqual([
      '/', '/proc', '/sys', '/dev', '/run', '/tmp', '/out', '/mnt/root', '/var/space', '/media/snap',
    ]);
  });

  it('keeps source, type, split options and MAJ:MIN', () => {
    expect(mounts.find((m) => m.target === '/media/snap')).toEqual({
      target: '/media/snap', source: '/dev/mapper/vg0-root_snap', fstype: 'ext4',
      options: ['ro', 'relatime', 'norecovery'], majMin: '253:3',
    });
    expect(mounts.find((m) => m.target === '/mnt/root')).toMatchObject({ majMin: '253:0', fstype: 'ext4' });
    expect(mounts[0]?.options).toContain('upperdir=/mnt/rw/upper');
  });

  it('flattens nested children', () => {
    const json = JSON.stringify({
      filesystems: [{
        target: '/', source: '/dev/vda', fstype: 'ext4', options: 'rw', 'maj:min': '254:0',
        children: [{
          target: '/a', source: 'tmpfs', fstype: 'tmpfs', options: '', 'maj:min': '0:30',
          children: [{ target: '/a/b', source: '/dev/sdb1', fstype: 'xfs', options: 'rw', 'maj:min': '8:17' }],
        }],
      }],
    });
    const list = parseFindmnt(json);
    expect(list.map((m) => m.target)).toEqual(['/', '/a', '/a/b']);
    expect(list[1]?.options).toEqual([]);
  });

  it('rejects malformed output', () => {
    expect(() => parseFindmnt('')).toThrow(ParseError);
    expect(() => parseFindmnt('{"filesystems": {}}')).toThrow(/findmnt/);
    expect(() => parseFindmnt('{"filesystems": [{"target": "/", "source": "x", "fstype": "y", "options": ""}]}'))
      .toThrow(/maj:min/);
    expect(() =>
      parseFindmnt('{"filesystems": [{"target": "/", "source": "x", "fstype": "y", "options": "", "maj:min": "abc"}]}'),
    ).toThrow(ParseError);
  });
});
