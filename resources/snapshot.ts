// Snapshot: the copy-on-write snapshot LV, tagged as ours at creation (one lvcreate, so no partial state).
import { lvcreateSnapshotArgv, lvremoveArgv, OWNER_TAG } from '../src/commands.js';
import { exec, view, type Resource } from './resource.js';

export const Snapshot: Resource = {
  kind: 'Snapshot',
  observe(f) {
    const id = `${f.target.vg}/${f.target.snapshot}`;
    const lv = f.snapshotLv;
    if (!lv) return view('Snapshot', id, 'absent');
    const observed = { origin: lv.origin, sizeBytes: lv.sizeBytes, usedPercent: lv.snapPercent, active: lv.active, devices: lv.devices, tags: lv.tags };
    if (!lv.tags.includes(OWNER_TAG)) return view('Snapshot', id, 'foreign', observed, `LV ${id} exists and was not created by lvmsnap (no "${OWNER_TAG}" tag)`);
    if (!lv.isSnapshot || lv.origin !== f.target.lv)
      return view('Snapshot', id, 'foreign', observed, `LV ${id} is tagged by lvmsnap but is not a snapshot of ${f.target.lv}`);
    if (lv.snapshotInvalid) return view('Snapshot', id, 'degraded', observed, 'the snapshot is invalid (its copy-on-write space filled up)');
    if (lv.devices.includes('[unknown]')) return view('Snapshot', id, 'degraded', observed, 'its copy-on-write space is on a missing PV');
    if (!lv.active) return view('Snapshot', id, 'degraded', observed, 'the snapshot is not active');
    return view('Snapshot', id, 'present', observed);
  },
  create(f) {
    const pv = f.target.tmpFile === undefined ? undefined : f.loopName!;
    return [exec(lvcreateSnapshotArgv(f.target.vg, f.target.lv, f.target.snapshot, f.snapshotBytes!, pv))];
  },
  destroy(f) {
    return [exec(lvremoveArgv(f.target.vg, f.target.snapshot))];
  },
};
