import { describe, expect, it } from 'vitest';
import { makePlan, mutatingChanges } from '../src/plan.js';
import { lvmsnapPvUuid } from '../src/pv-uuid.js';
import type { DesiredState, SystemSnapshot, Target } from '../src/types.js';
import { baseSnap, baseTarget, edits, EXTENT, ourJournal, tmpTarget, withEdits } from './helpers/snap.js';

const FILE = '/var/space/cow.img';
const J = (over = {}) => edits.journal(ourJournal(over));
/** The chain's states after each successful create, for tmpTarget (file -> loop -> PV -> snapshot -> mount). */
const prefix: Record<string, () => SystemSnapshot> = {
  nothing: () => baseSnap(0),
  file: () => withEdits(baseSnap(0), edits.file(), J()),
  loop: () => withEdits(prefix['file']!(), edits.loop()),
  pv: () => withEdits(prefix['loop']!(), edits.pv()),
  snapshot: () => withEdits(prefix['loop']!(), edits.pv({ peAllocCount: 15, freeBytes: EXTENT }), edits.snapshot()),
  mounted: () => withEdits(prefix['snapshot']!(), J({ createdMountpoint: '/mnt/snap' }), edits.mountDir(), edits.mounted()),
};

const summary = (state: DesiredState, t: Target, s: SystemSnapshot) => {
  const { plan } = makePlan(state, t, s);
  return { refusals: plan.refusals, changes: plan.changes.filter((c) => c.action !== 'ok').map((c) => `${c.action} ${c.kind}`) };
};
const creates = (...kinds: string[]) => kinds.map((k) => `create ${k}`);
const destroys = (...kinds: string[]) => kinds.map((k) => `destroy ${k}`);
const ALL = ['TmpFile', 'LoopDevice', 'PvInVg', 'Snapshot', 'Mountpoint'];

describe('present resumes from every prefix of the chain', () => {
  it.each(Object.keys(prefix).map((k, i) => [k, i] as const))('after %s', (name, i) => {
    expect(summary('present', tmpTarget, prefix[name]!())).toEqual({ refusals: [], changes: creates(...ALL.slice(i)) });
  });
  it('a converged system plans no steps at all', () => {
    expect(mutatingChanges(makePlan('present', tmpTarget, prefix['mounted']!()).plan)).toEqual([]);
  });
});

describe('absent resumes from every prefix of the chain', () => {
  it.each(Object.keys(prefix).map((k, i) => [k, i] as const))('after %s', (name, i) => {
    expect(summary('absent', tmpTarget, prefix[name]!())).toEqual({ refusals: [], changes: destroys(...ALL.slice(0, i).reverse()) });
  });
});

describe('interrupted creates and destroys', () => {
  const cases: [string, SystemSnapshot, string[], string[]][] = [
    ['journal written, file not yet allocated', withEdits(baseSnap(0), J({ tmpFile: { path: FILE } })), creates(...ALL), destroys('TmpFile')],
    ['file allocated, identity not recorded', withEdits(baseSnap(0), edits.file(), J({ tmpFile: { path: FILE } })), creates(...ALL), destroys('TmpFile')],
    ['vgextend done, tag not yet added', withEdits(prefix['loop']!(), edits.pv({ tags: [] })), creates('PvInVg', 'Snapshot', 'Mountpoint'), destroys('PvInVg', 'LoopDevice', 'TmpFile')],
    ['vgreduce done, loop still attached (orphan PV)', withEdits(prefix['loop']!(), edits.pv({ vg: null })), creates('PvInVg', 'Snapshot', 'Mountpoint'), destroys('LoopDevice', 'TmpFile')],
    ['pvcreate done, crash before vgextend', withEdits(prefix['loop']!(), edits.pv({ vg: null, uuid: lvmsnapPvUuid(tmpTarget), tags: [] })), creates('PvInVg', 'Snapshot', 'Mountpoint'), destroys('LoopDevice', 'TmpFile')],
    ['mountpoint directory made, not mounted', withEdits(prefix['snapshot']!(), J({ createdMountpoint: '/mnt/snap' }), edits.mountDir()), creates('Mountpoint'), destroys('Mountpoint', 'Snapshot', 'PvInVg', 'LoopDevice', 'TmpFile')],
    ['loop detached by someone, PV gone from its device', withEdits(prefix['file']!()), creates('LoopDevice', 'PvInVg', 'Snapshot', 'Mountpoint'), destroys('TmpFile')],
  ];
  it.each(cases)('%s', (_n, snap, present, absent) => {
    expect(summary('present', tmpTarget, snap)).toEqual({ refusals: [], changes: present });
    expect(summary('absent', tmpTarget, snap)).toEqual({ refusals: [], changes: absent });
  });
});

