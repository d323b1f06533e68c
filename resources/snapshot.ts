// Snapshot: the snapshot LV, tagged as ours at creation (one lvcreate, so no partial state). Of a thin origin
// it is a thin snapshot in the origin's pool (no COW size), unless --size/--tmp-file ask for a classic one.
import { lvcreateSnapshotArgv, lvcreateThinSnapshotArgv, lvremoveArgv, OWNER_TAG } from '../src/commands.js';
import type { Facts } from '../src/facts.js';
import type { ObservedLv } from '../src/types.js';
import { exec, view, type Resource } from './resource.js';

const isThinVolume = (lv: ObservedLv): boolean => lv.thin?.kind === 'volume';

/** What status, --json and the backup watch show of a snapshot LV (and, for a thin one, of its pool). */
export function snapshotObserved(f: Facts, lv: ObservedLv): Record<string, unknown> {
  if (!isThinVolume(lv)) return { kind: 'cow', origin: lv.origin, sizeBytes: lv.sizeBytes, usedPercent: lv.snapPercent, active: lv.active, devices: lv.devices, tags: lv.tags };
  const pool = f.snap.lvs.find((p) => p.vg === lv.vg && p.name === lv.thin!.pool);
  return {
    kind: 'thin', origin: lv.origin, virtualBytes: lv.sizeBytes, mappedPercent: lv.thin!.dataPercent, pool: lv.thin!.pool,
    poolDataPercent: pool?.thin?.dataPercent ?? null, poolMetadataPercent: pool?.thin?.metadataPercent ?? null,
    active: lv.active, ...(lv.activationSkip ? { activationSkip: true } : {}), tags: lv.tags,
  };
}

export const Snapshot: Resource = {
  kind: 'Snapshot',
  observe(f) {
    const id = `${f.target.vg}/${f.target.snapshot}`;
    const lv = f.snapshotLv;
    if (!lv) return view('Snapshot', id, 'absent');
    const observed = snapshotObserved(f, lv);
    if (!lv.tags.includes(OWNER_TAG)) return view('Snapshot', id, 'foreign', observed, `LV ${id} exists and was not created by lvmsnap (no "${OWNER_TAG}" tag)`);
    if (!(lv.isSnapshot || isThinVolume(lv)) || lv.origin !== f.target.lv)
      return view('Snapshot', id, 'foreign', observed, `LV ${id} is tagged by lvmsnap but is not a snapshot of ${f.target.lv}`);
    if (lv.snapshotInvalid) return view('Snapshot', id, 'degraded', observed, 'the snapshot is invalid (its copy-on-write space filled up)');
    if (lv.devices.includes('[unknown]')) return view('Snapshot', id, 'degraded', observed, 'its copy-on-write space is on a missing PV');
    if (!lv.active) return view('Snapshot', id, 'degraded', observed, lv.activationSkip ? 'the thin snapshot is not active (activation-skip flag set)' : 'the snapshot is not active');
    return view('Snapshot', id, 'present', observed);
  },
  create(f) {
    if (f.snapshotKind === 'thin') return [exec(lvcreateThinSnapshotArgv(f.target.vg, f.target.lv, f.target.snapshot))];
    const pv = f.pvDevice ?? undefined;
    return [exec(lvcreateSnapshotArgv(f.target.vg, f.target.lv, f.target.snapshot, f.snapshotBytes!, pv))];
  },
  destroy(f) {
    return [exec(lvremoveArgv(f.target.vg, f.target.snapshot))];
  },
};
