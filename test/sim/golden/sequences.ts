// Simulator-level golden sequences: hand-written stories (missing PVs, orphan PVs, snapshots, loops,
// mounts, xfs/ext4, refusals) and seeded random walks over a pool of commands and drift, each mutation
// followed by the read-only tools lvmsnap observes with. Literal argv only: nothing here depends on
// src/commands.ts at replay time (the steps are stored in golden.json).
import type { SimpleSystemOptions } from '../../../src/sim/build.js';
import type { Sequence, Step } from './replay.js';

const MIB = 1024 * 1024;
const TMP = '/var/space/extra.tmp';
const SNAP = 'root_snap';

const x = (...argv: string[]): Step => ({ op: 'exec', argv });
const fallocate = (path: string, bytes: number): Step => x('fallocate', '--length', String(bytes), '--', path);
const dd = (path: string, bytes: number): Step =>
  x('dd', 'if=/dev/zero', `of=${path}`, `bs=${MIB}`, `count=${Math.ceil(bytes / MIB)}`, 'conv=fsync,excl', 'status=progress');
const attach = (dev: string, file: string): Step => x('losetup', dev, '--', file);
const detach = (dev: string): Step => x('losetup', '--detach', dev);
const vgextend = (dev: string): Step => x('vgextend', '--yes', 'vg0', dev);
const pvTag = (dev: string): Step => x('pvchange', '--addtag', 'lvmsnap', '--addtag', `lvmsnap_for_${SNAP}`, dev);
const vgreduce = (dev: string): Step => x('vgreduce', '--yes', 'vg0', dev);
const removeMissing = x('vgreduce', '--yes', '--removemissing', 'vg0');
const snapshot = (name: string, bytes: number, ...pv: string[]): Step =>
  x('lvcreate', '--yes', '--snapshot', '--size', `${bytes}b`, '--name', name, '--addtag', 'lvmsnap', 'vg0/root', ...pv);
const lvremove = (name: string): Step => x('lvremove', '--yes', `vg0/${name}`);
const mount = (fstype: string, opts: string, src: string, target: string): Step => x('mount', '-t', fstype, '-o', opts, '--', src, target);
const umount = (target: string): Step => x('umount', '--', target);
const pvcreate = (dev: string, uuid: string): Step => x('pvcreate', '--yes', '--uuid', uuid, '--norestorefile', dev);
const sigs = (dev: string): Step => x('blkid', '--probe', '--output', 'value', '--match-tag', 'TYPE', '--match-tag', 'PTTYPE', '--', dev);
const activate = (lv: string): Step => x('lvchange', '--activate', 'y', `vg0/${lv}`);

const reads = (): Step[] => [{ op: 'reads' }];
const withReads = (steps: Step[]): Step[] => [...reads(), ...steps.flatMap((s) => [s, ...reads()])];

const forward = (fstype = 'ext4', opts = 'ro,noload'): Step[] => [
  fallocate(TMP, 68 * MIB), attach('/dev/loop0', TMP), vgextend('/dev/loop0'), pvTag('/dev/loop0'),
  snapshot(SNAP, 60 * MIB, '/dev/loop0'), x('mkdir', '--', '/media/snap'), mount(fstype, opts, `/dev/vg0/${SNAP}`, '/media/snap'),
];
const reverse = (): Step[] => [
  umount('/media/snap'), x('rmdir', '--', '/media/snap'), lvremove(SNAP), vgreduce('/dev/loop0'), detach('/dev/loop0'), x('rm', '--', TMP),
];
const simple = (opts: SimpleSystemOptions = {}): Step => ({ op: 'simple', opts });

