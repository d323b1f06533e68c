import { describe, expect, it } from 'vitest';
import { Snapshot } from '../../resources/snapshot.js';
import { deriveFacts } from '../../src/facts.js';
import type { SystemSnapshot, Target } from '../../src/types.js';
import { baseSnap, baseTarget, edits, MIB, tmpTarget, withEdits } from '../helpers/snap.js';
import { argvOf } from '../helpers/snap.js';

const LVCREATE = ['lvcreate', '--yes', '--snapshot', '--size', `${60 * MIB}b`, '--name', 'root-lvmsnap', '--addtag', 'lvmsnap', 'vg0/root'];

describe('Snapshot', () => {
  const cases: [string, Target, SystemSnapshot, string, string[][] | null, string[][] | null][] = [
    ['absent, free space in the VG', baseTarget, baseSnap(), 'absent', [LVCREATE], null],
    ['absent, COW space placed on the loop PV', tmpTarget, withEdits(baseSnap(0), edits.file(), edits.journal(), edits.loop(), edits.pv()), 'absent', [[...LVCREATE, '/dev/loop0']], null],
    ['already converged', baseTarget, withEdits(baseSnap(), edits.snapshot()), 'present', null, [['lvremove', '--yes', 'vg0/root-lvmsnap']]],
    ['foreign: an LV with the name but without our tag', baseTarget, withEdits(baseSnap(), edits.snapshot({ tags: [] })), 'foreign', null, null],
    ['foreign: tagged, but a snapshot of another origin', baseTarget, withEdits(baseSnap(), edits.snapshot({ origin: 'home' })), 'foreign', null, null],
    ['foreign: tagged, but not a snapshot', baseTarget, withEdits(baseSnap(), edits.snapshot({ isSnapshot: false, origin: null })), 'foreign', null, null],
    ['degraded: invalid (COW full)', baseTarget, withEdits(baseSnap(), edits.snapshot({ snapshotInvalid: true })), 'degraded', null, [['lvremove', '--yes', 'vg0/root-lvmsnap']]],
    ['degraded: COW on a missing PV', baseTarget, withEdits(baseSnap(), edits.snapshot({ devices: ['[unknown]'], active: false, majMin: null })), 'degraded', null, null],
  ];
  it.each(cases)('%s', (_n, target, snap, status, create, destroy) => {
    const f = deriveFacts(target, snap);
    const v = Snapshot.observe(f);
    expect(v.status).toBe(status);
    const argv = argvOf;
    if (create) expect(argv(Snapshot.create(f, v))).toEqual(create);
    if (destroy) expect(argv(Snapshot.destroy(f, v))).toEqual(destroy);
  });

  it('resolves 25%ORIGIN to whole extents of the origin size', () => {
    const f = deriveFacts({ ...baseTarget, size: { kind: 'percentOrigin', percent: 25 } }, baseSnap());
    expect(Snapshot.create(f, Snapshot.observe(f))[0]).toMatchObject({ argv: expect.arrayContaining([`${28 * MIB}b`]) });
  });
});