describe('degraded resources are rebuilt with their dependents', () => {
  it('an invalid, mounted snapshot: unmount, remove, recreate, remount', () => {
    const s = withEdits(prefix['loop']!(), edits.pv({ peAllocCount: 15 }), edits.snapshot({ snapshotInvalid: true }), J({ createdMountpoint: '/mnt/snap' }), edits.mountDir(), edits.mounted());
    expect(summary('present', tmpTarget, s).changes).toEqual([...destroys('Mountpoint', 'Snapshot'), ...creates('Snapshot', 'Mountpoint')]);
    // The tmp-file PV is full (its one free extent is short of the 60 MiB): the old snapshot's extents
    // are freed first, so no refusal. The directory lvmsnap created is removed by the rebuild, then made again.
    const { plan } = makePlan('present', tmpTarget, s);
    expect(plan.refusals).toEqual([]);
    expect(mutatingChanges(plan).flatMap((c) => c.steps.map((st) => (st.type === 'exec' ? st.argv[0] : st.type)))).toEqual([
      'umount', 'rmdir', 'journal', 'lvremove', 'lvcreate', 'journal', 'mkdir', 'mount',
    ]);
  });
  it('an invalid snapshot in a directory lvmsnap did not create: the directory stays, no mkdir', () => {
    const s = withEdits(prefix['loop']!(), edits.pv({ peAllocCount: 15 }), edits.snapshot({ snapshotInvalid: true }), edits.mountDir(), edits.mounted());
    const { plan } = makePlan('present', tmpTarget, s);
    expect(mutatingChanges(plan).flatMap((c) => c.steps.map((st) => (st.type === 'exec' ? st.argv[0] : st.type)))).toEqual(['umount', 'lvremove', 'lvcreate', 'mount']);
  });
  it('after a reboot lost the loop PV: remove the snapshot, then vgreduce --removemissing (never --force)', () => {
    const s = withEdits(baseSnap(0), edits.file(), J(), edits.pv({ name: '[unknown]', missing: true, peAllocCount: 15 }),
      edits.snapshot({ devices: ['[unknown]'], active: false, majMin: null }), (x) => ({ ...x, vgs: [{ ...x.vgs[0]!, partial: true, missingPvCount: 1 }] }));
    const { plan } = makePlan('absent', tmpTarget, s);
    expect(plan.refusals).toEqual([]);
    expect(mutatingChanges(plan).flatMap((c) => c.steps.map((st) => (st.type === 'exec' ? st.argv.join(' ') : st.type)))).toEqual([
      'lvremove --yes vg0/root-lvmsnap', 'vgreduce --yes --removemissing vg0', 'rm -- /var/space/cow.img', 'journal',
    ]);
  });
  it('after a reboot left the origin inactive (partial): absent reactivates it; present refuses and says to run absent', () => {
    const s = withEdits(baseSnap(0), J({ tmpFile: { path: FILE } }), edits.pv({ name: '[unknown]', missing: true, peAllocCount: 15 }),
      edits.snapshot({ devices: ['[unknown]'], active: false, majMin: null }),
      (x) => ({ ...x, lvs: x.lvs.map((l) => (l.name === 'root' ? { ...l, active: false, majMin: null } : l)), vgs: [{ ...x.vgs[0]!, partial: true, missingPvCount: 1 }] }));
    const { plan } = makePlan('absent', tmpTarget, s);
    const steps = (p: typeof plan) => mutatingChanges(p).flatMap((c) => c.steps.map((st) => (st.type === 'exec' ? st.argv.join(' ') : st.type === 'journal' ? `journal ${JSON.stringify(st.set)} -${st.clear ?? ''}` : st.type)));
    // The journal records the pending reactivation before vgreduce removes the only other evidence.
    expect(steps(plan)).toEqual([
      'lvremove --yes vg0/root-lvmsnap', 'journal {"reactivateOrigin":"root"} -', 'vgreduce --yes --removemissing vg0', 'lvchange --activate y vg0/root',
      'journal {} -reactivateOrigin', 'journal {} -tmpFile',
    ]);
    expect(makePlan('present', tmpTarget, s).plan.refusals.join('\n')).toMatch(/loop PV of vg0 is missing \(was the host rebooted\?\): run "lvmsnap apply --state absent"/);

    // Killed right after vgreduce: the missing PV is gone, the journal still says to reactivate the origin.
    const afterVgreduce = withEdits(s, J({ tmpFile: { path: FILE }, reactivateOrigin: 'root' }),
      (x) => ({ ...x, pvs: x.pvs.filter((p) => !p.missing), lvs: x.lvs.filter((l) => l.name === 'root'), vgs: [{ ...x.vgs[0]!, partial: false, missingPvCount: 0 }] }));
    expect(steps(makePlan('absent', tmpTarget, afterVgreduce).plan)).toEqual(['lvchange --activate y vg0/root', 'journal {} -reactivateOrigin', 'journal {} -tmpFile']);
    expect(makePlan('present', tmpTarget, afterVgreduce).plan.refusals.join('\n')).toMatch(/interrupted recovery after a reboot is unfinished .* run "lvmsnap apply --state absent"/);
    // Killed after lvchange: only the record is left to clear.
    const afterLvchange = withEdits(afterVgreduce, (x) => ({ ...x, lvs: x.lvs.map((l) => ({ ...l, active: true, majMin: '253:0' })) }));
    expect(steps(makePlan('absent', tmpTarget, afterLvchange).plan)).toEqual(['journal {} -reactivateOrigin', 'journal {} -tmpFile']);
  });
});

