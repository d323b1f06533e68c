// Checks over the whole set, run with every member's own pre-flight before the first change: what each
// member alone would have (the VG's free space, the tmp-file filesystem's room) must suffice for all
// members that draw on it together.
import type { Planned } from '../plan.js';

const fmt = (bytes: number): string => `${Math.round((bytes / 1048576) * 10) / 10} MiB`;

const creates = (p: Planned, kind: string): boolean => p.plan.changes.some((c) => c.kind === kind && c.action === 'create');
const destroys = (p: Planned, kind: string): boolean => p.plan.changes.some((c) => c.kind === kind && c.action === 'destroy');

/** Set-level refusals; members are the plans made from each member's own observation. */
export function setPreflight(members: readonly Planned[]): string[] {
  const out: string[] = [];
  // Snapshots taking their COW space from the VG itself (no tmp file): summed per VG.
  const perVg = new Map<string, { need: number; free: number; names: string[] }>();
  for (const p of members) {
    const f = p.facts;
    if (f.target.tmpFile !== undefined || f.target.cowDevice !== undefined || !f.vg || f.snapshotBytes === null || !creates(p, 'Snapshot')) continue;
    // A rebuild frees the old snapshot's extents first.
    const freed = destroys(p, 'Snapshot') && f.snapshotLv ? f.snapshotLv.sizeBytes : 0;
    const e = perVg.get(f.vg.name) ?? { need: 0, free: f.vg.freeExtents * f.vg.extentSize, names: [] };
    e.need += f.snapshotBytes - freed;
    e.names.push(`${f.target.vg}/${f.target.snapshot}`);
    perVg.set(f.vg.name, e);
  }
  for (const [vg, e] of perVg) {
    if (e.names.length > 1 && e.need > e.free)
      out.push(`the set's snapshots in volume group ${vg} (${e.names.join(', ')}) need ${fmt(e.need)} together but ${vg} has ${fmt(e.free)} free: use smaller sizes, or a tmp file for some of them`);
  }
  // Tmp files created on the same filesystem: summed per filesystem.
  const perFs = new Map<string, { need: number; avail: number; files: string[] }>();
  for (const p of members) {
    const f = p.facts;
    const fs = f.snap.tmpFs;
    if (!fs || f.tmpFileBytes === null || !creates(p, 'TmpFile')) continue;
    const e = perFs.get(fs.target) ?? { need: 0, avail: fs.availBytes, files: [] };
    e.need += f.tmpFileBytes - (f.snap.paths[f.target.tmpFile!]?.size ?? 0);
    e.files.push(f.target.tmpFile!);
    perFs.set(fs.target, e);
  }
  for (const [target, e] of perFs) {
    if (e.files.length > 1 && e.need > e.avail)
      out.push(`the set's tmp files ${e.files.join(', ')} need ${fmt(e.need)} together but ${target} has ${fmt(e.avail)} free: free space there or put some elsewhere`);
  }
  // One spare disk under two names (/dev/sdb and a /dev/disk/by-id link to it): the config compares names only.
  const spares = new Map<string, string>();
  for (const p of members) {
    const { target: t, cowDevicePath: dev } = p.facts;
    if (dev === null) continue;
    const mine = `${t.vg}/${t.snapshot} (--cow-device ${t.cowDevice})`;
    const other = spares.get(dev);
    if (other !== undefined) out.push(`${mine} and ${other} name the same spare disk ${dev}: each member needs a spare disk of its own`);
    else spares.set(dev, mine);
  }
  return out;
}
