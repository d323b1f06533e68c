import { describe, expect, it } from 'vitest';
import { Mountpoint } from '../../resources/mountpoint.js';
import { deriveFacts } from '../../src/facts.js';
import type { Step, SystemSnapshot, Target } from '../../src/types.js';
import { baseSnap, baseTarget, edits, ourJournal, withEdits } from '../helpers/snap.js';

const T: Target = { ...baseTarget, mountpoint: '/mnt/snap' };
const MOUNT = ['mount', '-t', 'ext4', '-o', 'ro,noload', '--', '/dev/vg0/root-lvmsnap', '/mnt/snap'];
const withSnap = () => withEdits(baseSnap(), edits.snapshot());

describe('Mountpoint', () => {
  const cases: [string, Target, SystemSnapshot, string, Step[] | null, Step[] | null][] = [
    ['unused without --mountpoint', baseTarget, baseSnap(), 'unused', null, null],
    ['absent, no directory: journal, mkdir, mount', T, withSnap(), 'absent',
      [{ type: 'journal', set: { createdMountpoint: '/mnt/snap' } }, { type: 'exec', argv: ['mkdir', '--', '/mnt/snap'] }, { type: 'exec', argv: MOUNT }], []],
    ['absent, the user\'s directory exists: mount only', T, withEdits(withSnap(), edits.mountDir()), 'absent', [{ type: 'exec', argv: MOUNT }], []],
    ['already converged, user directory: umount, keep the directory', T, withEdits(withSnap(), edits.mountDir(), edits.mounted()), 'present', null,
      [{ type: 'exec', argv: ['umount', '--', '/mnt/snap'] }]],
    ['already converged, our directory: umount, rmdir, forget', T, withEdits(withSnap(), edits.mountDir(), edits.mounted(), edits.journal(ourJournal({ tmpFile: undefined, createdMountpoint: '/mnt/snap' }))), 'present', null,
      [{ type: 'exec', argv: ['umount', '--', '/mnt/snap'] }, { type: 'exec', argv: ['rmdir', '--', '/mnt/snap'] }, { type: 'journal', set: {}, clear: ['createdMountpoint'] }]],
    ['--remove-mountpoint removes the user\'s directory too', { ...T, removeMountpoint: true }, withEdits(withSnap(), edits.mountDir(), edits.mounted()), 'present', null,
      [{ type: 'exec', argv: ['umount', '--', '/mnt/snap'] }, { type: 'exec', argv: ['rmdir', '--', '/mnt/snap'] }]],
    ['foreign: something else mounted there', T, withEdits(withSnap(), edits.mountDir(), edits.mounted('/dev/sdb1', '8:17')), 'foreign', null, null],
    ['degraded: our snapshot mounted read-write', T, withEdits(withSnap(), edits.mountDir(), edits.mounted(undefined, undefined, ['rw'])), 'degraded', null,
      [{ type: 'exec', argv: ['umount', '--', '/mnt/snap'] }]],
    ['partial: directory made, crash before mount', T, withEdits(withSnap(), edits.mountDir(), edits.journal(ourJournal({ tmpFile: undefined, createdMountpoint: '/mnt/snap' }))), 'partial',
      [{ type: 'exec', argv: MOUNT }], [{ type: 'exec', argv: ['rmdir', '--', '/mnt/snap'] }, { type: 'journal', set: {}, clear: ['createdMountpoint'] }]],
  ];
  it.each(cases)('%s', (_n, target, snap, status, create, destroy) => {
    const f = deriveFacts(target, snap);
    const v = Mountpoint.observe(f);
    expect(v.status).toBe(status);
    if (create) expect(Mountpoint.create(f, v)).toEqual(create);
    if (destroy) expect(Mountpoint.destroy(f, v)).toEqual(destroy);
  });

  it('mounts xfs with nouuid,norecovery (plain ro fails while the origin is mounted)', () => {
    const f = deriveFacts(T, { ...withSnap(), originFstype: 'xfs' });
    expect(Mountpoint.create(f, Mountpoint.observe(f)).at(-1)).toEqual({ type: 'exec', argv: ['mount', '-t', 'xfs', '-o', 'ro,nouuid,norecovery', '--', '/dev/vg0/root-lvmsnap', '/mnt/snap'] });
  });
});
