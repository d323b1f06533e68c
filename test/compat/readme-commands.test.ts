// The original tools' README command lines (fixtures/original-readme-commands.txt), run unchanged but for
// the program name through main() on the simulated host: each must do what the README says it does.
import { describe, expect, it } from 'vitest';
import { EXIT, main } from '../../src/cli/main.js';
import { GiB } from '../../src/sim/basics.js';
import { addDirs, addFile, addFilesystem, simpleSystem } from '../../src/sim/build.js';
import { SimHost } from '../../src/sim/host.js';
import type { SimSystem } from '../../src/sim/state.js';
import { readmeBlocks } from './readme-commands.js';

async function cli(argv: readonly string[], host: SimHost) {
  let out = '';
  let err = '';
  const code = await main(argv, { host, stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, deps: { lockDir: '/run/lock/lvmsnap' } });
  return { code, out, err };
}

const blocks = readmeBlocks({ '1': '/opt/backup-lvm-fsa-snapshot' });
const block = (source: RegExp) => {
  const b = blocks.find((x) => source.test(x.source));
  if (!b) throw new Error(`no fixture block ${source}`);
  return b.argvs;
};

/** The origin system/VG/LV of the READMEs; `tmpDir` holds the tmp file on its own 8 GiB ext4. */
const system = (vg: string, o: { vgFreeBytes: number; tmpDir?: string }): SimSystem =>
  simpleSystem({ vg, lv: 'system', originBytes: 8 * GiB, originUsedBytes: GiB, vgFreeBytes: o.vgFreeBytes,
    ...(o.tmpDir ? { tmpDir: o.tmpDir, tmpDirFs: 'ext4' as const, tmpDirBytes: 8 * GiB } : {}) });

const snap = (s: SimSystem, vg: string) => Object.values(s.lvs).find((l) => l.vg === vg && l.name === 'snap1');
const mountAt = (s: SimSystem, target: string) => s.mounts.find((m) => m.target === target);
const essential = (s: SimSystem) => ({ lvs: s.lvs, pvs: s.pvs, vgs: s.vgs, mounts: s.mounts, loops: s.loops, paths: s.paths, stateFiles: s.stateFiles });

