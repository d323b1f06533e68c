import { describe, expect, it } from 'vitest';
import { PvInVg } from '../../resources/pv-in-vg.js';
import { deriveFacts } from '../../src/facts.js';
import { lvmsnapPvUuid } from '../../src/pv-uuid.js';
import type { SystemSnapshot, Target } from '../../src/types.js';
import { baseSnap, baseTarget, edits, tmpTarget, withEdits } from '../helpers/snap.js';
import { argvOf } from '../helpers/snap.js';

const ours = () => withEdits(baseSnap(0), edits.file(), edits.journal(), edits.loop());
const PVCREATE = ['pvcreate', '--yes', '--uuid', lvmsnapPvUuid(tmpTarget), '--norestorefile', '/dev/loop0'];
const TAG = ['pvchange', '--addtag', 'lvmsnap', '--addtag', 'lvmsnap_for_root-lvmsnap', '/dev/loop0'];

describe('PvInVg', () => {
  const cases: [string, Target, SystemSnapshot, string, string[][] | null, string[][] | null][] = [
    ['unused without --tmp-file', baseTarget, baseSnap(), 'unused', null, null],
    ['absent: pvcreate with our UUID, vgextend, then tag', tmpTarget, ours(), 'absent', [PVCREATE, ['vgextend', '--yes', 'vg0', '/dev/loop0'], TAG], null],
    ['already converged: tagged PV on our loop in vg0', tmpTarget, withEdits(ours(), edits.pv()), 'present', null, [['vgreduce', '--yes', 'vg0', '/dev/loop0']]],
    ['partial: vgextend ran, crash before tagging', tmpTarget, withEdits(ours(), edits.pv({ tags: [] })), 'partial', [TAG], [['vgreduce', '--yes', 'vg0', '/dev/loop0']]],
    ['partial: orphan PV (pvcreate done, or vgreduce done)', tmpTarget, withEdits(ours(), edits.pv({ vg: null })), 'partial', [['vgextend', '--yes', 'vg0', '/dev/loop0'], TAG], []],
    ['degraded: untagged but with our UUID, missing (loop detached before tagging)', tmpTarget,
      withEdits(baseSnap(0), edits.file(), edits.journal(), edits.pv({ name: '[unknown]', missing: true, tags: [], uuid: lvmsnapPvUuid(tmpTarget) })), 'degraded', null, [['vgreduce', '--yes', '--removemissing', 'vg0']]],
    ['foreign: a missing untagged PV with another UUID is not ours', tmpTarget,
      withEdits(baseSnap(0), edits.file(), edits.journal(), edits.pv({ name: '[unknown]', missing: true, tags: [] })), 'absent', null, null],
    ['foreign: our loop is a PV of another VG', tmpTarget, withEdits(ours(), edits.pv({ vg: 'vg9' })), 'foreign', null, null],
    ['degraded: missing after a reboot, removed without --force', tmpTarget,
      withEdits(baseSnap(0), edits.file(), edits.journal(), edits.pv({ name: '[unknown]', missing: true })), 'degraded', null, [['vgreduce', '--yes', '--removemissing', 'vg0']]],
  ];
  it.each(cases)('%s', (_n, target, snap, status, create, destroy) => {
    const f = deriveFacts(target, snap);
    const v = PvInVg.observe(f);
    expect(v.status).toBe(status);
    const argv = argvOf;
    if (create) expect(argv(PvInVg.create(f, v))).toEqual(create);
    if (destroy) expect(argv(PvInVg.destroy(f, v))).toEqual(destroy);
  });

  it('never passes --force to vgreduce', () => {
    for (const snap of [withEdits(ours(), edits.pv()), withEdits(baseSnap(0), edits.pv({ name: '[unknown]', missing: true }))]) {
      const f = deriveFacts(tmpTarget, snap);
      const steps = PvInVg.destroy(f, PvInVg.observe(f));
      expect(steps.flatMap((s) => (s.type === 'exec' ? s.argv : []))).not.toContain('--force');
    }
  });
});
