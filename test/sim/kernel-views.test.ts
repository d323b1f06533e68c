// The simulator's kernel views (mountinfo, sysfs loops, lstat, statfs: what lvmsnap reads without a
// process) agree with its tools (findmnt, losetup, stat, df: what lvmsnap ran before, and what the real
// tier's state capture still runs), on fixed systems here and after random command sequences in
// roundtrip.test.ts.
import { describe, expect, it } from 'vitest';
import * as C from '../../src/commands.js';
import { parseFullreport } from '../../src/parse/index.js';
import { sysfsBlockDir, sysfsBlockFile } from '../../src/sim/sysfs-block.js';
import { lstat, mountinfo, realpath, statfsAvail, sysfsLoops } from '../../src/sim/kernel-views.js';
import { SimHost } from '../../src/sim/host.js';
import { addDevLink, addDisk, addFilesystem, drift, exec, simpleSystem } from '../../src/sim/model.js';
import { TMP, forward, runOk } from './helpers.js';
import { expectKernelViewsAgree } from './kernel-agree.js';

describe('simulated kernel views', () => {
  it('realpath follows /dev links (relative, absolute, chains) and /dev/VG/LV as readlink -f; a dangling link ends where it points; lstat and stat call links symlinks', () => {
    let s = addDisk(simpleSystem(), '/dev/vdb', 252, 16, 64 * 1024 ** 2);
    s = addDevLink(addDevLink(addDevLink(s, '/dev/disk/by-id/spare', '../../vdb'), '/dev/disk/by-path/pci-1', '/dev/disk/by-id/spare'), '/dev/disk/by-id/gone', '../../sdz');
    expect(realpath(s, '/dev/disk/by-id/spare')).toBe('/dev/vdb');
    expect(realpath(s, '/dev/disk/by-path/pci-1')).toBe('/dev/vdb');
    expect(realpath(s, '/dev/disk/by-id/gone')).toBe('/dev/sdz');
    expect(realpath(s, '/dev/vg0/root')).toBe('/dev/mapper/vg0-root');
    expect(realpath(s, '/dev/vdb')).toBe('/dev/vdb');
    expect(realpath(s, '/dev/disk/by-id/nothing')).toBeNull();
    expect(lstat(s, '/dev/disk/by-id/gone')?.type).toBe('other');
    expect(lstat(s, '/dev/disk/by-id')?.type).toBe('directory');
    expect(exec(s, C.statArgv(['/dev/disk/by-id/spare'])).result.stdout).toMatch(/symbolic link/);
  });

  it('agree with the simulated tools before, during and after a chain, and after drift', () => {
    let s = simpleSystem();
    expectKernelViewsAgree(s);
    for (const step of forward()) {
      s = runOk(s, step);
      expectKernelViewsAgree(s);
    }
    expectKernelViewsAgree(drift.deleteFile(drift.unmount(s, '/media/snap'), TMP)); // "(deleted)" back file
    expectKernelViewsAgree(drift.detachLoop(s, '/dev/loop0', false)); // lazily detached: autoclear
    expectKernelViewsAgree(drift.reboot(s));
  });

  it('/sys/class/block/dm-N agrees with lvm: one per active LV, its MAJ:MIN, its dm name, its size (a snapshot shows its origin\'s)', () => {
    const s = runOk(simpleSystem(), ...forward());
    const lvs = parseFullreport(exec(s, C.fullreportArgv()).result.stdout).lvs.filter((l) => l.active);
    expect(lvs.some((l) => l.isSnapshot)).toBe(true);
    const dms = sysfsBlockDir(s, '/sys/class/block/').filter((n) => n.startsWith('dm-'));
    expect(dms).toEqual(lvs.map((l) => `dm-${l.majMin!.split(':')[1]}`).sort());
    for (const l of lvs) {
      const dir = `/sys/class/block/dm-${l.majMin!.split(':')[1]}`;
      const size = l.isSnapshot ? lvs.find((o) => o.vg === l.vg && o.name === l.origin)!.sizeBytes : l.sizeBytes;
      expect(sysfsBlockFile(s, `${dir}/dev`)).toBe(`${l.majMin}\n`);
      expect(sysfsBlockFile(s, `${dir}/dm/name`)).toBe(`${l.vg.replace(/-/g, '--')}-${l.name.replace(/-/g, '--')}\n`);
      expect(Number(sysfsBlockFile(s, `${dir}/size`)) * 512).toBe(size);
    }
  });

  it('escape paths in mountinfo and list options as the kernel splits them', () => {
    let s = exec(simpleSystem(), C.mkdirArgv('/media/a dir')).system;
    s = addFilesystem(s, { id: 'x', source: 'tmpfs', fstype: 'tmpfs', majMin: '0:61', sizeBytes: 2 ** 20, baseUsed: 0, volatile: true, fallocate: true, rootIno: 1 },
      '/media/a dir', 'rw,nosuid,relatime,size=1024k,inode64', false);
    const line = mountinfo(s).split('\n').find((l) => l.includes('0:61'))!;
    expect(line).toMatch(/^\d+ \d+ 0:61 \/ \/media\/a\\040dir rw,nosuid,relatime - tmpfs tmpfs rw,size=1024k,inode64$/);
    expectKernelViewsAgree(s);
  });

  it('mount order: a later mount comes later, its parent is the mount it sits on', () => {
    const s = runOk(simpleSystem(), ...forward());
    const lines = mountinfo(s).trim().split('\n').map((l) => l.split(' '));
    const id = (t: string) => lines.find((f) => f[4] === t)![0];
    expect(lines.at(-1)![4]).toBe('/media/snap');
    expect(lines.find((f) => f[4] === '/media/snap')![1]).toBe(id('/'));
    expect(lines.find((f) => f[4] === '/media/snap')!.slice(5)).toEqual(['ro,relatime', '-', 'ext4', '/dev/mapper/vg0-root_snap', 'ro,norecovery']);
  });

  it('SimHost answers the reads, records them, and lets drift land before them', async () => {
    const s = runOk(simpleSystem(), ...forward());
    const host = new SimHost(s, { beforeRun: (sys, argv) => (argv[0] === 'lstat' ? drift.deleteFile(sys, TMP) : sys) });
    expect(await host.readMountinfo()).toBe(mountinfo(s));
    expect(await host.readLoopSysfs()).toEqual(sysfsLoops(s));
    expect(await host.lstat(TMP)).toBeNull(); // deleted just before the look
    expect(await host.statfsAvail('/var/space')).toBe(statfsAvail(host.system, '/var/space'));
    expect(host.calls.map((c) => [c.op, c.argv.join(' '), c.exitCode])).toEqual([
      ['readMountinfo', '', 0], ['readLoopSysfs', '', 0], ['lstat', TMP, 1], ['statfsAvail', '/var/space', 0],
    ]);
    expect(host.commands).toEqual([]); // none of them is a process
  });
});