describe('the fixture holds every command line of the originals\' READMEs', () => {
  it('reads 8 blocks and their command lines', () => {
    expect(blocks.map((b) => b.argvs.length)).toEqual([1, 1, 1, 1, 1, 2, 1, 2]);
    expect(block(/000 "Example/)[1]!.at(-1)).toBe('snapshot-unmount'); // the stray quote is gone
    expect(block(/Template/)[1]!.filter((w) => w === '--remove-mountpoint')).toHaveLength(2);
  });
});

describe('lvm_snaphot.py README command lines, unchanged', () => {
  it('-h: lvmsnap\'s help lists the drop-in commands', async () => {
    const r = await cli(block(/Getting help/)[0]!, new SimHost(system('lvm_server_vg', { vgFreeBytes: 5 * GiB })));
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toMatch(/snapshot-mount/);
    expect(r.out).toMatch(/snapshot-unmount/);
  });

  it('free space in the VG: mount makes snap1 (4096 MiB, tagged) mounted read-only; unmount with --remove-mountpoint restores the start', async () => {
    const start = system('lvm_server_vg', { vgFreeBytes: 5 * GiB });
    const host = new SimHost(start);
    const up = await cli(block(/"Creating snapshot", free space/)[0]!, host);
    expect(up.code, up.err).toBe(EXIT.ok);
    const lv = snap(host.system, 'lvm_server_vg');
    expect(lv).toMatchObject({ tags: ['lvmsnap'] });
    expect(lv!.segs.reduce((n, s) => n + s.count, 0) * 4 * 1024 * 1024).toBe(4096 * 1024 * 1024);
    expect(mountAt(host.system, '/media/system_snapshot')?.options).toMatch(/(^|,)ro(,|$)/);
    expect(Object.values(host.system.loops).filter((l) => l.ino !== null)).toEqual([]);
    // A second mount changes nothing (the original failed: "Device ... already exists").
    const again = await cli(block(/"Creating snapshot", free space/)[0]!, host);
    expect(again.code).toBe(EXIT.ok);
    expect(again.out).toMatch(/No changes: already present/);
    const down = await cli(block(/"Removing snapshot", free space/)[0]!, host);
    expect(down.code, down.err).toBe(EXIT.ok);
    expect(essential(host.system)).toEqual(essential(start));
  });

  it('tmp file + /dev/loop5: file, loop5, PV in the VG, snapshot, mount; unmount removes all of it', async () => {
    const start = system('lvm_server_vg', { vgFreeBytes: 0, tmpDir: '/media/other_partition' });
    const host = new SimHost(start);
    const up = await cli(block(/"Creating snapshot", tmp file/)[0]!, host);
    expect(up.code, up.err).toBe(EXIT.ok);
    const s = host.system;
    const file = s.paths['/media/other_partition/tmp_space.tmp'];
    expect(file).toBeDefined();
    expect(s.loops['/dev/loop5']?.ino).toBe(file);
    expect(Object.values(s.pvs).find((p) => p.vg === 'lvm_server_vg' && p.lastDevice === '/dev/loop5')?.tags).toContain('lvmsnap');
    expect(snap(s, 'lvm_server_vg')).toBeDefined();
    expect(mountAt(s, '/media/system_snapshot')).toBeDefined();
    const down = await cli(block(/"Removing snapshot", tmp file/)[0]!, host);
    expect(down.code, down.err).toBe(EXIT.ok);
    expect(essential(host.system)).toEqual(essential(start));
  });

  it('the backup-script template (variables expanded, --remove-mountpoint twice) mounts and unmounts', async () => {
    const start = system('lvm_server_vg', { vgFreeBytes: 5 * GiB });
    const host = new SimHost(start);
    const [mount, unmount] = block(/Template/);
    const up = await cli(mount!, host);
    expect(up.code, up.err).toBe(EXIT.ok);
    expect(mountAt(host.system, '/media/system_snapshot_mountpoint')).toBeDefined();
    const down = await cli(unmount!, host);
    expect(down.code, down.err).toBe(EXIT.ok);
    expect(essential(host.system)).toEqual(essential(start));
  });

  it('backup-lvm-fsa-snapshot README: mount && sleep && unmount on dmi-desktop with /media/raw/1.tmp', async () => {
    const start = system('dmi-desktop', { vgFreeBytes: 0, tmpDir: '/media/raw' });
    const host = new SimHost(start);
    const [mount, unmount] = block(/000 "Example/);
    const up = await cli(mount!, host);
    expect(up.code, up.err).toBe(EXIT.ok);
    expect(host.system.loops['/dev/loop5']?.ino).toBe(host.system.paths['/media/raw/1.tmp']);
    expect(mountAt(host.system, '/media/system_snapshot')).toBeDefined();
    const down = await cli(unmount!, host);
    expect(down.code, down.err).toBe(EXIT.ok);
    expect(essential(host.system)).toEqual(essential(start));
  });

  it('where the original would lvremove --force a foreign LV named snap1, snapshot-unmount refuses (exit 3) and names it', async () => {
    const host = new SimHost(system('lvm_server_vg', { vgFreeBytes: 5 * GiB }));
    // Someone else's snapshot with the configured name: lvm_snaphot.py would remove it.
    const r0 = await host.run(['lvcreate', '--yes', '--snapshot', '--size', String(64 * 1024 * 1024) + 'b', '--name', 'snap1', 'lvm_server_vg/system'], { mutating: true });
    expect(r0.exitCode, r0.stderr).toBe(0);
    const before = host.system;
    const r = await cli(block(/"Removing snapshot", free space/)[0]!, host);
    expect(r.code).toBe(EXIT.refused);
    expect(r.out).toMatch(/refuse\s+Snapshot\s+lvm_server_vg\/snap1/);
    expect(r.out).toMatch(/not created by lvmsnap.*remove it yourself/s);
    expect(essential(host.system)).toEqual(essential(before));
  });
});

describe('what the original removed whatever it was, lvmsnap removes only when it created it', () => {
  it('a file lvmsnap did not create at the tmp-file path: snapshot-unmount refuses (exit 3), names it, changes nothing', async () => {
    const host = new SimHost(addFile(system('lvm_server_vg', { vgFreeBytes: 0, tmpDir: '/media/other_partition' }), '/media/other_partition/tmp_space.tmp', GiB));
    const before = host.system;
    const r = await cli(block(/"Removing snapshot", tmp file/)[0]!, host);
    expect(r.code).toBe(EXIT.refused);
    expect(r.out).toMatch(/refuse\s+TmpFile\s+\/media\/other_partition\/tmp_space.tmp/);
    expect(essential(host.system)).toEqual(essential(before));
    expect(host.commands.filter((c) => c.mutating)).toEqual([]);
  });

  it('something else mounted at the mountpoint is left alone, as the original did: exit 0, still mounted', async () => {
    const tmpfs = { id: 'other', source: 'tmpfs', fstype: 'tmpfs', majMin: '0:40', sizeBytes: 1 << 20, baseUsed: 0, volatile: true, fallocate: true, rootIno: 1 };
    const host = new SimHost(addFilesystem(addDirs(system('lvm_server_vg', { vgFreeBytes: 5 * GiB }), ['/media/system_snapshot']), tmpfs, '/media/system_snapshot'));
    const r = await cli(block(/"Removing snapshot", free space/)[0]!, host);
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(r.out).toMatch(/left alone: tmpfs is mounted at \/media\/system_snapshot/);
    expect(mountAt(host.system, '/media/system_snapshot')?.fs).toBe('other');
  });

  it('a mountpoint directory the user made stays without --remove-mountpoint; unmount twice is exit 0', async () => {
    const host = new SimHost(addDirs(system('lvm_server_vg', { vgFreeBytes: 5 * GiB }), ['/media/system_snapshot']));
    const mount = block(/"Creating snapshot", free space/)[0]!;
    expect((await cli(mount, host)).code).toBe(EXIT.ok);
    const unmount = mount.map((w) => (w === 'snapshot-mount' ? 'snapshot-unmount' : w));
    for (let i = 0; i < 2; i++) {
      const r = await cli(unmount, host);
      expect(r.code, r.err).toBe(EXIT.ok);
    }
    expect(host.system.paths['/media/system_snapshot']).toBeDefined();
    expect(snap(host.system, 'lvm_server_vg')).toBeUndefined();
  });
});

describe('bad input is refused before anything is looked at (exit 3)', () => {
  it.each([
    ['a missing required flag', ['snapshot-mount', '--source-lvm-vg', 'vg0'], /Missing required argument: --source-lvm-lv/],
    ['tmp file without loop device', ['--source-lvm-vg', 'vg0', '--source-lvm-lv', 'system', '--lvm-snapshot-name', 'snap1', '--mountpoint', '/media/s', '--lvm-snapshot-tmp-file', '/media/raw/1.tmp', 'snapshot-mount'], /used together/],
    ['an lvmsnap flag the original did not have', ['snapshot-unmount', '--vg', 'vg0'], /unknown flag --vg for lvmsnap snapshot-unmount/],
  ])('%s', async (_n, argv, re) => {
    const host = new SimHost(system('vg0', { vgFreeBytes: 5 * GiB }));
    const before = host.system;
    const r = await cli(argv, host);
    expect(r.code).toBe(EXIT.refused);
    expect(r.err).toMatch(re);
    expect(host.calls).toEqual([]);
    expect(host.system).toBe(before);
  });
});

describe('manage_backups.py README command line, unchanged', () => {
  it('generate-name prints /media/backups/system_dump__YYYYmmdd_HHMMSS.tar.gz and creates the directory', async () => {
    const host = new SimHost(system('vg0', { vgFreeBytes: GiB }));
    expect(host.system.paths['/media/backups']).toBeUndefined();
    const r = await cli(block(/manage_backups.py "Typical usage"/)[0]!, host);
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(r.out).toMatch(/^\/media\/backups\/system_dump__\d{8}_\d{6}\.tar\.gz\n$/);
    expect(host.system.inodes[host.system.paths['/media/backups']!]?.type).toBe('directory');
    expect(r.err).toBe('');
  });
});
