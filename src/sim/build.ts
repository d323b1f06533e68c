// Builders for simulated systems: small composable steps and simpleSystem(), the typical host lvmsnap
// runs on (one VG on /dev/vda with an origin LV, a tmpfs for the tmp file, free loop devices).
import { freeLoops } from './cmd-loop.js';
import { allocate } from './cmd-lv.js';
import { edit, setFields } from './edit.js';
import { lookup, mountAt } from './fsview.js';
import { built } from './memo.js';
import { addInode } from './ops.js';
import {
  GiB, MiB, PE_START, lowestFreeMinor, lvFsId, lvTime, lvmUuid, normPath, parentOf,
  type SimDisk, type SimFs, type SimInode, type SimLv, type SimPv, type SimSystem,
} from './state.js';

export interface EmptySystemOptions {
  uid?: number; loops?: number; loopDetach?: 'lazy' | 'busy'; losetupEmptyList?: 'nothing' | 'empty-array';
}

/** Root ext4 on /dev/sda1 and devtmpfs on /dev; no LVM, 8 free loop devices. */
export function emptySystem(o: EmptySystemOptions = {}): SimSystem { return built('empty', o, () => makeEmptySystem(o)); }
function makeEmptySystem(o: EmptySystemOptions): SimSystem {
  const root: SimFs = {
    id: 'root', source: '/dev/sda1', fstype: 'ext4', majMin: '8:1', sizeBytes: 20 * GiB, baseUsed: 6 * GiB,
    volatile: false, fallocate: true, rootIno: 2,
  };
  const base: SimSystem = {
    uid: o.uid ?? 0, kernel: { loopDetach: o.loopDetach ?? 'lazy', losetupEmptyList: o.losetupEmptyList ?? 'nothing' }, vgs: {}, pvs: {}, lvs: {},
    disks: { '/dev/sda1': { name: '/dev/sda1', major: 8, minor: 1, size: 20 * GiB, label: null, fstype: 'ext4' } },
    loops: freeLoops(o.loops ?? 8), filesystems: { root }, mounts: [{ target: '/', fs: 'root', options: 'rw,relatime', fstab: true }],
    paths: {}, inodes: {}, stateFiles: {}, locks: {}, counters: { ino: 1000, uuid: 0, time: 0 },
  };
  return addFilesystem(base, {
    id: 'dev', source: 'dev', fstype: 'devtmpfs', majMin: '0:5', sizeBytes: GiB, baseUsed: 0, volatile: true, fallocate: false, rootIno: 1,
  }, '/dev', 'rw,nosuid,relatime,mode=755,inode64');
}

/** mkdir -p, each directory on whatever filesystem holds it. */
export function addDirs(s: SimSystem, paths: readonly string[]): SimSystem {
  return paths.reduce((acc, raw) => {
    const p = normPath(raw);
    if (p === '/' || lookup(acc, p)) return acc;
    const withParent = addDirs(acc, [parentOf(p)]);
    return addInode(withParent, p, mountAt(withParent, p)!.fs, 'directory').s;
  }, s);
}

/** Register a filesystem and mount it on target (created if missing). */
export function addFilesystem(s: SimSystem, fs: SimFs, target: string, options = 'rw,relatime', fstab = true): SimSystem {
  const withDir = addDirs(s, [target]);
  return edit(withDir, { filesystems: { [fs.id]: fs } }, { mounts: [...withDir.mounts, { target: normPath(target), fs: fs.id, options, fstab }] });
}

export function addDisk(s: SimSystem, name: string, major: number, minor: number, size: number, fstype: string | null = null): SimSystem {
  return edit(s, { disks: { [name]: { name, major, minor, size, label: null, fstype } } });
}

/** A udev-style symlink under /dev (e.g. /dev/disk/by-id/NAME -> ../../sdb); target may be missing (dangling). */
export function addDevLink(s: SimSystem, link: string, target: string): SimSystem {
  return edit(s, {}, { links: { ...s.links, [normPath(link)]: target } });
}

/** A VG whose PVs are the given (existing, unlabelled) disks, each used whole. */
export function addVg(s: SimSystem, name: string, devices: readonly string[], extentSize = 4 * MiB): SimSystem {
  let n = s.counters.uuid;
  const vgs = { [name]: { name, uuid: lvmUuid(++n), extentSize } };
  const disks: Record<string, SimDisk> = {};
  const pvs: Record<string, SimPv> = {};
  for (const dev of devices) {
    const uuid = lvmUuid(++n);
    const disk = (disks[dev] = setFields(disks[dev] ?? s.disks[dev]!, { label: uuid, fstype: null }));
    pvs[uuid] = { uuid, vg: name, peCount: Math.floor((disk.size - PE_START) / extentSize), tags: [], lastDevice: dev };
  }
  return edit(s, { vgs, counters: { uuid: n }, disks, pvs });
}

export interface AddLvOptions {
  fstype?: string; usedBytes?: number; active?: boolean; tags?: string[]; fsUuid?: string;
  /** Mount it here (fstab) after creating the directory. */
  mountpoint?: string;
}

