// Data types of the simulated host (basics.ts) and the pure queries over them. Nothing here mutates; the
// command handlers (cmd-*.ts) change a system only through immer's produce() or its draft-free twin
// edit() (edit.ts), both of which copy and deep-freeze. See model.ts for what is NOT modelled. The
// queries answer from indexes built once per (frozen) sub-object: see memo.ts.
import { LOOP_MAJOR, dmPath, normPath, type SimLv, type SimPv, type SimSeg, type SimSystem } from './basics.js';
import { Memo } from './memo.js';

export * from './basics.js';

// ---- indexes -----------------------------------------------------------------------------------

interface LvIndex {
  /** First LV (in s.lvs order) per `${vg}\0${name}`, as a find() over s.lvs would give. */
  readonly byName: ReadonlyMap<string, SimLv>;
  /** Snapshots per `${vg}\0${origin}`, in s.lvs order. */
  readonly snapshots: ReadonlyMap<string, readonly SimLv[]>;
  /** Segments on each PV, in s.lvs order then segment order, with the LV holding them. */
  readonly onPv: ReadonlyMap<string, readonly (SimSeg & { readonly lv: string })[]>;
  readonly used: ReadonlyMap<string, number>;
  /** First active LV per device path (/dev/VG/LV and /dev/mapper/NAME). */
  readonly byDevice: ReadonlyMap<string, SimLv>;
}
const lvMemo = new Memo<LvIndex>();
export const lvIndex = (s: SimSystem): LvIndex => lvMemo.get([s.lvs], () => {
  const byName = new Map<string, SimLv>();
  const snapshots = new Map<string, SimLv[]>();
  const onPv = new Map<string, (SimSeg & { lv: string })[]>();
  const used = new Map<string, number>();
  const byDevice = new Map<string, SimLv>();
  const first = <V>(m: Map<string, V>, k: string, v: V): void => { if (!m.has(k)) m.set(k, v); };
  for (const lv of Object.values(s.lvs)) {
    first(byName, `${lv.vg}\0${lv.name}`, lv);
    if (lv.origin !== null && !lv.thin) {
      const k = `${lv.vg}\0${lv.origin}`;
      const list = snapshots.get(k);
      if (list) list.push(lv); else snapshots.set(k, [lv]);
    }
    for (const g of lv.segs) {
      const list = onPv.get(g.pv);
      const seg = { ...g, lv: lv.uuid };
      if (list) list.push(seg); else onPv.set(g.pv, [seg]);
      used.set(g.pv, (used.get(g.pv) ?? 0) + g.count);
    }
    if (lv.active) { first(byDevice, `/dev/${lv.vg}/${lv.name}`, lv); first(byDevice, dmPath(lv.vg, lv.name), lv); }
  }
  return { byName, snapshots, onPv, used, byDevice };
});

interface DevIndex {
  readonly list: readonly PresentDevice[];
  /** First present device per name and per PV label, as a find() over presentDevices() would give. */
  readonly byName: ReadonlyMap<string, PresentDevice>;
  readonly byLabel: ReadonlyMap<string, PresentDevice>;
}
const devMemo = new Memo<DevIndex>();
export const devIndex = (s: SimSystem): DevIndex => devMemo.get([s.disks, s.loops, s.inodes], () => {
  const list = presentDevices(s);
  const byName = new Map<string, PresentDevice>();
  const byLabel = new Map<string, PresentDevice>();
  for (const d of list) {
    if (!byName.has(d.name)) byName.set(d.name, d);
    if (d.label !== null && !byLabel.has(d.label)) byLabel.set(d.label, d);
  }
  return { list, byName, byLabel };
});

// ---- LVM queries -----------------------------------------------------------------------------