/** Two disks in vg0, three LVs (one inactive, one tagged), files and an xfs LV mounted at /srv. */
const handBuilt: Step[] = [
  { op: 'empty', opts: { uid: 1000, loops: 4, loopDetach: 'busy', losetupEmptyList: 'empty-array' } },
  { op: 'addDisk', name: '/dev/vda', major: 254, minor: 0, size: 256 * MIB, fstype: null },
  { op: 'addDisk', name: '/dev/vdb', major: 254, minor: 16, size: 130 * MIB, fstype: null },
  { op: 'addDisk', name: '/dev/vdc', major: 254, minor: 32, size: 64 * MIB, fstype: 'ext4' },
  { op: 'addVg', name: 'vg0', devices: ['/dev/vda', '/dev/vdb'], extentSize: 4 * MIB },
  { op: 'addLv', vg: 'vg0', name: 'root', bytes: 240 * MIB, opts: { mountpoint: '/mnt/root', usedBytes: 10 * MIB } },
  { op: 'addLv', vg: 'vg0', name: 'data', bytes: 50 * MIB, opts: { fstype: 'xfs', tags: ['keep', 'x'], mountpoint: '/srv' } },
  { op: 'addLv', vg: 'vg0', name: 'cold', bytes: 8 * MIB, opts: { active: false, fsUuid: '11111111-2222-4333-a444-555555555555' } },
  { op: 'addDirs', paths: ['/var/space', '/media', '/srv/a/b'] },
  { op: 'addFile', path: '/srv/a/f.img', bytes: 30 * MIB },
  { op: 'addFile', path: '/var/space/big.img', bytes: 40 * MIB },
  { op: 'addFilesystem', fs: { id: 'usb', source: '/dev/sdc1', fstype: 'vfat', majMin: '8:33', sizeBytes: 64 * MIB, baseUsed: 0, volatile: false, fallocate: false, rootIno: 1 }, target: '/media/usb', options: 'rw,relatime', fstab: false },
];