/** A linear LV allocated on the VG's PVs in order. */
export function addLv(s: SimSystem, vg: string, name: string, bytes: number, o: AddLvOptions = {}): SimSystem {
  const es = s.vgs[vg]!.extentSize;
  const segs = allocate(s, Object.values(s.pvs).filter((p) => p.vg === vg), Math.ceil(bytes / es));
  if (!segs) throw new Error(`addLv: no room for ${vg}/${name}`);
  const active = o.active ?? true;
  const n = s.counters.uuid + 1;
  const time = s.counters.time + 1;
  const uuid = lvmUuid(n);
  const lv: SimLv = {
    uuid, name, vg, segs, tags: o.tags ?? [], active, minor: active ? lowestFreeMinor(s) : null, origin: null,
    cowPercent: 0, invalid: false, time: lvTime(time),
    fs: { type: o.fstype ?? 'ext4', uuid: o.fsUuid ?? fsUuidFor(n), usedBytes: o.usedBytes ?? Math.floor(bytes / 4), dirty: false },
  };
  let next = edit(s, { counters: { uuid: n, time }, lvs: { [uuid]: lv } });
  if (o.mountpoint !== undefined) {
    next = addDirs(next, [o.mountpoint]);
    next = edit(next, {}, { mounts: [...next.mounts, { target: normPath(o.mountpoint), fs: lvFsId(uuid), options: 'rw,relatime', fstab: true }] });
  }
  return next;
}

/** A thin pool of `dataBytes` in vg (plus one metadata and one spare metadata extent), active. */
export function addThinPool(s: SimSystem, vg: string, name: string, dataBytes: number, usage: { dataPercent?: number; metadataPercent?: number } = {}): SimSystem {
  const es = s.vgs[vg]!.extentSize;
  const dataExt = Math.ceil(dataBytes / es);
  const segs = allocate(s, Object.values(s.pvs).filter((p) => p.vg === vg), dataExt + 2);
  if (!segs) throw new Error(`addThinPool: no room for ${vg}/${name}`);
  const n = s.counters.uuid + 1;
  const time = s.counters.time + 1;
  const lv: SimLv = {
    uuid: lvmUuid(n), name, vg, segs, tags: [], active: true, minor: lowestFreeMinor(s), origin: null, cowPercent: 0, invalid: false,
    time: lvTime(time), fs: { type: 'none', uuid: '', usedBytes: 0, dirty: false },
    thinPool: { dataBytes: dataExt * es, dataPercent: usage.dataPercent ?? 0, metadataPercent: usage.metadataPercent ?? 10.55 },
  };
  return edit(s, { counters: { uuid: n, time }, lvs: { [lv.uuid]: lv } });
}

/** A thin LV of `virtualBytes` in `pool`, with a filesystem (like addLv's options); active with its pool. */
export function addThinLv(s: SimSystem, vg: string, name: string, pool: string, virtualBytes: number, o: AddLvOptions & { mappedPercent?: number; origin?: string; skip?: boolean } = {}): SimSystem {
  const p = Object.values(s.lvs).find((l) => l.vg === vg && l.name === pool && l.thinPool);
  if (!p) throw new Error(`addThinLv: no thin pool ${vg}/${pool}`);
  const active = (o.active ?? !o.skip) && p.active;
  const n = s.counters.uuid + 1;
  const time = s.counters.time + 1;
  const uuid = lvmUuid(n);
  const lv: SimLv = {
    uuid, name, vg, segs: [], tags: o.tags ?? [], active, minor: active ? lowestFreeMinor(s) : null, origin: o.origin ?? null,
    cowPercent: 0, invalid: false, time: lvTime(time),
    fs: {
      type: o.fstype ?? 'ext4', uuid: o.fsUuid ?? fsUuidFor(n), usedBytes: o.usedBytes ?? Math.floor(virtualBytes / 4), dirty: false,
      // mkfs.ext4 records the pool's 64 KiB chunk as the stripe width: 64 blocks of 1 KiB under 512 MiB (seen in the VM).
      ...((o.fstype ?? 'ext4') === 'ext4' ? { stripe: virtualBytes < 512 * MiB ? 64 : 16 } : {}),
    },
    thin: { pool, virtualBytes: Math.ceil(virtualBytes / s.vgs[vg]!.extentSize) * s.vgs[vg]!.extentSize, mappedPercent: o.mappedPercent ?? 25, skip: o.skip ?? false },
  };
  let next = edit(s, { counters: { uuid: n, time }, lvs: { [uuid]: lv } });
  if (o.mountpoint !== undefined) {
    next = addDirs(next, [o.mountpoint]);
    next = edit(next, {}, { mounts: [...next.mounts, { target: normPath(o.mountpoint), fs: lvFsId(uuid), options: 'rw,relatime', fstab: true }] });
  }
  return next;
}

