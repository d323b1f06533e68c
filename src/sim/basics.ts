// Data types of the simulated host, its constants, and names and numbers derived from them (no queries:
// those are in state.ts, which re-exports all of this). See model.ts for what is NOT modelled.
import type { Draft } from 'immer';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
/** Data area offset of every PV (lvm2 default). */
export const PE_START = MiB;
export const DM_MAJOR = 253;
export const LOOP_MAJOR = 7;

export interface SimVg { readonly name: string; readonly uuid: string; readonly extentSize: number }

/** A PV listed in a VG's metadata. Orphan PVs are not stored: they are labelled devices (see orphanLabels). */
export interface SimPv {
  readonly uuid: string;
  readonly vg: string;
  readonly peCount: number;
  readonly tags: readonly string[];
  /** Device the PV was last seen on ("last written to" in lvm's missing-PV warning). */
  readonly lastDevice: string;
}

/** `count` logical extents of an LV placed on PV `pv` from physical extent `pe`. */
export interface SimSeg { readonly pv: string; readonly pe: number; readonly count: number }

export interface SimLvFs {
  /** 'ext4', 'xfs', 'vfat', ... or 'none' (no filesystem signature). */
  readonly type: string;
  readonly uuid: string;
  readonly usedBytes: number;
  /** Journal/log needs recovery (origin was mounted when the snapshot was taken). */
  readonly dirty: boolean;
  /** ext4's RAID stripe width in blocks, which mkfs.ext4 takes from a thin LV's pool chunk size; shown as stripe=N. */
  readonly stripe?: number;
}

export interface SimLv {
  readonly uuid: string;
  readonly name: string;
  readonly vg: string;
  readonly segs: readonly SimSeg[];
  readonly tags: readonly string[];
  readonly active: boolean;
  /** device-mapper minor (major 253) while active. */
  readonly minor: number | null;
  /** Origin LV name for a (thick) snapshot. */
  readonly origin: string | null;
  readonly cowPercent: number;
  readonly invalid: boolean;
  readonly fs: SimLvFs;
  readonly time: string;
  /** A thin pool: its segs hold data, metadata and the spare metadata area; usage is stored, not derived. */
  readonly thinPool?: SimThinPool;
  /** A thin LV (no segs of its own; origin set for a thin snapshot). */
  readonly thin?: SimThin;
}

export interface SimThinPool {
  readonly dataBytes: number;
  readonly dataPercent: number;
  readonly metadataPercent: number;
}

export interface SimThin {
  readonly pool: string;
  readonly virtualBytes: number;
  /** data_percent: share of the virtual size mapped in the pool. */
  readonly mappedPercent: number;
  /** The activation-skip flag ('k'): such an LV is not activated without -K. */
  readonly skip: boolean;
}

/** A whole-disk/partition block device that is always present (e.g. /dev/vda). */
export interface SimDisk {
  readonly name: string; readonly major: number; readonly minor: number; readonly size: number;
  /** PV uuid written on the device, if any. */
  readonly label: string | null;
  readonly fstype: string | null;
  /** A partition: the disk it is on (its sysfs directory lies inside the disk's). */
  readonly parent?: string;
  /** A partition table on the disk (blkid's PTTYPE: 'gpt', 'dos'). */
  readonly pttype?: string;
}

export interface SimInode {
  readonly ino: number;
  /** Filesystem id (SimFs.id or lvFsId(lv uuid)). */
  readonly fs: string;
  readonly type: 'file' | 'directory';
  readonly size: number;
  /** Bytes allocated on the filesystem (counts against its free space). */
  readonly alloc: number;
  /** PV uuid written into the file through a loop device. */
  readonly label: string | null;
  /** Contents written by a backup pipeline (a token naming what was archived), when modelled. */
  readonly data?: string;
}

export interface SimLoop {
  readonly name: string;
  readonly minor: number;
  /** Bound inode (kept alive even after its path is removed), or null when free. */
  readonly ino: number | null;
  readonly file: string | null;
  /** Capacity, fixed at attach time like the kernel's. */
  readonly size: number;
  readonly autoclear: boolean;
}

/** A non-LV filesystem (root, tmpfs, devtmpfs, ...). LV filesystems live on SimLv.fs. */
export interface SimFs {
  readonly id: string; readonly source: string; readonly fstype: string; readonly majMin: string;
  readonly sizeBytes: number;
  /** Bytes in use besides the modelled inodes. */
  readonly baseUsed: number;
  /** Contents vanish at reboot (tmpfs). */
  readonly volatile: boolean;
  readonly fallocate: boolean;
  readonly rootIno: number;
}

