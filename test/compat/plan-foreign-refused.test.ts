// PlanContext.foreignRefused (used by the drop-in snapshot-unmount): absent refuses a foreign object of
// the listed kinds instead of leaving it alone; other kinds, and the default, are left alone as before.
import { describe, expect, it } from 'vitest';
import { ORIGINAL_REMOVED } from '../../src/compat/lvm-snapshot.js';
import { makePlan } from '../../src/plan.js';
import { baseSnap, baseTarget, edits, withEdits } from '../helpers/snap.js';

describe('absent with foreignRefused', () => {
  const foreignSnapshot = withEdits(baseSnap(), edits.snapshot({ tags: [] }));
  it('default: a foreign LV at the snapshot name is left alone, nothing refused', () => {
    const p = makePlan('absent', baseTarget, foreignSnapshot);
    expect(p.plan.refusals).toEqual([]);
    expect(p.plan.changes.find((c) => c.kind === 'Snapshot')).toMatchObject({ action: 'ok', reason: expect.stringMatching(/^left alone/) });
  });
  it('Snapshot listed: refused, with what to do', () => {
    const p = makePlan('absent', baseTarget, foreignSnapshot, { foreignRefused: ORIGINAL_REMOVED });
    expect(p.plan.refusals).toEqual([expect.stringMatching(/^Snapshot vg0\/root-lvmsnap: .*remove it yourself if it is not needed$/)]);
  });
  it('a foreign mount is not in ORIGINAL_REMOVED: left alone even so', () => {
    const s = withEdits(baseSnap(), edits.mountDir(), edits.mounted('/dev/sdz1', '8:99', ['rw']));
    const p = makePlan('absent', { ...baseTarget, mountpoint: '/mnt/snap' }, s, { foreignRefused: ORIGINAL_REMOVED });
    expect(p.plan.refusals).toEqual([]);
    expect(p.plan.changes.find((c) => c.kind === 'Mountpoint')).toMatchObject({ action: 'ok' });
  });
});
