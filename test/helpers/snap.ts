// Builders of observed systems (SystemSnapshot) for pure resource and planner tests.
import type { Journal, ObservedLv, ObservedPath, ObservedPv, Step, SystemSnapshot, Target } from '../../src/types.js';

export const MIB = 1024 * 1024;
export const EXTENT = 4 * MIB;

export const baseTarget: Target = {
  vg: 'vg0', lv: 'root', snapshot: 'root-lvmsnap', size: { kind: 'bytes', bytes: 60 * MIB },
  allocate: 'auto', removeMountpoint: false, stateDir: '/var/lib/lvmsnap',
};
export const tmpTarget: Target = { ...baseTarget, tmpFile: '/var/space/cow.img', mountpoint: '/mnt/snap' };

export const origin: ObservedLv = {
  uuid: 'lv-root', vg: 'vg0', name: 'root', path: '/dev/vg0/root', dmPath: '/dev/mapper/vg0-root', attr: 'owi-aos---',
  sizeBytes: 100 * MIB, origin: null, isSnapshot: false, snapshotInvalid: false, snapPercent: null, active: true,
  tags: [], devices: ['/dev/vda'], majMin: '253:0',
};

export const snapLv = (over: Partial<ObservedLv> = {}): ObservedLv => ({
  uuid: 'lv-snap', vg: 'vg0', name: 'root-lvmsnap', path: '/dev/vg0/root-lvmsnap', dmPath: '/dev/mapper/vg0-root--lvmsnap',
  attr: 'swi-a-s---', sizeBytes: 60 * MIB, origin: 'root', isSnapshot: true, snapshotInvalid: false, snapPercent: 0.1,
  active: true, tags: ['lvmsnap'], devices: ['/dev/loop0'], majMin: '253:3', ...over,
});

export const loopPv = (over: Partial<ObservedPv> = {}): ObservedPv => ({
  uuid: 'pv-loop', name: '/dev/loop0', vg: 'vg0', sizeBytes: 64 * MIB, freeBytes: 64 * MIB, peCount: 16, peAllocCount: 0,
  tags: ['lvmsnap', 'lvmsnap_for_root-lvmsnap'], missing: false, ...over,
});

const dir = (path: string, mountPoint = '/'): ObservedPath => ({ path, type: 'directory', dev: 2049, ino: path.length, size: 4096, mountPoint });
export const cowFile = (size = 69 * MIB): ObservedPath => ({ path: '/var/space/cow.img', type: 'file', dev: 41, ino: 77, size, mountPoint: '/var/space' });
export const ourJournal = (over: Partial<Journal> = {}): Journal => ({
  version: 1, vg: 'vg0', snapshot: 'root-lvmsnap', tmpFile: { path: '/var/space/cow.img', dev: 41, ino: 77 }, ...over,
});

/** vg0 with a 100 MiB ext4 origin mounted at /srv, on /dev/vda; `freeExtents` free. Nothing of lvmsnap's. */
export function baseSnap(freeExtents = 74): SystemSnapshot {
  return {
    uid: 0,
    vgs: [{ name: 'vg0', uuid: 'vg-uuid', sizeBytes: 99 * EXTENT, freeBytes: freeExtents * EXTENT, extentSize: EXTENT, extentCount: 99, freeExtents, partial: false, missingPvCount: 0 }],
    pvs: [{ uuid: 'pv-vda', name: '/dev/vda', vg: 'vg0', sizeBytes: 99 * EXTENT, freeBytes: freeExtents * EXTENT, peCount: 99, peAllocCount: 99 - freeExtents, tags: [], missing: false }],
    lvs: [origin],
    loops: [],
    mounts: [
      { target: '/', source: '/dev/sda1', fstype: 'ext4', options: ['rw'], majMin: '8:1' },
      { target: '/srv', source: '/dev/mapper/vg0-root', fstype: 'ext4', options: ['rw', 'relatime'], majMin: '253:0' },
      { target: '/var/space', source: 'tmpfs', fstype: 'tmpfs', options: ['rw'], majMin: '0:29' },
    ],
    paths: { '/var/space': dir('/var/space', '/var/space'), '/mnt': dir('/mnt') },
    tmpFs: { source: 'tmpfs', fstype: 'tmpfs', availBytes: 200 * MIB, target: '/var/space' },
    freeLoop: '/dev/loop0',
    originFstype: 'ext4',
    journal: null,
  };
}

/** Apply a list of edits to a snapshot (each returns a new snapshot). */
export const withEdits = (s: SystemSnapshot, ...edits: ((s: SystemSnapshot) => SystemSnapshot)[]): SystemSnapshot => edits.reduce((acc, e) => e(acc), s);

export const edits = {
  file: (size?: number) => (s: SystemSnapshot): SystemSnapshot => ({ ...s, paths: { ...s.paths, '/var/space/cow.img': cowFile(size) } }),
  journal: (j: Journal | null = ourJournal()) => (s: SystemSnapshot): SystemSnapshot => ({ ...s, journal: j }),
  loop: (backFile = '/var/space/cow.img', name = '/dev/loop0') => (s: SystemSnapshot): SystemSnapshot => ({
    ...s, loops: [...s.loops, { name, backFile, backFileDeleted: false }], freeLoop: name === '/dev/loop0' ? '/dev/loop1' : s.freeLoop,
  }),
  pv: (over: Partial<ObservedPv> = {}) => (s: SystemSnapshot): SystemSnapshot => ({ ...s, pvs: [...s.pvs, loopPv(over)] }),
  snapshot: (over: Partial<ObservedLv> = {}) => (s: SystemSnapshot): SystemSnapshot => ({ ...s, lvs: [...s.lvs, snapLv(over)] }),
  mountDir: () => (s: SystemSnapshot): SystemSnapshot => ({ ...s, paths: { ...s.paths, '/mnt/snap': dir('/mnt/snap') } }),
  mounted: (source = '/dev/mapper/vg0-root--lvmsnap', majMin = '253:3', options = ['ro', 'relatime', 'norecovery']) => (s: SystemSnapshot): SystemSnapshot => ({
    ...s, mounts: [...s.mounts, { target: '/mnt/snap', source, fstype: 'ext4', options, majMin }],
  }),
};

/** Everything present for tmpTarget: file, loop, tagged PV holding the snapshot, snapshot, mount. */
export const fullyPresent = (): SystemSnapshot =>
  withEdits(baseSnap(0), edits.file(), edits.journal(ourJournal({ createdMountpoint: '/mnt/snap' })), edits.loop(), edits.pv({ peAllocCount: 15, freeBytes: EXTENT }), edits.snapshot(), edits.mountDir(), edits.mounted());

/** The argv of each exec step (other step types are dropped). */
export const argvOf = (steps: readonly Step[]): string[][] => steps.flatMap((s) => (s.type === 'exec' ? [[...s.argv]] : []));