describe('refusals happen in the plan, before anything runs', () => {
  const cases: [string, Target, SystemSnapshot, RegExp][] = [
    ['not root', baseTarget, { ...baseSnap(), uid: 1000 }, /must run as root/],
    ['VG missing', { ...baseTarget, vg: 'nope' }, baseSnap(), /volume group "nope" not found/],
    ['LV missing', { ...baseTarget, lv: 'nope' }, baseSnap(), /"vg0\/nope" not found/],
    ['origin is a snapshot', { ...baseTarget, lv: 'root-lvmsnap', snapshot: 's2' }, withEdits(baseSnap(), edits.snapshot()), /itself a snapshot/],
    ['VG too full', baseTarget, baseSnap(2), /has 8 MiB free.*--tmp-file/],
    ['tmp file too small', { ...tmpTarget, tmpFileSize: 32 * 1024 * 1024 }, baseSnap(0), /tmp file provides 28 MiB/],
    ['tmp file on the VG itself', { ...tmpTarget, tmpFile: '/srv/cow.img' }, { ...baseSnap(0), paths: { ...baseSnap(0).paths, '/srv': { path: '/srv', type: 'directory', dev: 1, ino: 2, size: 4096, mountPoint: '/srv' } } }, /inside the volume group it extends/],
    ['no room for the tmp file', tmpTarget, { ...baseSnap(0), tmpFs: { source: 'tmpfs', fstype: 'tmpfs', availBytes: 1024, target: '/var/space' } }, /has 1 KiB free/],
    ['foreign LV at the snapshot name', baseTarget, withEdits(baseSnap(), edits.snapshot({ tags: [] })), /not created by lvmsnap/],
    ['foreign file at the tmp-file path', tmpTarget, withEdits(baseSnap(0), edits.file()), /exists and was not created by lvmsnap/],
    ['something else mounted at the mountpoint', { ...baseTarget, mountpoint: '/mnt/snap' }, withEdits(baseSnap(), edits.mountDir(), edits.mounted('/dev/sdb1', '8:17')), /\/dev\/sdb1 is mounted at \/mnt\/snap/],
    ['unknown filesystem without --mount-options', { ...baseTarget, mountpoint: '/mnt/snap' }, { ...baseSnap(), originFstype: 'btrfs' }, /no safe read-only mount options for btrfs/],
    ['mountpoint parent missing', { ...baseTarget, mountpoint: '/nope/snap' }, baseSnap(), /parent directory \/nope does not exist/],
    ['no free loop device', tmpTarget, { ...baseSnap(0), freeLoop: null }, /no free loop device/],
    ['another LV spilled onto our PV', tmpTarget, withEdits(prefix['pv']!(), (s) => ({ ...s, lvs: [{ ...s.lvs[0]!, devices: ['/dev/vda', '/dev/loop0'] }] })), /holds extents of vg0\/root/],
  ];
  it.each(cases)('%s', (_n, target, snap, re) => {
    const state: DesiredState = _n === 'another LV spilled onto our PV' ? 'absent' : 'present';
    const { plan } = makePlan(state, target, snap);
    expect(plan.refusals.join('\n')).toMatch(re);
  });

  it('absent leaves foreign objects alone instead of refusing', () => {
    const { plan } = makePlan('absent', baseTarget, withEdits(baseSnap(), edits.snapshot({ tags: [] })));
    expect(plan.refusals).toEqual([]);
    expect(mutatingChanges(plan)).toEqual([]);
    expect(plan.changes.find((c) => c.kind === 'Snapshot')?.reason).toMatch(/left alone/);
  });
});
