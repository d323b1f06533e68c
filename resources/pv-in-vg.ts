// PvInVg: lvmsnap's loop device as a PV of the target VG, tagged as ours. The PV is created with a UUID
// derived from the target (src/pv-uuid.ts), so it is recognisably ours at every point: untagged after an
// interrupted create, orphaned after an interrupted destroy, missing after a reboot.
// With --cow-device the PV is on a spare block device instead (resources/pv-on-device.ts).
import { lvActivateArgv, pvcreateArgv, pvForTag, pvTagArgv, OWNER_TAG, vgextendArgv, vgreduceArgv, vgreduceMissingArgv } from '../src/commands.js';
import { isOurPv, type Facts } from '../src/facts.js';
import { lvmsnapPvUuid } from '../src/pv-uuid.js';
import type { ObservedPv, ResourceView, Step } from '../src/types.js';
import { PvOnDevice } from './pv-on-device.js';
import { exec, view, type Resource } from './resource.js';

export const facts = (pv: ObservedPv) => ({ uuid: pv.uuid, device: pv.name, vg: pv.vg, tags: pv.tags, peCount: pv.peCount, peAllocCount: pv.peAllocCount, missing: pv.missing });

const isOurs = (f: Facts, pv: ObservedPv): boolean => isOurPv(f.target, pv);

/** The journal records that the origin is to be reactivated (an interrupted recovery after a reboot). */
export const originPending = (f: Facts): boolean => f.snap.journal?.reactivateOrigin === f.target.lv;

/** Our PV after its device vanished (a reboot, a detached loop): missing, in our VG. */
export const missingOurPv = (f: Facts): ObservedPv | undefined =>
  f.snap.pvs.find((p) => p.missing && p.vg === f.target.vg && isOurs(f, p));

export const PvInVg: Resource = {
  kind: 'PvInVg',
  observe(f) {
    if (f.target.tmpFile === undefined && f.target.cowDevice === undefined) return view('PvInVg', '-', 'unused');
    const missing = missingOurPv(f);
    if (missing) return view('PvInVg', missing.uuid, 'degraded', facts(missing), f.target.cowDevice !== undefined ? `the PV is missing (its device ${missing.name === '[unknown]' ? f.target.cowDevice : missing.name} is gone)` : 'the PV is missing (its loop device is gone, e.g. after a reboot)');
    const pending = pendingView(f);
    if (pending) return pending;
    if (f.target.cowDevice !== undefined) return PvOnDevice.observe(f);
    const pv = f.boundLoop && f.tmpFileOurs ? f.loopPv : undefined;
    const id = `${f.target.vg}:${f.loopName ?? '(loop device)'}`;
    if (!pv) return view('PvInVg', id, 'absent');
    if (pv.vg !== null && pv.vg !== f.target.vg) return view('PvInVg', id, 'foreign', facts(pv), `${pv.name} is a PV of another VG (${pv.vg})`);
    if (pv.vg === null) return view('PvInVg', id, 'partial', facts(pv), 'initialised as a PV but not in the VG');
    const tagged = pv.tags.includes(OWNER_TAG) && pv.tags.includes(pvForTag(f.target.snapshot));
    return tagged ? view('PvInVg', id, 'present', facts(pv)) : view('PvInVg', id, 'partial', facts(pv), 'in the VG but not yet tagged');
  },
  create(f, v) {
    if (f.target.cowDevice !== undefined) return PvOnDevice.create(f, v);
    const dev = f.loopName!;
    const tag = exec(pvTagArgv(dev, f.target.snapshot));
    if (v.status === 'partial') return f.loopPv?.vg === null ? [exec(vgextendArgv(f.target.vg, dev)), tag] : [tag];
    return [exec(pvcreateArgv(dev, lvmsnapPvUuid(f.target))), exec(vgextendArgv(f.target.vg, dev)), tag];
  },
  destroy(f, v) {
    if (v.status === 'degraded') {
      // Never --force: on a VG with a missing PV, --force removes partial LVs, the origin among them.
      // After a reboot the origin stayed inactive (partial): bring it back once the missing PV is gone.
      // Once the PV is gone nothing shows why the origin is inactive, so the journal says so first: a
      // run killed between vgreduce and lvchange still reactivates it on the next absent.
      const inactive = f.origin !== undefined && !f.origin.active;
      const pending = originPending(f);
      const steps: Step[] = [];
      if (missingOurPv(f)) {
        if (inactive && !pending) steps.push({ type: 'journal', set: { reactivateOrigin: f.target.lv } });
        steps.push(exec(vgreduceMissingArgv(f.target.vg)));
      }
      if (inactive) steps.push(exec(lvActivateArgv(f.target.vg, f.target.lv)));
      if (inactive || pending) steps.push({ type: 'journal', set: {}, clear: ['reactivateOrigin'] });
      return steps;
    }
    if (f.target.cowDevice !== undefined) return PvOnDevice.destroy(f, v);
    // An orphan PV label on our loop device goes away with the file; nothing to do in LVM.
    if (f.loopPv?.vg === null) return [];
    return [exec(vgreduceArgv(f.target.vg, f.boundLoop!.name))];
  },
};

/** An interrupted recovery after a reboot: the missing PV is gone but the origin is yet to be reactivated. */
function pendingView(f: Facts): ResourceView | null {
  if (!originPending(f)) return null;
  return view('PvInVg', `${f.target.vg}/${f.target.lv}`, 'degraded', { originActive: f.origin?.active ?? null },
    f.origin?.active === false ? `the missing PV is removed, but ${f.target.vg}/${f.target.lv} is yet to be reactivated` : 'an interrupted recovery after a reboot is not yet recorded as finished');
}