export interface SimMount {
  readonly target: string;
  readonly fs: string;
  /** As the kernel shows them (findmnt). */
  readonly options: string;
  /** Mounted again at boot (fstab), if its device is there. */
  readonly fstab: boolean;
}

export interface SimLock { readonly pid: number; readonly holder: string }

export interface SimSystem {
  readonly uid: number;
  /** Behaviour that differs between kernels / util-linux versions. */
  readonly kernel: {
    /** 'lazy': losetup -d of a held device marks it autoclear (Linux >= 3.x); 'busy': fails EBUSY. */
    readonly loopDetach: 'lazy' | 'busy';
    /** What `losetup --list --json` prints with no device bound. */
    readonly losetupEmptyList: 'nothing' | 'empty-array';
  };
  readonly vgs: Readonly<Record<string, SimVg>>;
  readonly pvs: Readonly<Record<string, SimPv>>;
  readonly lvs: Readonly<Record<string, SimLv>>;
  readonly disks: Readonly<Record<string, SimDisk>>;
  /** udev's symlinks under /dev (/dev/disk/by-id/NAME): link path -> its target as readlink shows it
   *  (absolute, or relative to the link's directory: ../../sdb). Absent: none. Nothing keeps them in step. */
  readonly links?: Readonly<Record<string, string>>;
  readonly loops: Readonly<Record<string, SimLoop>>;
  readonly filesystems: Readonly<Record<string, SimFs>>;
  /** In mount order; a later mount on the same target hides an earlier one. */
  readonly mounts: readonly SimMount[];
  readonly paths: Readonly<Record<string, number>>;
  readonly inodes: Readonly<Record<number, SimInode>>;
  /** HostPort.readFile/writeFile files (kept apart from the file tree). */
  readonly stateFiles: Readonly<Record<string, string>>;
  readonly locks: Readonly<Record<string, SimLock>>;
  /** systemd as PID 1 (cmd-systemd.ts): installed unit files and active units. Absent: no systemd. */
  readonly systemd?: { readonly unitFiles: readonly string[]; readonly active: readonly string[] };
  /** Monotonic generators (inode numbers, uuids, LV creation times); never rewound. */
  readonly counters: { readonly ino: number; readonly uuid: number; readonly time: number };
}

export type DraftSystem = Draft<SimSystem>;

// ---- names and numbers ----------------------------------------------------------------------

export const lvFsId = (lvUuid: string): string => `lv:${lvUuid}`;
const dmEscape = (s: string): string => s.replace(/-/g, '--');
export const dmName = (vg: string, lv: string): string => `${dmEscape(vg)}-${dmEscape(lv)}`;
export const dmPath = (vg: string, lv: string): string => `/dev/mapper/${dmName(vg, lv)}`;
/** Linux new_encode_dev: what stat %d prints. */
export const encodeDev = (major: number, minor: number): number =>
  (minor & 0xff) + major * 256 + (minor & ~0xff) * 4096;

/** Already normal: absolute, no empty, "." or ".." segments, no trailing slash (most paths are). */
const NOT_NORMAL = /\/\/|\/\.\.?(?:\/|$)/;
export function normPath(p: string): string {
  if (p === '/' || (p.charCodeAt(0) === 47 && p.charCodeAt(p.length - 1) !== 47 && !NOT_NORMAL.test(p))) return p;
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  const out: string[] = [];
  for (const s of parts) if (s === '..') out.pop(); else out.push(s);
  return `/${out.join('/')}`;
}
export const parentOf = (p: string): string => normPath(`${p}/..`);

const CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** An lvm-style uuid (6-4-4-4-4-4-6), deterministic in n. */
export function lvmUuid(n: number): string {
  let x = (n * 2654435761 + 0x9e3779b9) >>> 0;
  let s = '';
  for (let i = 0; i < 32; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    s += CHARS[x % CHARS.length];
  }
  let at = 0;
  return [6, 4, 4, 4, 4, 4, 6].map((n) => s.slice(at, (at += n))).join('-');
}
export function lvTime(t: number): string {
  return `${new Date(Date.UTC(2026, 0, 1) + t * 1000).toISOString().slice(0, 19).replace('T', ' ')} +0000`;
}