export const STORIES: Sequence[] = [
  { name: 'ext4 forward and reverse', steps: [simple(), ...withReads([...forward(), ...reverse()])] },
  { name: 'xfs forward (nouuid,norecovery) and reverse', steps: [simple({ fstype: 'xfs' }), ...withReads([...forward('xfs', 'ro,nouuid,norecovery'), ...reverse()])] },
  { name: 'xfs mounts: duplicate uuid, no-recovery rw, replay', steps: [simple({ fstype: 'xfs' }), ...withReads([
    ...forward('xfs', 'ro').slice(0, 6), mount('xfs', 'ro', `/dev/vg0/${SNAP}`, '/media/snap'), mount('xfs', 'norecovery', `/dev/vg0/${SNAP}`, '/media/snap'),
    mount('xfs', 'ro,nouuid,bogus', `/dev/vg0/${SNAP}`, '/media/snap'), mount('xfs', 'nouuid', `/dev/vg0/${SNAP}`, '/media/snap'),
    mount('ext4', 'ro', `/dev/vg0/${SNAP}`, '/media/snap'), umount(`/dev/vg0/${SNAP}`), umount('/media/snap'),
  ])] },
  { name: 'ext4 on ext4 tmp dir, dd, reboot, re-attach', steps: [simple({ tmpDirFs: 'ext4' }), ...withReads([
    dd(TMP, 68 * MIB), ...forward('ext4', 'ro').slice(1), { op: 'drift', fn: 'reboot' }, attach('/dev/loop3', TMP), activate('root'),
    activate(SNAP), x('mkdir', '--', '/media/snap'), mount('ext4', 'ro,noload', `/dev/mapper/vg0-${SNAP}`, '/media/snap'), dd(TMP, MIB),
  ])] },
  { name: 'reboot on tmpfs: missing PV, partial LVs, recovery', steps: [simple(), ...withReads([
    ...forward(), { op: 'drift', fn: 'reboot' }, activate('root'), vgextend('/dev/loop1'), removeMissing, lvremove(SNAP), removeMissing,
    activate('root'), removeMissing, mount('ext4', 'rw', '/dev/vg0/root', '/mnt/root'),
  ])] },
  { name: 'forced detach: missing PV, removemissing --force takes the origin', steps: [simple({ originMounted: false }), ...withReads([
    ...forward(), { op: 'drift', fn: 'detachLoop', path: '/dev/loop0', force: true }, lvremove('root'), snapshot('s2', 8 * MIB),
    x('vgreduce', '--yes', '--removemissing', '--force', 'vg0'), x('rmdir', '--', '/media/snap'),
  ])] },
  { name: 'orphan PVs: pvcreate, vgreduce, stale labels, busy detach', steps: [simple({ loopDetach: 'busy', losetupEmptyList: 'empty-array' }), ...withReads([
    fallocate(TMP, 20 * MIB), fallocate('/var/space/b.img', 8 * MIB), fallocate('/var/space/c.img', 12 * MIB),
    attach('/dev/loop2', TMP), attach('/dev/loop1', '/var/space/b.img'), attach('/dev/loop0', '/var/space/c.img'),
    pvcreate('/dev/loop2', 'AAAAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGGGG'), pvcreate('/dev/loop1', 'ZZZZZZ-BBBB-CCCC-DDDD-EEEE-FFFF-GGGGGG'),
    pvcreate('/dev/loop0', 'AAAAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGGGG'), vgextend('/dev/loop0'), pvTag('/dev/loop1'), pvTag('/dev/loop0'),
    snapshot(SNAP, 8 * MIB, '/dev/loop0'), detach('/dev/loop0'), vgreduce('/dev/loop0'), lvremove(SNAP), vgreduce('/dev/loop0'),
    vgextend('/dev/loop2'), detach('/dev/loop0'), detach('/dev/loop1'), x('rm', '--', '/var/space/b.img'), { op: 'drift', fn: 'deleteFile', path: TMP },
  ])] },
  { name: 'snapshots: cow cap, rounding, fill, invalidate, lazy detach', steps: [simple({ originBytes: 40 * MIB }), ...withReads([
    snapshot('big', 500 * MIB), snapshot('odd', 5 * MIB + 17), snapshot('big', MIB), snapshot('bad-name_mimage', MIB), snapshot('z', 0),
    { op: 'drift', fn: 'fillCow', vg: 'vg0', lv: 'odd', percent: 42 }, { op: 'drift', fn: 'fillCow', vg: 'vg0', lv: 'big', percent: 100 },
    x('mkdir', '--', '/media/snap'), mount('ext4', 'ro', '/dev/vg0/big', '/media/snap'), mount('ext4', 'ro', '/dev/vg0/odd', '/media/snap'),
    { op: 'drift', fn: 'invalidateSnapshot', vg: 'vg0', lv: 'odd' }, x('lvremove', 'vg0/root'), lvremove('odd'), umount('/media/snap'),
    lvremove('odd'), lvremove('root'), ...forward().slice(0, 5), detach('/dev/loop0'), lvremove(SNAP), vgreduce('/dev/loop0'),
  ])] },
  { name: 'hand-built two-disk VG, busy loop detach, ENOSPC', steps: [...handBuilt, ...withReads([
    fallocate('/var/space/x', 900 * MIB), fallocate('/media/usb/f', MIB), dd('/srv/a/dd.img', 200 * MIB), dd('/srv/a/f.img', MIB),
    attach('/dev/loop3', '/srv/a/f.img'), vgextend('/dev/loop3'), vgextend('/dev/vdc'), snapshot('s', 4 * MIB, '/dev/loop3'),
    detach('/dev/loop3'), umount('/srv'), x('rmdir', '--', '/srv/a'), x('rm', '--', '/srv/a/b'), activate('cold'),
    mount('ext4', 'ro', '/dev/vg0/cold', '/media/usb'), umount('/media/usb'), x('rmdir', '--', '/media/usb'), { op: 'addDirs', paths: ['/opt/a'] },
    x('losetup', '--find'), x('losetup', '-f'), x('losetup', '-d', '/dev/loop2'), x('losetup', '/dev/loop9', '--', '/srv/a/f.img'),
    x('nonsense'), x('lvm', 'lvs'), x('lvm', 'lvcreate', '--yes', '-s', '-L', '8388608b', '-n', 't', 'vg0/root'), x('/usr/sbin/lvremove', '-y', 'vg0/t'),
  ])] },
  { name: 'spare disk (--cow-device): blkid signatures, pvcreate, vgextend, tag, snapshot on it, vgreduce, pvremove, refusals', steps: [
    simple({ vgFreeBytes: 0 }),
    { op: 'addDisk', name: '/dev/vdb', major: 254, minor: 16, size: 130 * MIB, fstype: null },
    { op: 'addDisk', name: '/dev/vdc', major: 254, minor: 32, size: 64 * MIB, fstype: 'linux_raid_member' },
    ...withReads([
      sigs('/dev/vdb'), sigs('/dev/vdc'), sigs('/dev/nope'), x('pvremove', '--yes', '/dev/vdb'),
      pvcreate('/dev/vdb', 'Cowdev-aaaa-bbbb-cccc-dddd-eeee-ffffff'), sigs('/dev/vdb'), x('pvremove', '--yes', '/dev/vdb'), sigs('/dev/vdb'),
      pvcreate('/dev/vdb', 'Cowdev-aaaa-bbbb-cccc-dddd-eeee-ffffff'), vgextend('/dev/vdb'), x('pvremove', '--yes', '/dev/vdb'), pvTag('/dev/vdb'),
      snapshot(SNAP, 60 * MIB, '/dev/vdb'), vgreduce('/dev/vdb'), lvremove(SNAP), vgreduce('/dev/vdb'), sigs('/dev/vdb'),
      x('pvremove', '--yes', '/dev/vdb'), sigs('/dev/vdb'), x('pvremove', '--yes', '/dev/vdb'), x('pvremove', '/dev/vdb', '/dev/vdc'),
    ]),
  ] },
  { name: 'grow a snapshot: lvextend from VG free space, tmp file + losetup --set-capacity + pvresize, dd append, refusals', steps: [simple(), ...withReads([
    ...forward(), { op: 'drift', fn: 'fillCow', vg: 'vg0', lv: SNAP, percent: 85 },
    x('lvextend', '--yes', '--size', `${64 * MIB}b`, `vg0/${SNAP}`, '/dev/loop0'),
    fallocate(TMP, 100 * MIB), x('lvextend', '--yes', '--size', `${72 * MIB}b`, `vg0/${SNAP}`, '/dev/loop0'),
    x('losetup', '--set-capacity', '/dev/loop0'), x('pvresize', '--yes', '/dev/loop0'), x('pvresize', '--yes', '/dev/loop0'),
    x('lvextend', '--yes', '--size', `${90 * MIB}b`, `vg0/${SNAP}`, '/dev/loop0'), x('lvextend', '--yes', '--size', `${92 * MIB}b`, `vg0/${SNAP}`, '/dev/loop0'),
    x('lvextend', '--yes', '--size', `${60 * MIB}b`, `vg0/${SNAP}`), x('lvextend', '--yes', '--size', `${900 * MIB}b`, `vg0/${SNAP}`),
    x('lvextend', '--yes', '--size', `${200 * MIB}b`, 'vg0/root'), x('losetup', '--set-capacity', '/dev/loop5'), x('pvresize', '--yes', '/dev/loop5'),
    x('dd', 'if=/dev/zero', `of=${TMP}`, `bs=${MIB}`, 'seek=100', 'count=8', 'conv=fsync,notrunc', 'status=progress'), x('losetup', '-c', '/dev/loop0'),
    snapshot('other', 8 * MIB), x('lvextend', '--yes', '--size', `${16 * MIB}b`, 'vg0/other'), { op: 'drift', fn: 'invalidateSnapshot', vg: 'vg0', lv: 'other' },
    x('lvextend', '--yes', '--size', `${32 * MIB}b`, 'vg0/other'), lvremove('other'), ...reverse(),
  ])] },
  { name: 'backup files: sync --data, sha256sum, mv -T commit, find listing, tool probes', steps: [simple(), { op: 'addDirs', paths: ['/srv/bk'] }, ...withReads([
    fallocate('/srv/bk/a__20261201_010203.tar.zst.partial', MIB), x('sync', '--data', '--', '/srv/bk/a__20261201_010203.tar.zst.partial'),
    x('sha256sum', '-b', '--', '/srv/bk/a__20261201_010203.tar.zst.partial'),
    x('mv', '-T', '--', '/srv/bk/a__20261201_010203.tar.zst.partial', '/srv/bk/a__20261201_010203.tar.zst'),
    x('sync', '--data', '--', '/srv/bk/a__20261201_010203.tar.zst.partial'), x('sync', '--data', '--', '/dev/vg0/root'), x('sync', '/srv/bk'),
    x('find', '/srv/bk', '-mindepth', '1', '-maxdepth', '1', '-printf', '%f\\t%y\\t%s\\n'),
    x('mv', '-T', '--', '/srv/bk/missing', '/srv/bk/b'), fallocate('/srv/bk/b.partial', MIB), x('rm', '--force', '--', '/srv/bk/b.partial'),
    x('rm', '--force', '--', '/srv/bk/b.partial'), x('rm', '--force', '--', '/srv/bk'), x('tar', '--version'), x('zstd', '--version'), x('pigz', '--version'),
  ])] },
  { name: 'backup --format lv: linear lvcreate of a backup LV, sha256sum and sync --data of LV devices', steps: [simple(),
    { op: 'addDisk', name: '/dev/vdb', major: 254, minor: 16, size: 204 * MIB, fstype: null }, { op: 'addVg', name: 'vgb', devices: ['/dev/vdb'], extentSize: 4 * MIB },
    ...withReads([
      x('lvcreate', '--yes', '--size', `${100 * MIB}b`, '--name', 'root-copy', '--addtag', 'lvmsnap_backup', '--addtag', 'lvmsnap_backup_of_vg0_root', 'vgb'),
      x('lvcreate', '--yes', '--size', `${100 * MIB}b`, '--name', 'root-copy', '--addtag', 'lvmsnap_backup', 'vgb'),
      x('lvcreate', '--yes', '--size', `${150 * MIB}b`, '--name', 'big', '--addtag', 'lvmsnap_backup', 'vgb'),
      x('lvcreate', '--yes', '--size', `${1 * MIB}b`, '--name', 'small', 'vgb'), x('lvcreate', '--yes', '--size', '0b', '--name', 'zero', 'vgb'),
      x('lvcreate', '--yes', '--size', `${4 * MIB}b`, '--name', 'x', 'nope'), x('lvcreate', '--yes', '--size', `${4 * MIB}b`, '--name', 'snapshot1', 'vgb'),
      x('sha256sum', '-b', '--', '/dev/vg0/root'), x('sha256sum', '-b', '--', '/dev/vgb/root-copy'), x('sync', '--data', '--', '/dev/vgb/root-copy'),
      x('lvremove', '--yes', 'vgb/small'), x('sha256sum', '-b', '--', '/dev/vgb/small'),
    ])] },
  { name: 'systemd: guard show/start, not installed, reboot', steps: [simple(), ...withReads([
    x('systemctl', 'show', '--property=Id,LoadState,ActiveState', '--', 'lvmsnap-guard@var-space.service'),
    x('stat', '--printf', '%n\t%F\t%d\t%i\t%s\t%m\n', '--', '/run/systemd/system'),
    { op: 'systemd', unitFiles: ['lvmsnap-guard@.service'] },
    x('stat', '--printf', '%n\t%F\t%d\t%i\t%s\t%m\n', '--', '/run/systemd/system'),
    x('systemctl', 'show', '--property=Id,LoadState,ActiveState', '--', 'lvmsnap-guard@var-space.service', 'lvmsnap-guard@srv-my\\x2dtmp.service', 'other.service'),
    x('systemctl', 'start', '--', 'lvmsnap-guard@var-space.service'), x('systemctl', 'start', '--', 'lvmsnap-guard@var-space.service'),
    x('systemctl', 'start', '--', 'other.service'), x('systemctl', 'stop', '--', 'lvmsnap-guard@var-space.service'), x('systemctl', 'show', '--', 'a.service'),
    x('systemctl', 'show', '--property=Id,LoadState,ActiveState', '--', 'lvmsnap-guard@var-space.service'),
    ...forward(), { op: 'drift', fn: 'reboot' },
    x('systemctl', 'show', '--property=Id,LoadState,ActiveState', '--', 'lvmsnap-guard@var-space.service'),
    x('stat', '--printf', '%n\t%F\t%d\t%i\t%s\t%m\n', '--', '/run/systemd/system'),
  ])] },
  { name: 'thin pools: thin snapshots, activation skip, pool full, classic snapshot of a thin origin, reboot', steps: [
    simple({ fstype: 'xfs' }), { op: 'addThinPool', vg: 'vg0', name: 'pool', bytes: 160 * MIB },
    { op: 'addThinLv', vg: 'vg0', name: 'data', pool: 'pool', bytes: 256 * MIB, opts: { fstype: 'xfs', mountpoint: '/mnt/data' } },
    ...withReads([
      x('lvcreate', '--yes', '--snapshot', '--setactivationskip', 'n', '--name', 'data-lvmsnap', '--addtag', 'lvmsnap', 'vg0/data'),
      x('lvcreate', '--yes', '--snapshot', '--name', 'data-mine', 'vg0/data'), x('lvcreate', '--yes', '--snapshot', '--name', 'data-mine', 'vg0/data'),
      x('lvcreate', '--yes', '--snapshot', '--setactivationskip', 'maybe', '--name', 'y', 'vg0/data'),
      x('lvcreate', '--yes', '--snapshot', '--setactivationskip', 'n', '--name', 'r', 'vg0/root'),
      x('mkdir', '--', '/media/snap'), mount('xfs', 'ro,nouuid,norecovery', '/dev/vg0/data-lvmsnap', '/media/snap'),
      mount('xfs', 'ro,nouuid', '/dev/vg0/data-mine', '/media/usb'),
      { op: 'drift', fn: 'fillPool', vg: 'vg0', lv: 'pool', percent: 100 },
      x('lvcreate', '--yes', '--snapshot', '--setactivationskip', 'n', '--name', 'full', 'vg0/data'),
      x('lvcreate', '--yes', '--snapshot', '--size', `${32 * MIB}b`, '--name', 'cow', '--addtag', 'lvmsnap', 'vg0/data'),
      { op: 'drift', fn: 'fillPool', vg: 'vg0', lv: 'pool', percent: 40, metadataPercent: 20 },
      x('lvcreate', '--yes', '--type', 'thin-pool', '--size', `${16 * MIB}b`, '--name', 'p2', 'vg0'),
      x('lvcreate', '--yes', '--virtualsize', `${64 * MIB}b`, '--thinpool', 'p2', '--name', 't2', 'vg0'),
      x('lvcreate', '--yes', '--virtualsize', `${64 * MIB}b`, '--thinpool', 'nopool', '--name', 't3', 'vg0'),
      { op: 'drift', fn: 'reboot' }, x('lvremove', 'vg0/p2'), x('lvremove', '--yes', 'vg0/p2'),
      umount('/media/snap'), lvremove('data-lvmsnap'), lvremove('cow'), lvremove('data-mine'),
    ]),
  ] },
];

