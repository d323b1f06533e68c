// Facts derived once per observation pass from (target, snapshot), shared by all resources and checks.
import { lvmsnapPvUuid } from './pv-uuid.js';
import { OWNER_TAG, pvForTag } from './commands.js';
import type { ObservedLoop, ObservedLv, ObservedMount, ObservedPv, ObservedVg, SystemSnapshot, Target } from './types.js';

export const MIB = 1024 * 1024;
/** Where lvm2 starts the first extent on a new PV (pe_start), as seen in the real fixtures. */
export const PV_DATA_OFFSET = MIB;

export interface Facts {
  readonly target: Target;
  readonly snap: SystemSnapshot;
  readonly vg: ObservedVg | undefined;
  readonly origin: ObservedLv | undefined;
  /** The LV at the snapshot's name, ours or not. */
  readonly snapshotLv: ObservedLv | undefined;
  /** Snapshot COW size in bytes, rounded up to whole extents (null when the origin is unknown). */
  readonly snapshotBytes: number | null;
  /** Size of the tmp file to allocate, a whole number of MiB (null without a tmp file or origin). */
  readonly tmpFileBytes: number | null;
  /** True when the file at the tmp-file path is the one lvmsnap recorded in its journal. */
  readonly tmpFileOurs: boolean;
  /** A loop device bound to the tmp file path (only meaningful when the file is ours). */
  readonly boundLoop: ObservedLoop | undefined;
  /** The loop device lvmsnap uses or would use. */
  readonly loopName: string | null;
  /** The PV on our loop device, if any. */
  readonly loopPv: ObservedPv | undefined;
  /**
   * With --cow-device: lvmsnap's PV for this target wherever it is now (disk names can change across a
   * reboot), else whatever PV is on the named device.
   */
  readonly cowPv: ObservedPv | undefined;
  /** The device the COW PV is (or would be) on: the loop device or the spare device; null without either. */
  readonly pvDevice: string | null;
  /** With --cow-device: the kernel's name of the device it names (a /dev/disk/by-* link followed, as LVM's
   *  report names PVs: /dev/sdb); null without --cow-device. */
  readonly cowDevicePath: string | null;
  /** The snapshot's mount at the mountpoint, or whatever else is mounted there. */
  readonly mountAtMountpoint: ObservedMount | undefined;
  /** What present makes: 'thin' for a thin origin without --size/--tmp-file, else a classic 'cow' snapshot. */
  readonly snapshotKind: SnapshotKind;
  /** The thin pool of a thin origin (whatever the snapshot kind). */
  readonly pool: ObservedLv | undefined;
}

export type SnapshotKind = 'thin' | 'cow';
export const DEFAULT_THIN_POOL_THRESHOLD = 90;

/**
 * A thin origin gets a thin snapshot (no COW size, the pool's space) unless --size or --tmp-file asks for a
 * classic COW snapshot (useful when the pool itself is nearly full).
 */
export function snapshotKindFor(target: Target, origin: ObservedLv | undefined): SnapshotKind {
  const thinOrigin = origin?.thin?.kind === 'volume' && origin.thin.pool !== null;
  return thinOrigin && !target.sizeGiven && target.tmpFile === undefined && target.cowDevice === undefined ? 'thin' : 'cow';
}

const roundUp = (n: number, unit: number): number => Math.ceil(n / unit) * unit;

export function snapshotBytesFor(target: Target, origin: ObservedLv | undefined, vg: ObservedVg | undefined): number | null {
  const extent = vg?.extentSize ?? 4 * MIB;
  if (target.size.kind === 'bytes') return roundUp(target.size.bytes, extent);
  if (!origin) return null;
  return roundUp(Math.ceil((origin.sizeBytes * target.size.percent) / 100), extent);
}

/** Default tmp-file size: the COW extents, the PV header area and one spare extent for alignment. */
export function defaultTmpFileBytes(snapshotBytes: number, extentSize: number): number {
  return roundUp(snapshotBytes + PV_DATA_OFFSET + extentSize, MIB);
}

/** Whole extents a PV on a file of this size offers. */
export const extentsOnFile = (fileBytes: number, extentSize: number): number =>
  Math.max(0, Math.floor((fileBytes - PV_DATA_OFFSET) / extentSize));

