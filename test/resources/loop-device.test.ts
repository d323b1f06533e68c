import { describe, expect, it } from 'vitest';
import { LoopDevice } from '../../resources/loop-device.js';
import { deriveFacts } from '../../src/facts.js';
import type { SystemSnapshot, Target } from '../../src/types.js';
import { baseSnap, baseTarget, edits, tmpTarget, withEdits } from '../helpers/snap.js';
import { argvOf } from '../helpers/snap.js';

const FILE = '/var/space/cow.img';
const ours = () => withEdits(baseSnap(), edits.file(), edits.journal());

describe('LoopDevice', () => {
  const cases: [string, Target, SystemSnapshot, string, string, string[][] | null, string[][] | null][] = [
    ['unused without --tmp-file', baseTarget, baseSnap(), 'unused', '-', null, null],
    ['absent: attach the first free loop device', tmpTarget, ours(), 'absent', '/dev/loop0', [['losetup', '/dev/loop0', '--', FILE]], []],
    ['absent with --loop-device', { ...tmpTarget, loopDevice: '/dev/loop5' }, ours(), 'absent', '/dev/loop5', [['losetup', '/dev/loop5', '--', FILE]], null],
    ['already converged: bound to our file', tmpTarget, withEdits(ours(), edits.loop()), 'present', '/dev/loop0', null, [['losetup', '--detach', '/dev/loop0']]],
    ['foreign: --loop-device bound to another file', { ...tmpTarget, loopDevice: '/dev/loop2' }, withEdits(ours(), edits.loop('/srv/other.img', '/dev/loop2')), 'foreign', '/dev/loop2', null, null],
    ['foreign: bound to our path but the file is not ours', tmpTarget, withEdits(baseSnap(), edits.file(), edits.loop()), 'foreign', '/dev/loop0', null, null],
    ['other loop devices are ignored', tmpTarget, withEdits(ours(), edits.loop('/srv/other.img', '/dev/loop3')), 'absent', '/dev/loop0', [['losetup', '/dev/loop0', '--', FILE]], null],
  ];
  it.each(cases)('%s', (_n, target, snap, status, id, create, destroy) => {
    const f = deriveFacts(target, snap);
    const v = LoopDevice.observe(f);
    expect([v.status, v.id]).toEqual([status, id]);
    const argv = argvOf;
    if (create) expect(argv(LoopDevice.create(f, v))).toEqual(create);
    if (destroy) expect(argv(LoopDevice.destroy(f, v))).toEqual(destroy);
  });
});
