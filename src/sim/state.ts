// Data types of the simulated host and the pure queries over them. Nothing here mutates; the command
// handlers (cmd-*.ts) change a system only through immer drafts. See model.ts for what is NOT modelled.
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
}

/** A whole-disk/partition block device that is always present (e.g. /dev/vda). */
export interface SimDisk {
  readonly name: string; readonly major: number; readonly minor: number; readonly size: number;
  /** PV uuid written on the device, if any. */
  readonly label: string | null;
  readonly fstype: string | null;
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
  readonly loops: Readonly<Record<string, SimLoop>>;
  readonly filesystems: Readonly<Record<string, SimFs>>;
  /** In mount order; a later mount on the same target hides an earlier one. */
  readonly mounts: readonly SimMount[];
  readonly paths: Readonly<Record<string, number>>;
  readonly inodes: Readonly<Record<number, SimInode>>;
  /** HostPort.readFile/writeFile files (kept apart from the file tree). */
  readonly stateFiles: Readonly<Record<string, string>>;
  readonly locks: Readonly<Record<string, SimLock>>;
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

export function normPath(p: string): string {
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

// ---- LVM queries -----------------------------------------------------------------------------

export const vgPvs = (s: SimSystem, vg: string): SimPv[] => Object.values(s.pvs).filter((p) => p.vg === vg);
export const vgLvs = (s: SimSystem, vg: string): SimLv[] => Object.values(s.lvs).filter((l) => l.vg === vg);
export const findLv = (s: SimSystem, vg: string, name: string): SimLv | undefined =>
  Object.values(s.lvs).find((l) => l.vg === vg && l.name === name);
export const snapshotsOf = (s: SimSystem, lv: SimLv): SimLv[] =>
  Object.values(s.lvs).filter((l) => l.vg === lv.vg && l.origin === lv.name);
export const lvExtents = (lv: SimLv): number => lv.segs.reduce((a, g) => a + g.count, 0);
export const extentSize = (s: SimSystem, vg: string): number => s.vgs[vg]!.extentSize;
/** lv_size: for a snapshot the COW size. */
export const lvBytes = (s: SimSystem, lv: SimLv): number => lvExtents(lv) * extentSize(s, lv.vg);
/** Size of the LV's block device: a snapshot shows its origin's size. */
export function lvDevSize(s: SimSystem, lv: SimLv): number {
  const origin = lv.origin !== null ? findLv(s, lv.vg, lv.origin) : undefined;
  return origin ? lvBytes(s, origin) : lvBytes(s, lv);
}

export interface PresentDevice { name: string; major: number; minor: number; size: number; label: string | null }

/** Block devices that exist now: disks and bound loop devices (a loop shows its inode's label). */
export function presentDevices(s: SimSystem): PresentDevice[] {
  const out: PresentDevice[] = Object.values(s.disks).map((d) => ({ ...d, label: d.label }));
  for (const l of Object.values(s.loops)) {
    if (l.ino === null) continue;
    out.push({ name: l.name, major: LOOP_MAJOR, minor: l.minor, size: l.size, label: s.inodes[l.ino]?.label ?? null });
  }
  return out;
}
export const deviceByName = (s: SimSystem, name: string): PresentDevice | undefined =>
  presentDevices(s).find((d) => d.name === normPath(name));
export const pvDevice = (s: SimSystem, pvUuid: string): PresentDevice | undefined =>
  presentDevices(s).find((d) => d.label === pvUuid);
export const pvMissing = (s: SimSystem, pv: SimPv): boolean => pvDevice(s, pv.uuid) === undefined;
export const missingPvs = (s: SimSystem, vg: string): SimPv[] => vgPvs(s, vg).filter((p) => pvMissing(s, p));
/** Labelled devices whose PV is in no VG's metadata. */
export const orphanDevices = (s: SimSystem): PresentDevice[] =>
  presentDevices(s).filter((d) => d.label !== null && s.pvs[d.label] === undefined);

export const usedExtents = (s: SimSystem, pvUuid: string): number =>
  Object.values(s.lvs).reduce((a, lv) => a + lv.segs.filter((g) => g.pv === pvUuid).reduce((b, g) => b + g.count, 0), 0);

/** Free [start, count] areas of a PV, ascending. */
export function freeAreas(s: SimSystem, pv: SimPv): [number, number][] {
  const used = Object.values(s.lvs).flatMap((lv) => lv.segs.filter((g) => g.pv === pv.uuid)).sort((a, b) => a.pe - b.pe);
  const out: [number, number][] = [];
  let at = 0;
  for (const g of used) { if (g.pe > at) out.push([at, g.pe - at]); at = Math.max(at, g.pe + g.count); }
  if (at < pv.peCount) out.push([at, pv.peCount - at]);
  return out;
}

/** Segments on a missing PV, or tied through origin/snapshot to an LV that has some (lvm's "partial"). */
export function lvPartial(s: SimSystem, lv: SimLv): boolean {
  const own = (l: SimLv): boolean => l.segs.some((g) => { const pv = s.pvs[g.pv]; return !pv || pvMissing(s, pv); });
  if (own(lv)) return true;
  if (lv.origin !== null) { const o = findLv(s, lv.vg, lv.origin); return o ? own(o) : false; }
  return snapshotsOf(s, lv).some(own);
}

export const lowestFreeMinor = (s: SimSystem): number => {
  const used = new Set(Object.values(s.lvs).map((l) => l.minor));
  let m = 0;
  while (used.has(m)) m++;
  return m;
};

/** The active LV whose device path (/dev/VG/LV or /dev/mapper/...) this is. */
export function lvByDevice(s: SimSystem, path: string): SimLv | undefined {
  const p = normPath(path);
  return Object.values(s.lvs).find((l) => l.active && (p === `/dev/${l.vg}/${l.name}` || p === dmPath(l.vg, l.name)));
}