export const vgPvs = (s: SimSystem, vg: string): SimPv[] => Object.values(s.pvs).filter((p) => p.vg === vg);
export const vgLvs = (s: SimSystem, vg: string): SimLv[] => Object.values(s.lvs).filter((l) => l.vg === vg);
export const findLv = (s: SimSystem, vg: string, name: string): SimLv | undefined => lvIndex(s).byName.get(`${vg}\0${name}`);
/** Classic (COW) snapshots of an LV; thin snapshots are independent thin LVs (see thinLvsOf). */
export const snapshotsOf = (s: SimSystem, lv: SimLv): SimLv[] => [...(lvIndex(s).snapshots.get(`${lv.vg}\0${lv.name}`) ?? [])];
export const lvExtents = (lv: SimLv): number => lv.segs.reduce((a, g) => a + g.count, 0);
export const extentSize = (s: SimSystem, vg: string): number => s.vgs[vg]!.extentSize;
/** lv_size: for a snapshot the COW size. */
export const lvBytes = (s: SimSystem, lv: SimLv): number =>
  lv.thin ? lv.thin.virtualBytes : lv.thinPool ? lv.thinPool.dataBytes : lvExtents(lv) * extentSize(s, lv.vg);
/** Thin LVs in a pool. */
export const thinLvsOf = (s: SimSystem, pool: SimLv): SimLv[] => vgLvs(s, pool.vg).filter((l) => l.thin?.pool === pool.name);
/** A classic (COW) snapshot: has an origin and is not a thin LV. */
export const isCowSnapshot = (lv: SimLv): boolean => lv.origin !== null && !lv.thin;
/** Size of the LV's block device: a snapshot shows its origin's size. */
export function lvDevSize(s: SimSystem, lv: SimLv): number {
  const origin = isCowSnapshot(lv) ? findLv(s, lv.vg, lv.origin!) : undefined;
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
const copy = (d: PresentDevice | undefined): PresentDevice | undefined => (d ? { ...d } : undefined);
export const deviceByName = (s: SimSystem, name: string): PresentDevice | undefined => copy(devIndex(s).byName.get(normPath(name)));
export const pvDevice = (s: SimSystem, pvUuid: string): PresentDevice | undefined => copy(devIndex(s).byLabel.get(pvUuid));
export const pvMissing = (s: SimSystem, pv: SimPv): boolean => !devIndex(s).byLabel.has(pv.uuid);
export const missingPvs = (s: SimSystem, vg: string): SimPv[] => vgPvs(s, vg).filter((p) => pvMissing(s, p));
/** Labelled devices whose PV is in no VG's metadata. */
export const orphanDevices = (s: SimSystem): PresentDevice[] =>
  presentDevices(s).filter((d) => d.label !== null && s.pvs[d.label] === undefined);

export const usedExtents = (s: SimSystem, pvUuid: string): number => lvIndex(s).used.get(pvUuid) ?? 0;

/** Free [start, count] areas of a PV, ascending. */
export function freeAreas(s: SimSystem, pv: SimPv): [number, number][] {
  const used = [...(lvIndex(s).onPv.get(pv.uuid) ?? [])].sort((a, b) => a.pe - b.pe);
  const out: [number, number][] = [];
  let at = 0;
  for (const g of used) { if (g.pe > at) out.push([at, g.pe - at]); at = Math.max(at, g.pe + g.count); }
  if (at < pv.peCount) out.push([at, pv.peCount - at]);
  return out;
}

/** Segments on a missing PV, or tied through origin/snapshot to an LV that has some (lvm's "partial"). */
export function lvPartial(s: SimSystem, lv: SimLv): boolean {
  const labels = devIndex(s).byLabel;
  const own = (l: SimLv): boolean => l.segs.some((g) => { const pv = s.pvs[g.pv]; return !pv || !labels.has(pv.uuid); });
  if (own(lv)) return true;
  if (lv.thin) { const pool = findLv(s, lv.vg, lv.thin.pool); return pool ? own(pool) : false; }
  if (lv.origin !== null) { const o = findLv(s, lv.vg, lv.origin); return o ? own(o) : false; }
  return (lvIndex(s).snapshots.get(`${lv.vg}\0${lv.name}`) ?? []).some(own);
}

export const lowestFreeMinor = (s: SimSystem): number => {
  const used = new Set(Object.values(s.lvs).map((l) => l.minor));
  let m = 0;
  while (used.has(m)) m++;
  return m;
};

/** The active LV whose device path (/dev/VG/LV or /dev/mapper/...) this is. */
export const lvByDevice = (s: SimSystem, path: string): SimLv | undefined => lvIndex(s).byDevice.get(normPath(path));