// ---- random walks --------------------------------------------------------------------------------

const POOL: Step[] = [
  ...forward(), ...reverse(), ...forward('xfs', 'ro,nouuid,norecovery').slice(-1),
  attach('/dev/loop1', TMP), detach('/dev/loop1'), vgextend('/dev/loop1'), snapshot(SNAP, 500 * MIB), snapshot('other', 8 * MIB, '/dev/loop0'),
  lvremove('other'), lvremove('root'), removeMissing, vgreduce('/dev/loop1'), x('vgreduce', '--yes', '--removemissing', '--force', 'vg0'),
  mount('ext4', 'ro', '/dev/vg0/other', '/media/snap'), mount('xfs', 'ro', '/dev/vg0/other', '/media/snap'), umount('/mnt/root'), umount('/var/space'),
  dd(TMP, 300 * MIB), fallocate('/var/space/big', 150 * MIB), pvcreate('/dev/loop1', 'QQQQQQ-BBBB-CCCC-DDDD-EEEE-FFFF-GGGGGG'),
  activate('root'), activate(SNAP), x('rm', '--', '/var/space/big'), x('mkdir', '--', '/var/space/d'), x('rmdir', '--', '/var/space/d'),
  { op: 'drift', fn: 'reboot' }, { op: 'drift', fn: 'detachLoop', path: '/dev/loop0', force: true },
  { op: 'drift', fn: 'detachLoop', path: '/dev/loop0', force: false }, { op: 'drift', fn: 'unmount', path: '/media/snap' },
  { op: 'drift', fn: 'invalidateSnapshot', vg: 'vg0', lv: SNAP }, { op: 'drift', fn: 'deleteFile', path: TMP },
  { op: 'drift', fn: 'fillCow', vg: 'vg0', lv: 'other', percent: 30 },
];

const STARTS: SimpleSystemOptions[] = [
  {}, { fstype: 'xfs' }, { tmpDirFs: 'ext4' }, { tmpDirFs: 'xfs', fstype: 'xfs' }, { tmpDirFs: 'vfat' }, { tmpDirFs: 'rootfs' },
  { originMounted: false, loopDetach: 'busy' }, { vgFreeBytes: 0, losetupEmptyList: 'empty-array' },
  { extentSize: MIB, vgFreeBytes: 8 * MIB, originBytes: 200 * MIB, tmpDirBytes: 30 * MIB }, { uid: 1000, loops: 2, dirs: ['/media/snap'] },
];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` random walks of up to `len` pool steps, each from one of STARTS, with reads after each step. */
export function randomWalks(count: number, len: number, seed: number): Sequence[] {
  const rnd = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const start = STARTS[i % STARTS.length]!;
    const picks = Array.from({ length: 1 + Math.floor(rnd() * len) }, () => POOL[Math.floor(rnd() * POOL.length)]!);
    return { name: `random walk ${i} from ${JSON.stringify(start)}`, steps: [simple(start), ...withReads(picks)] };
  });
}
