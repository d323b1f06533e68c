// PvInVg on a spare block device (--cow-device): pvcreate with the derived UUID, vgextend, tag; taken
// down by vgreduce and pvremove, which wipes only the PV label lvmsnap wrote. The PV is ours by its
// UUID or tags at every step (an orphan after an interrupted create or destroy, untagged in between).
// Unlike a loop PV it survives a reboot: afterwards it is simply present, and absent takes it down.
// What may be on the device before the first pvcreate is checked in src/cow-device/checks.ts.
import { pvcreateArgv, pvremoveArgv, pvTagArgv, OWNER_TAG, pvForTag, vgextendArgv, vgreduceArgv } from '../src/commands.js';
import { isOurPv } from '../src/facts.js';
import { lvmsnapPvUuid } from '../src/pv-uuid.js';
import type { ObservedPv } from '../src/types.js';
import { exec, view, type Resource } from './resource.js';

const observed = (pv: ObservedPv) => ({ uuid: pv.uuid, device: pv.name, vg: pv.vg, tags: pv.tags, peCount: pv.peCount, peAllocCount: pv.peAllocCount, missing: pv.missing });

export const PvOnDevice: Omit<Resource, 'kind'> = {
  observe(f) {
    const t = f.target;
    const pv = f.cowPv;
    const id = `${t.vg}:${pv?.name ?? f.cowDevicePath!}`;
    if (!pv) return view('PvInVg', id, 'absent');
    if (pv.vg !== null && pv.vg !== t.vg) return view('PvInVg', id, 'foreign', observed(pv), `${pv.name} is a PV of another VG (${pv.vg})`);
    if (!isOurPv(t, pv))
      return view('PvInVg', id, 'foreign', observed(pv), pv.vg !== null ? `${pv.name} is already a PV of ${pv.vg}, not created by lvmsnap` : `${pv.name} carries a PV label that lvmsnap did not write`);
    if (pv.vg === null) return view('PvInVg', id, 'partial', observed(pv), 'initialised as a PV but not in the VG');
    const tagged = pv.tags.includes(OWNER_TAG) && pv.tags.includes(pvForTag(t.snapshot));
    return tagged ? view('PvInVg', id, 'present', observed(pv)) : view('PvInVg', id, 'partial', observed(pv), 'in the VG but not yet tagged');
  },
  create(f, v) {
    const dev = f.pvDevice!;
    const tag = exec(pvTagArgv(dev, f.target.snapshot));
    if (v.status === 'partial') return f.cowPv?.vg === null ? [exec(vgextendArgv(f.target.vg, dev)), tag] : [tag];
    return [exec(pvcreateArgv(dev, lvmsnapPvUuid(f.target))), exec(vgextendArgv(f.target.vg, dev)), tag];
  },
  destroy(f) {
    const pv = f.cowPv!;
    return pv.vg === null ? [exec(pvremoveArgv(pv.name))] : [exec(vgreduceArgv(f.target.vg, pv.name)), exec(pvremoveArgv(pv.name))];
  },
};
