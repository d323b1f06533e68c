import { describe, expect, it } from 'vitest';
import { TmpFile } from '../../resources/tmp-file.js';
import { deriveFacts } from '../../src/facts.js';
import type { SystemSnapshot, Target } from '../../src/types.js';
import { baseSnap, baseTarget, edits, MIB, ourJournal, tmpTarget, withEdits } from '../helpers/snap.js';

const F = (t: Target, s: SystemSnapshot) => deriveFacts(t, s);
const FILE = '/var/space/cow.img';
// 60 MiB snapshot + 1 MiB PV header + one 4 MiB extent = 65 MiB
const BYTES = String(65 * MIB);

describe('TmpFile', () => {
  const cases: [string, Target, SystemSnapshot, string, unknown[] | null, unknown[] | null][] = [
    ['unused without --tmp-file', baseTarget, baseSnap(), 'unused', null, null],
    ['absent: journal first, fallocate on tmpfs, then record identity', tmpTarget, baseSnap(), 'absent',
      [{ type: 'journal', set: { tmpFile: { path: FILE } } }, { type: 'exec', argv: ['fallocate', '--length', BYTES, '--', FILE] }, { type: 'recordFileIdentity', path: FILE }], null],
    ['already converged: recorded file with matching inode', tmpTarget, withEdits(baseSnap(), edits.file(), edits.journal()), 'present', null,
      [{ type: 'exec', argv: ['rm', '--', FILE] }, { type: 'journal', set: {}, clear: ['tmpFile'] }]],
    ['foreign: a file nobody recorded', tmpTarget, withEdits(baseSnap(), edits.file()), 'foreign', null, null],
    ['foreign: recorded path but a different inode (replaced by someone)', tmpTarget,
      withEdits(baseSnap(), edits.file(), edits.journal(ourJournal({ tmpFile: { path: FILE, dev: 41, ino: 999 } }))), 'foreign', null, null],
    ['partial: journal written, crash before allocation', tmpTarget, withEdits(baseSnap(), edits.journal(ourJournal({ tmpFile: { path: FILE } }))), 'partial',
      [{ type: 'exec', argv: ['fallocate', '--length', BYTES, '--', FILE] }, { type: 'recordFileIdentity', path: FILE }], [{ type: 'journal', set: {}, clear: ['tmpFile'] }]],
    ['partial: allocated, crash before recording identity', tmpTarget, withEdits(baseSnap(), edits.file(), edits.journal(ourJournal({ tmpFile: { path: FILE } }))), 'partial',
      [{ type: 'recordFileIdentity', path: FILE }], [{ type: 'exec', argv: ['rm', '--', FILE] }, { type: 'journal', set: {}, clear: ['tmpFile'] }]],
    // Regression (property seed 1663457774): an absent crashed between rm and the journal update, so the
    // record still names the removed file's inode. The new file must be created under a fresh intent.
    ['partial: stale identity of a removed file is replaced by a bare intent before allocating', tmpTarget,
      withEdits(baseSnap(), edits.journal(ourJournal({ tmpFile: { path: FILE, dev: 41, ino: 999 } }))), 'partial',
      [{ type: 'journal', set: { tmpFile: { path: FILE } } }, { type: 'exec', argv: ['fallocate', '--length', BYTES, '--', FILE] }, { type: 'recordFileIdentity', path: FILE }],
      [{ type: 'journal', set: {}, clear: ['tmpFile'] }]],
    ['partial: zero fill interrupted (short file) is removed and redone', tmpTarget,
      withEdits(baseSnap(), edits.file(3 * MIB), edits.journal(ourJournal({ tmpFile: { path: FILE } }))), 'partial',
      [{ type: 'exec', argv: ['rm', '--', FILE] }, { type: 'exec', argv: ['fallocate', '--length', BYTES, '--', FILE] }, { type: 'recordFileIdentity', path: FILE }], null],
  ];
  it.each(cases)('%s', (_name, target, snap, status, create, destroy) => {
    const f = F(target, snap);
    const v = TmpFile.observe(f);
    expect(v.status).toBe(status);
    if (create) expect(TmpFile.create(f, v)).toEqual(create);
    if (destroy) expect(TmpFile.destroy(f, v)).toEqual(destroy);
  });

  it('writes zeros (never sparse) where fallocate is not known to work', () => {
    const snap = { ...baseSnap(), tmpFs: { source: '/dev/sdb1', fstype: 'vfat', availBytes: 1e9, target: '/var/space' } };
    const f = F(tmpTarget, snap);
    expect(TmpFile.create(f, TmpFile.observe(f))[1]).toEqual({
      type: 'exec', progress: true,
      argv: ['dd', 'if=/dev/zero', `of=${FILE}`, `bs=${MIB}`, 'count=65', 'conv=fsync,excl', 'status=progress'],
    });
  });

  it('honours --allocate zero and an explicit --tmp-file-size', () => {
    const f = F({ ...tmpTarget, allocate: 'zero', tmpFileSize: 128 * MIB }, baseSnap());
    expect(TmpFile.create(f, TmpFile.observe(f))[1]).toMatchObject({ argv: expect.arrayContaining(['count=128']) });
  });
});