/** A filesystem UUID (RFC 4122 text form), deterministic in n. */
export function fsUuidFor(n: number): string {
  const h = (k: number): string => ((Math.imul(n + 1, 2654435761) ^ Math.imul(k, 40503)) >>> 0).toString(16).padStart(8, '0');
  const x = h(1) + h(2) + h(3) + h(4);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-4${x.slice(13, 16)}-a${x.slice(17, 20)}-${x.slice(20, 32)}`;
}

/** A regular file of `bytes` (fully allocated) at path; its directory must exist. */
export function addFile(s: SimSystem, path: string, bytes: number): SimSystem {
  const fs = mountAt(s, path)!.fs;
  const ino = s.counters.ino + 1;
  const inode: SimInode = { ino, fs, type: 'file', size: bytes, alloc: bytes, label: null };
  return edit(s, { counters: { ino }, inodes: { [ino]: inode }, paths: { [normPath(path)]: ino } });
}

export interface SimpleSystemOptions extends EmptySystemOptions {
  vg?: string; lv?: string; extentSize?: number;
  originBytes?: number; originUsedBytes?: number;
  /** Free space left in the VG (on /dev/vda), rounded down to extents. */
  vgFreeBytes?: number;
  fstype?: 'ext4' | 'xfs';
  /** Origin mounted (fstab) at originMountpoint. Default true. */
  originMounted?: boolean; originMountpoint?: string;
  /** Directory for the tmp file, and the filesystem holding it ('rootfs': no own mount). */
  tmpDir?: string;
  tmpDirFs?: 'tmpfs' | 'ext4' | 'xfs' | 'vfat' | 'rootfs';
  tmpDirBytes?: number; tmpDirUsedBytes?: number;
  /** Extra directories to create (e.g. '/media'). */
  dirs?: string[];
}

/**
 * vg0 on /dev/vda (254:0) holding `root` (ext4, 100 MiB, mounted at /mnt/root) with 300 MiB free;
 * tmpfs at /run, /tmp and /var/space (200 MiB); /media exists; loops /dev/loop0..7 free.
 */
export function simpleSystem(o: SimpleSystemOptions = {}): SimSystem { return built('simple', o, () => makeSimpleSystem(o)); }
function makeSimpleSystem(o: SimpleSystemOptions): SimSystem {
  const vg = o.vg ?? 'vg0';
  const es = o.extentSize ?? 4 * MiB;
  const originExt = Math.ceil((o.originBytes ?? 100 * MiB) / es);
  const peCount = originExt + Math.floor((o.vgFreeBytes ?? 300 * MiB) / es);
  const tmpfs = (id: string, majMin: string, size: number): SimFs =>
    ({ id, source: 'tmpfs', fstype: 'tmpfs', majMin, sizeBytes: size, baseUsed: 0, volatile: true, fallocate: true, rootIno: 1 });
  let s = emptySystem(o);
  s = addFilesystem(s, { ...tmpfs('proc', '0:19', 0), source: 'proc', fstype: 'proc', fallocate: false }, '/proc');
  s = addFilesystem(s, tmpfs('run', '0:26', 200 * MiB), '/run', 'rw,nosuid,nodev,relatime,inode64');
  s = addFilesystem(s, tmpfs('tmp', '0:27', GiB), '/tmp', 'rw,nosuid,nodev,relatime,inode64');
  const tmpDir = o.tmpDir ?? '/var/space';
  const kind = o.tmpDirFs ?? 'tmpfs';
  const size = o.tmpDirBytes ?? 200 * MiB;
  if (kind === 'rootfs') s = addDirs(s, [tmpDir]);
  else if (kind === 'tmpfs') s = addFilesystem(s, { ...tmpfs('space', '0:29', size), baseUsed: o.tmpDirUsedBytes ?? 0 }, tmpDir, 'rw,relatime,size=204800k,inode64');
  else {
    s = addDisk(s, '/dev/sdb1', 8, 17, size, kind);
    s = addFilesystem(s, {
      id: 'space', source: '/dev/sdb1', fstype: kind, majMin: '8:17', sizeBytes: size, baseUsed: o.tmpDirUsedBytes ?? 0,
      volatile: false, fallocate: kind !== 'vfat', rootIno: kind === 'xfs' ? 128 : kind === 'vfat' ? 1 : 2,
    }, tmpDir);
  }
  // Like a real disk, not aligned to the PV's data area: 99 extents of 4 MiB on a 400 MiB disk.
  s = addDisk(s, '/dev/vda', 254, 0, (peCount + 1) * es);
  s = addVg(s, vg, ['/dev/vda'], es);
  s = addLv(s, vg, o.lv ?? 'root', originExt * es, {
    fstype: o.fstype ?? 'ext4', ...(o.originUsedBytes !== undefined ? { usedBytes: o.originUsedBytes } : {}),
    ...(o.originMounted ?? true ? { mountpoint: o.originMountpoint ?? '/mnt/root' } : {}),
  });
  return addDirs(s, ['/media', '/var/lib', ...(o.dirs ?? [])]);
}
