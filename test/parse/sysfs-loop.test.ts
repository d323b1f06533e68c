import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/errors.js';
import { parseLosetupList, parseSysfsLoops } from '../../src/parse/index.js';
import { fixture } from './fixtures.js';
import { sysfsFixture } from './kernel-fixtures.js';

const byName = <T extends { name: string }>(l: readonly T[]): T[] => [...l].sort((a, b) => a.name.localeCompare(b.name));

describe('parseSysfsLoops', () => {
  // Captured in the VM at one moment: /sys/block/loop* and `losetup --list --json`.
  it.each(['kernel', 'kernel-extras'])('finds the bindings losetup listed (%s)', (name) => {
    const { bound } = parseSysfsLoops(sysfsFixture(`${name}.sysfs-loop.txt`));
    const listed = parseLosetupList(fixture(`${name}.losetup.json`));
    expect(bound.map(({ name: n, backFile, backFileDeleted }) => ({ name: n, backFile, backFileDeleted }))).toEqual(byName(listed));
    const raw = JSON.parse(fixture(`${name}.losetup.json`)) as { loopdevices: { name: string; offset: number; sizelimit: number; autoclear: boolean }[] };
    for (const l of bound) {
      const r = raw.loopdevices.find((x) => x.name === l.name)!;
      expect([l.offset, l.sizeLimit, l.autoclear]).toEqual([r.offset, r.sizelimit, r.autoclear]);
    }
  });

  it('reads offset, size limit, autoclear, deleted files and the free devices in order', () => {
    const { bound, free } = parseSysfsLoops(sysfsFixture('kernel-extras.sysfs-loop.txt'));
    expect(bound).toEqual([
      { name: '/dev/loop0', backFile: '/var/space/extra.tmp', backFileDeleted: false, majMin: '7:0', sizeBytes: 68 * 2 ** 20, offset: 0, sizeLimit: 0, autoclear: false },
      { name: '/dev/loop1', backFile: '/var/space/offset.img', backFileDeleted: false, majMin: '7:1', sizeBytes: 8 * 2 ** 20, offset: 2 ** 20, sizeLimit: 8 * 2 ** 20, autoclear: false },
      { name: '/dev/loop2', backFile: '/var/space/gone file.img', backFileDeleted: true, majMin: '7:2', sizeBytes: 16 * 2 ** 20, offset: 0, sizeLimit: 0, autoclear: false },
      { name: '/dev/loop3', backFile: '/var/space/fs.img', backFileDeleted: false, majMin: '7:3', sizeBytes: 8 * 2 ** 20, offset: 0, sizeLimit: 0, autoclear: true },
    ]);
    expect(free).toEqual(['/dev/loop4', '/dev/loop5', '/dev/loop6', '/dev/loop7']);
    // What `losetup --find` would print: the lowest unbound device.
    expect(parseSysfsLoops(sysfsFixture('kernel.sysfs-loop.txt')).free[0]).toBe('/dev/loop1');
  });

  it('orders by device number, not by name, and handles no loop devices at all', () => {
    const dev = (n: number) => ({ name: `loop${n}`, files: { dev: `7:${n}\n`, size: '0\n' } });
    expect(parseSysfsLoops([dev(10), dev(2), dev(9)]).free).toEqual(['/dev/loop2', '/dev/loop9', '/dev/loop10']);
    expect(parseSysfsLoops([])).toEqual({ bound: [], free: [] });
  });

  it('rejects what the kernel does not write', () => {
    const ok = { dev: '7:0\n', size: '8\n', 'loop/backing_file': '/f\n', 'loop/offset': '0\n', 'loop/sizelimit': '0\n', 'loop/autoclear': '0\n' };
    expect(parseSysfsLoops([{ name: 'loop0', files: ok }]).bound).toHaveLength(1);
    expect(() => parseSysfsLoops([{ name: 'sda', files: ok }])).toThrow(ParseError);
    expect(() => parseSysfsLoops([{ name: 'loop0', files: { ...ok, dev: 'x\n' } }])).toThrow(/MAJ:MIN/);
    expect(() => parseSysfsLoops([{ name: 'loop0', files: { ...ok, 'loop/offset': 'big\n' } }])).toThrow(/offset/);
    const { dev: _d, ...noDev } = ok;
    expect(() => parseSysfsLoops([{ name: 'loop0', files: noDev }])).toThrow(/dev is missing/);
  });
});
