// What real LVM and Linux refuse, the simulator refuses too: non-zero exit, realistic stderr, no change.
import { describe, expect, it } from 'vitest';
import * as C from '../../src/commands.js';
import { drift, exec, findLv, lookup, simpleSystem, type SimSystem } from '../../src/sim/model.js';
import { MIB, SNAP, TMP, forward, report, runFail, runOk } from './helpers.js';

const withSnapshot = (o: Parameters<typeof simpleSystem>[0] = {}): SimSystem =>
  runOk(simpleSystem(o), ...forward().slice(0, 5));
const mounted = (): SimSystem => runOk(simpleSystem(), ...forward());
/** Snapshot's COW PV gone after a reboot: VG partial, origin and snapshot inactive. */
const afterReboot = (): SimSystem => drift.reboot(withSnapshot());

function refuses(s: SimSystem, argv: string[], stderr: RegExp, code?: number): SimSystem {
  const { system, result } = runFail(s, argv, code);
  expect(result.stderr).toMatch(stderr);
  return system;
}
const unchanged = (s: SimSystem, argv: string[], stderr: RegExp, code?: number): void => {
  expect(refuses(s, argv, stderr, code)).toBe(s);
};

describe('LVM refusals', () => {
  it('vgreduce of a PV that holds extents', () => {
    unchanged(withSnapshot(), C.vgreduceArgv('vg0', '/dev/loop0'), /Physical volume "\/dev\/loop0" still in use/, 5);
  });

  it('vgreduce --removemissing when the missing PV holds an LV, without --force', () => {
    const s = afterReboot();
    const next = refuses(s, C.vgreduceMissingArgv('vg0'), /There are still partial LVs in VG vg0/, 5);
    expect(next.lvs).toEqual(s.lvs);
    expect(report(next).report[0].pv.map((p: any) => p.pv_name)).toContain('[unknown]');
  });

  it('vgreduce --removemissing --force deletes the partial LVs, the origin among them (the lvm2 hazard)', () => {
    const s = afterReboot();
    const { system, result } = exec(s, ['vgreduce', '--yes', '--removemissing', '--force', 'vg0']);
    expect(result.exitCode).toBe(0);
    expect(findLv(system, 'vg0', SNAP)).toBeUndefined();
    expect(findLv(system, 'vg0', 'root')).toBeUndefined();
  });

  it('lvcreate beyond the free extents of the VG and of the named PV', () => {
    const s = runOk(simpleSystem({ vgFreeBytes: 20 * MIB }), ...forward().slice(0, 4));
    unchanged(s, C.lvcreateSnapshotArgv('vg0', 'root', SNAP, 100 * MIB),
      /Volume group "vg0" has insufficient free space \(21 extents\): 25 required/, 5);
    unchanged(s, C.lvcreateSnapshotArgv('vg0', 'root', SNAP, 80 * MIB, '/dev/loop0'),
      /Insufficient free space: 20 extents needed, but only 16 available/, 5);
    unchanged(s, C.lvcreateSnapshotArgv('vg0', 'root', SNAP, 60 * MIB, '/dev/loop5'), /not found in Volume Group/, 5);
  });

  it('lvcreate of an existing LV name', () => {
    unchanged(withSnapshot(), C.lvcreateSnapshotArgv('vg0', 'root', SNAP, 8 * MIB), /Logical Volume "root_snap" already exists in volume group "vg0"/, 5);
  });

  it('lvcreate, vgextend and pvchange in a VG with a missing PV', () => {
    const s = afterReboot();
    runOk(s, C.fallocateArgv('/var/space/b', 20 * MIB), C.losetupAttachArgv('/dev/loop1', '/var/space/b'));
    unchanged(s, C.lvcreateSnapshotArgv('vg0', 'root', 'other', 8 * MIB), /Cannot change VG vg0 while PVs are missing/, 5);
    const t = runOk(s, C.fallocateArgv('/var/space/b', 20 * MIB), C.losetupAttachArgv('/dev/loop1', '/var/space/b'));
    unchanged(t, C.vgextendArgv('vg0', '/dev/loop1'), /Couldn't find device with uuid[\s\S]*Cannot change VG vg0 while PVs are missing/, 5);
  });

  it('lvremove of an open (mounted) LV', () => {
    unchanged(mounted(), C.lvremoveArgv('vg0', SNAP), /Logical volume vg0\/root_snap contains a filesystem in use/, 5);
    unchanged(mounted(), C.lvremoveArgv('vg0', 'root'), /contains a filesystem in use/, 5);
  });

  it('lvremove of an origin: refused without --yes; with --yes lvm2 removes its snapshots too', () => {
    const s = runOk(withSnapshot(), C.umountArgv('/mnt/root'));
    unchanged(s, ['lvremove', 'vg0/root'], /will also remove 1 snapshots/, 5);
    const { system, result } = exec(s, C.lvremoveArgv('vg0', 'root'));
    expect(result.stdout).toMatch(/"root_snap" successfully removed[\s\S]*"root" successfully removed/);
    expect(Object.keys(system.lvs)).toHaveLength(0);
  });

  it('pvchange and vgextend on a device that is not there', () => {
    unchanged(simpleSystem(), C.pvTagArgv('/dev/loop3', SNAP), /Failed to find physical volume "\/dev\/loop3"/, 5);
    unchanged(simpleSystem(), C.vgextendArgv('vg0', '/dev/loop3'), /Cannot use \/dev\/loop3: device not found/, 5);
    unchanged(simpleSystem(), C.vgextendArgv('vgX', '/dev/vda'), /Volume group "vgX" not found/, 5);
  });

  it('vgextend of a device that is already a PV', () => {
    unchanged(withSnapshot(), C.vgextendArgv('vg0', '/dev/loop0'), /already in volume group 'vg0'/, 5);
  });
});

describe('loop device refusals', () => {
  it('losetup -d of a device held by an active LV: lazy autoclear by default (like the kernel)', () => {
    const s = withSnapshot();
    const next = runOk(s, C.losetupDetachArgv('/dev/loop0'));
    expect(next.loops['/dev/loop0']).toMatchObject({ autoclear: true, file: TMP });
    expect(JSON.parse(exec(next, C.losetupListArgv()).result.stdout).loopdevices[0].autoclear).toBe(true);
    // The device goes when the snapshot goes: the PV is then missing from vg0.
    const gone = runOk(next, C.lvremoveArgv('vg0', SNAP));
    expect(gone.loops['/dev/loop0']!.ino).toBeNull();
    expect(report(gone).report[0].vg[0].vg_missing_pv_count).toBe('1');
  });

  it("losetup -d of a busy device fails with kernel.loopDetach 'busy'", () => {
    unchanged(withSnapshot({ loopDetach: 'busy' }), C.losetupDetachArgv('/dev/loop0'), /detach failed: Device or resource busy/, 1);
  });

  it('losetup attach of a busy device, of a missing file, detach of a free device', () => {
    const s = runOk(withSnapshot(), C.fallocateArgv('/var/space/b', MIB));
    unchanged(s, C.losetupAttachArgv('/dev/loop0', '/var/space/b'), /\/dev\/loop0: failed to set up loop device: Device or resource busy/, 1);
    unchanged(s, C.losetupAttachArgv('/dev/loop1', '/var/space/nope'), /No such file or directory/, 1);
    unchanged(s, C.losetupDetachArgv('/dev/loop1'), /detach failed: No such device or address/, 1);
  });

  it('rm of a file backing a loop device succeeds; the loop shows "(deleted)"', () => {
    const s = runOk(withSnapshot(), C.rmFileArgv(TMP));
    expect(lookup(s, TMP)).toBeUndefined();
    expect(JSON.parse(exec(s, C.losetupListArgv()).result.stdout).loopdevices[0]['back-file']).toBe(`${TMP} (deleted)`);
    expect(report(s).report[0].pv.some((p: any) => p.pv_name === '/dev/loop0')).toBe(true);
  });
});

describe('filesystem and mount refusals', () => {
  it('rmdir of a non-empty or a mounted directory', () => {
    const s = mounted();
    unchanged(s, C.rmdirArgv('/media'), /failed to remove '\/media': Directory not empty/, 1);
    unchanged(s, C.rmdirArgv('/media/snap'), /Device or resource busy/, 1);
    unchanged(s, C.rmdirArgv('/media/none'), /No such file or directory/, 1);
  });

  it('mount on a missing directory, and of an already mounted target or source', () => {
    const s = withSnapshot();
    unchanged(s, C.mountArgv('ext4', 'ro,noload', '/dev/vg0/root_snap', '/media/snap'), /mount: \/media\/snap: mount point does not exist/, 32);
    const m = mounted();
    const t = runOk(m, C.mkdirArgv('/media/other'));
    unchanged(t, C.mountArgv('ext4', 'ro,noload', '/dev/vg0/root_snap', '/media/other'), /already mounted or mount point busy/, 32);
    unchanged(m, C.mountArgv('ext4', 'ro', '/dev/vg0/root', '/media/snap'), /already mounted or mount point busy/, 32);
  });

  it('xfs: plain ro mount of a snapshot fails while the origin is mounted (duplicate UUID); nouuid works', () => {
    const s = runOk(withSnapshot({ fstype: 'xfs' }), C.mkdirArgv('/media/snap'));
    const { result } = runFail(s, C.mountArgv('xfs', 'ro', '/dev/vg0/root_snap', '/media/snap'), 32);
    expect(result.stderr).toMatch(/wrong fs type, bad option, bad superblock/);
    expect(result.notes?.join('\n')).toMatch(/duplicate UUID/);
    runOk(s, C.mountArgv('xfs', 'ro,nouuid,norecovery', '/dev/vg0/root_snap', '/media/snap'));
    // Not a duplicate once the origin is unmounted.
    runOk(runOk(s, C.umountArgv('/mnt/root')), C.mountArgv('xfs', 'ro', '/dev/vg0/root_snap', '/media/snap'));
    // Options the filesystem does not know fail like the kernel's parser.
    runFail(s, C.mountArgv('xfs', 'ro,nouuid,noload', '/dev/vg0/root_snap', '/media/snap'), 32);
    runFail(s, C.mountArgv('xfs', 'nouuid,norecovery', '/dev/vg0/root_snap', '/media/snap'), 32);
  });

  it('ext4: ro mount without noload is allowed but replays the journal into the COW (noted)', () => {
    const s = runOk(withSnapshot(), C.mkdirArgv('/media/snap'));
    const { system, result } = exec(s, C.mountArgv('ext4', 'ro', '/dev/vg0/root_snap', '/media/snap'));
    expect(result.exitCode).toBe(0);
    expect(result.notes?.join('\n')).toMatch(/recovery required on readonly filesystem/);
    expect(findLv(system, 'vg0', SNAP)!.cowPercent).toBeGreaterThan(0);
    runFail(s, C.mountArgv('ext4', 'ro,nouuid', '/dev/vg0/root_snap', '/media/snap'), 32);
    runFail(s, C.mountArgv('xfs', 'ro,nouuid', '/dev/vg0/root_snap', '/media/snap'), 32);
  });

  it('mount of an invalid snapshot fails', () => {
    const s = runOk(drift.invalidateSnapshot(withSnapshot(), 'vg0', SNAP), C.mkdirArgv('/media/snap'));
    unchanged(s, C.mountArgv('ext4', 'ro,noload', '/dev/vg0/root_snap', '/media/snap'), /can't read superblock/, 32);
  });

  it('umount of a path that is not mounted, or that is busy', () => {
    unchanged(mounted(), C.umountArgv('/media'), /umount: \/media: not mounted/, 32);
    unchanged(mounted(), C.umountArgv('/nowhere'), /no mount point specified/, 32);
    unchanged(mounted(), C.umountArgv('/var/space'), /target is busy/, 32); // the loop's back-file is there
  });

  it('fallocate on a filesystem without support: empty file left, "Operation not supported"', () => {
    const s = simpleSystem({ tmpDirFs: 'vfat' });
    const { system, result } = runFail(s, C.fallocateArgv(TMP, 8 * MIB), 1);
    expect(result.stderr).toBe('fallocate: fallocate failed: Operation not supported\n');
    expect(lookup(system, TMP)).toMatchObject({ type: 'file', size: 0 });
    runOk(system, C.rmFileArgv(TMP), C.zeroFillArgv(TMP, 8 * MIB));
  });

  it('fallocate and dd beyond the free space fail with ENOSPC', () => {
    const s = simpleSystem({ tmpDirBytes: 32 * MIB, tmpDirFs: 'ext4' });
    const f = runFail(s, C.fallocateArgv(TMP, 64 * MIB), 1);
    expect(f.result.stderr).toMatch(/No space left on device/);
    expect(lookup(f.system, TMP)!.size).toBe(32 * MIB); // ext4 keeps what it allocated
    const d = runFail(s, C.zeroFillArgv(TMP, 64 * MIB), 1);
    expect(d.result.stderr).toMatch(/dd: error writing '\/var\/space\/extra.tmp': No space left on device/);
    expect(lookup(d.system, TMP)!.size).toBe(32 * MIB);
    const t = runFail(simpleSystem({ tmpDirBytes: 32 * MIB }), C.fallocateArgv(TMP, 64 * MIB), 1);
    expect(lookup(t.system, TMP)!.size).toBe(0); // tmpfs undoes a failed fallocate
  });

  it('dd conv=excl fails when the file exists', () => {
    const s = runOk(simpleSystem(), C.fallocateArgv(TMP, MIB));
    unchanged(s, C.zeroFillArgv(TMP, MIB), /dd: failed to open '\/var\/space\/extra.tmp': File exists/, 1);
  });

  it('commands and argv shapes the simulator does not know exit 127', () => {
    unchanged(simpleSystem(), ['pvcreate', '/dev/loop0'], /command not found in simulator/, 127);
    unchanged(simpleSystem(), ['lvm', 'fullreport'], /command not found in simulator/, 127);
    unchanged(simpleSystem(), ['losetup', '-a'], /command not found in simulator/, 127);
  });
});
