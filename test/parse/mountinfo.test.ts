import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/errors.js';
import { parseFindmnt, parseMountinfo } from '../../src/parse/index.js';
import { mergeOptions, unescapeOctal } from '../../src/parse/mountinfo.js';
import { fixture } from './fixtures.js';

const byTarget = <T extends { target: string }>(l: readonly T[]): T[] => [...l].sort((a, b) => a.target.localeCompare(b.target));

describe('parseMountinfo', () => {
  // Captured in the VM at one moment: /proc/self/mountinfo and findmnt, which lvmsnap ran before.
  it.each(['kernel', 'kernel-extras'])('gives what findmnt gave on the same system (%s)', (name) => {
    const mine = parseMountinfo(fixture(`${name}.mountinfo`));
    expect(mine.length).toBeGreaterThanOrEqual(12);
    expect(byTarget(mine)).toEqual(byTarget(parseFindmnt(fixture(`${name}.findmnt.json`))));
  });

  it('reads the snapshot mount, escapes and the mount order', () => {
    const mounts = parseMountinfo(fixture('kernel-extras.mountinfo'));
    expect(mounts.find((m) => m.target === '/media/snap')).toEqual({
      target: '/media/snap', source: '/dev/mapper/vg0-root_snap', fstype: 'ext4', options: ['ro', 'relatime', 'norecovery'], majMin: '253:3',
    });
    expect(mounts.map((m) => m.target)).toContain('/media/a dir'); // "\040" in the file
    expect(mounts.find((m) => m.target === '/run/vm')?.options).toEqual(['rw', 'relatime', 'sync', 'dirsync', 'access=client', 'msize=512000', 'trans=virtio']);
    expect(mounts[0]?.target).toBe('/');
    expect(mounts.at(-1)).toMatchObject({ target: '/media/loopmnt', source: '/dev/loop3', majMin: '7:3' });
  });

  it('skips optional fields and unescapes every field that may hold a path', () => {
    const line = '36 35 98:0 /mnt1 /mnt\\0402\\011x rw,noatime shared:1 master:2 - ext3 /dev/my\\134disk rw,errors=continue\n';
    expect(parseMountinfo(line)).toEqual([
      { target: '/mnt 2\tx', source: '/dev/my\\disk', fstype: 'ext3', options: ['rw', 'noatime', 'errors=continue'], majMin: '98:0' },
    ]);
    expect(unescapeOctal('a\\134\\040b\\012')).toBe('a\\ b\n');
    expect(mergeOptions('ro,nosuid', 'rw,size=1k')).toEqual(['ro', 'nosuid', 'size=1k']);
    expect(parseMountinfo('')).toEqual([]);
  });

  it('rejects lines that are not mountinfo', () => {
    expect(() => parseMountinfo('36 35 98:0 / /mnt rw - ext4 /dev/x\n')).toThrow(ParseError);
    expect(() => parseMountinfo('36 35 98:0 / /mnt rw master:1 ext4 /dev/x rw\n')).toThrow(/mountinfo/);
    expect(() => parseMountinfo('36 35 98-0 / /mnt rw - ext4 /dev/x rw\n')).toThrow(/MAJ:MIN/);
    expect(() => parseMountinfo('36 35 98:0 / mnt rw - ext4 /dev/x rw\n')).toThrow(/absolute/);
  });
});