export function isMountOf(m: ObservedMount, lv: ObservedLv): boolean {
  return (lv.majMin !== null && m.majMin === lv.majMin) || m.source === lv.dmPath || m.source === lv.path;
}

const holds = (target: string, path: string): boolean =>
  target === '/' || path === target || path.startsWith(`${target}/`);

/** The mount holding a path (stat's %m, df's "Mounted on"): the longest mount point containing it,
 *  the last one stacked there when several are. Paths are taken literally (no symlinks resolved). */
export function mountHolding(mounts: readonly ObservedMount[], path: string): ObservedMount | undefined {
  let best: ObservedMount | undefined;
  for (const m of mounts) if (holds(m.target, path) && (!best || m.target.length >= best.target.length)) best = m;
  return best;
}

/** The mount that is visible at a target (the last one stacked there). */
export function mountAt(snap: SystemSnapshot, target: string): ObservedMount | undefined {
  return snap.mounts.filter((m) => m.target === target).at(-1);
}

export function deriveFacts(target: Target, snap: SystemSnapshot): Facts {
  const vg = snap.vgs.find((v) => v.name === target.vg);
  const lvsInVg = snap.lvs.filter((l) => l.vg === target.vg);
  const origin = lvsInVg.find((l) => l.name === target.lv);
  const snapshotLv = lvsInVg.find((l) => l.name === target.snapshot);
  const snapshotBytes = snapshotBytesFor(target, origin, vg);
  const extent = vg?.extentSize ?? 4 * MIB;
  const tmpFileBytes =
    target.tmpFile === undefined || snapshotBytes === null
      ? null
      : roundUp(target.tmpFileSize ?? defaultTmpFileBytes(snapshotBytes, extent), MIB);

  const file = target.tmpFile === undefined ? undefined : snap.paths[target.tmpFile];
  const rec = snap.journal?.tmpFile;
  const tmpFileOurs =
    file !== undefined && rec !== undefined && rec.path === target.tmpFile &&
    (rec.ino === undefined || (rec.ino === file.ino && rec.dev === file.dev));

  const boundLoop =
    target.tmpFile === undefined
      ? undefined
      : snap.loops.find((l) => l.backFile === target.tmpFile && !l.backFileDeleted && (!target.loopDevice || l.name === target.loopDevice)) ??
        snap.loops.find((l) => l.backFile === target.tmpFile && !l.backFileDeleted);
  const loopName = target.tmpFile === undefined ? null : boundLoop?.name ?? target.loopDevice ?? snap.freeLoop;
  const loopPv = loopName === null ? undefined : snap.pvs.find((p) => p.name === loopName);
  const cowDevicePath = target.cowDevice === undefined ? null : snap.cowDevice?.device ?? target.cowDevice;
  const cowPv = cowDevicePath === null ? undefined : cowPvOf(target, snap, cowDevicePath);
  const pvDevice = target.tmpFile !== undefined ? loopName : cowDevicePath !== null ? cowPv?.name ?? cowDevicePath : null;
  const mountAtMountpoint = target.mountpoint === undefined ? undefined : mountAt(snap, target.mountpoint);

  const snapshotKind = snapshotKindFor(target, origin);
  const poolName = origin?.thin?.pool;
  const pool = poolName ? lvsInVg.find((l) => l.name === poolName) : undefined;
  return { target, snap, vg, origin, snapshotLv, snapshotBytes, tmpFileBytes, tmpFileOurs, boundLoop, loopName, loopPv, cowPv, pvDevice, cowDevicePath, mountAtMountpoint, snapshotKind, pool };
}

/** A PV lvmsnap made for this target: its derived UUID, or both of its tags. */
export const isOurPv = (target: Target, pv: ObservedPv): boolean =>
  pv.uuid === lvmsnapPvUuid(target) || (pv.tags.includes(OWNER_TAG) && pv.tags.includes(pvForTag(target.snapshot)));

function cowPvOf(target: Target, snap: SystemSnapshot, device: string): ObservedPv | undefined {
  const ours = snap.pvs.find((p) => !p.missing && (p.vg === null || p.vg === target.vg) && isOurPv(target, p));
  return ours ?? snap.pvs.find((p) => p.name === device);
}
