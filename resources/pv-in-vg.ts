// PvInVg: lvmsnap's loop device as a PV of the target VG, tagged as ours. A PV is ours when it sits on our
// loop device (an untagged one there is an interrupted create) or, once its device is gone after a
// reboot, when it still carries our per-snapshot tag.
import { pvForTag, pvTagArgv, OWNER_TAG, vgextendArgv, vgreduceArgv, vgreduceMissingArgv } from '../src/commands.js';
import type { Facts } from '../src/facts.js';
import type { ObservedPv } from '../src/types.js';
import { exec, view, type Resource } from './resource.js';

const facts = (pv: ObservedPv) => ({ uuid: pv.uuid, vg: pv.vg, tags: pv.tags, peCount: pv.peCount, peAllocCount: pv.peAllocCount, missing: pv.missing });

/** Our PV after its loop device vanished (reboot): missing, in our VG, carrying our per-snapshot tag. */
export const missingOurPv = (f: Facts): ObservedPv | undefined =>
  f.snap.pvs.find((p) => p.missing && p.vg === f.target.vg && p.tags.includes(pvForTag(f.target.snapshot)));

export const PvInVg: Resource = {
  kind: 'PvInVg',
  observe(f) {
    if (f.target.tmpFile === undefined) return view('PvInVg', '-', 'unused');
    const missing = missingOurPv(f);
    if (missing) return view('PvInVg', missing.uuid, 'degraded', facts(missing), 'the PV is missing (its loop device is gone, e.g. after a reboot)');
    const pv = f.boundLoop && f.tmpFileOurs ? f.loopPv : undefined;
    const id = `${f.target.vg}:${f.loopName ?? '(loop device)'}`;
    if (!pv || pv.vg === null) return view('PvInVg', id, 'absent');
    if (pv.vg !== f.target.vg) return view('PvInVg', id, 'foreign', facts(pv), `${pv.name} is a PV of another VG (${pv.vg})`);
    const tagged = pv.tags.includes(OWNER_TAG) && pv.tags.includes(pvForTag(f.target.snapshot));
    return tagged ? view('PvInVg', id, 'present', facts(pv)) : view('PvInVg', id, 'partial', facts(pv), 'in the VG but not yet tagged');
  },
  create(f, v) {
    const dev = f.loopName!;
    return v.status === 'partial' ? [exec(pvTagArgv(dev, f.target.snapshot))] : [exec(vgextendArgv(f.target.vg, dev)), exec(pvTagArgv(dev, f.target.snapshot))];
  },
  destroy(f, v) {
    // Never --force: on a VG with a missing PV, --force removes partial LVs, the origin among them.
    if (v.status === 'degraded') return [exec(vgreduceMissingArgv(f.target.vg))];
    return [exec(vgreduceArgv(f.target.vg, f.boundLoop!.name))];
  },
};
