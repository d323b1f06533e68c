// Create-then-destroy returns the model to where it started, and random command sequences (with
// drift) never break the model's invariants or the project's parsers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as C from '../../src/commands.js';
import { parseFindmnt, parseFullreport, parseLosetupList, parseStat } from '../../src/parse/index.js';
import {
  drift, exec, fsInfo, pvMissing, simpleSystem, withoutCounters, type SimSystem,
} from '../../src/sim/model.js';
import { MIB, SNAP, TMP, TMP_BYTES, forward, reverse, runOk } from './helpers.js';

describe('create then destroy', () => {
  it.each([
    ['ext4 tmpfs fallocate', {}, forward()],
    ['xfs', { fstype: 'xfs' as const }, forward('xfs', 'ro,nouuid,norecovery')],
    ['ext4 tmp dir on ext4, dd', { tmpDirFs: 'ext4' as const }, [C.zeroFillArgv(TMP, TMP_BYTES), ...forward().slice(1)]],
  ])('%s: the system is deep-equal to the start (counters aside)', (_name, opts, steps) => {
    const start = simpleSystem(opts);
    const up = runOk(start, ...steps);
    expect(up).not.toEqual(start);
    const down = runOk(up, ...reverse());
    expect(withoutCounters(down)).toEqual(withoutCounters(start));
    expect(down.counters.ino).toBeGreaterThan(start.counters.ino); // inode numbers are never reused
  });
});

const POOL: (string[] | ((s: SimSystem) => SimSystem))[] = [
  ...forward(), ...reverse(),
  C.losetupAttachArgv('/dev/loop1', TMP), C.losetupDetachArgv('/dev/loop1'), C.vgextendArgv('vg0', '/dev/loop1'),
  C.lvcreateSnapshotArgv('vg0', 'root', SNAP, 500 * MIB), C.lvcreateSnapshotArgv('vg0', 'root', 'other', 8 * MIB, '/dev/loop0'),
  C.lvremoveArgv('vg0', 'other'), C.lvremoveArgv('vg0', 'root'), C.vgreduceMissingArgv('vg0'), C.vgreduceArgv('vg0', '/dev/loop1'),
  ['vgreduce', '--yes', '--removemissing', '--force', 'vg0'], C.mountArgv('ext4', 'ro', '/dev/vg0/other', '/media/snap'),
  C.umountArgv('/mnt/root'), C.umountArgv('/var/space'), C.zeroFillArgv(TMP, 300 * MIB), C.fallocateArgv('/var/space/big', 150 * MIB),
  drift.reboot, (s) => drift.detachLoop(s, '/dev/loop0', true), (s) => drift.detachLoop(s, '/dev/loop0'),
  (s) => drift.unmount(s, '/media/snap'), (s) => drift.invalidateSnapshot(s, 'vg0', SNAP), (s) => drift.deleteFile(s, TMP),
];

function checkInvariants(s: SimSystem): void {
  for (const pv of Object.values(s.pvs)) {
    const segs = Object.values(s.lvs).flatMap((lv) => lv.segs.filter((g) => g.pv === pv.uuid)).sort((a, b) => a.pe - b.pe);
    let end = 0;
    for (const g of segs) { expect(g.pe).toBeGreaterThanOrEqual(end); end = g.pe + g.count; }
    expect(end).toBeLessThanOrEqual(pv.peCount);
    expect(s.vgs[pv.vg]).toBeDefined();
  }
  for (const lv of Object.values(s.lvs)) {
    for (const g of lv.segs) expect(s.pvs[g.pv]).toBeDefined();
    if (lv.origin !== null) expect(Object.values(s.lvs).some((o) => o.vg === lv.vg && o.name === lv.origin)).toBe(true);
    expect(lv.active).toBe(lv.minor !== null);
    if (lv.active) expect(lv.segs.every((g) => !pvMissing(s, s.pvs[g.pv]!))).toBe(true);
  }
  const minors = Object.values(s.lvs).filter((l) => l.active).map((l) => l.minor);
  expect(new Set(minors).size).toBe(minors.length);
  for (const ino of Object.values(s.paths)) expect(s.inodes[ino]).toBeDefined();
  for (const l of Object.values(s.loops)) if (l.ino !== null) expect(s.inodes[l.ino]).toBeDefined();
  for (const m of s.mounts) {
    expect(fsInfo(s, m.fs)).toBeDefined();
    if (m.fs.startsWith('lv:')) expect(s.lvs[m.fs.slice(3)]!.active).toBe(true);
  }
  const r = exec(s, C.fullreportArgv()).result;
  const rep = parseFullreport(r.stdout);
  expect(rep.lvs).toHaveLength(Object.keys(s.lvs).length);
  expect(parseLosetupList(exec(s, C.losetupListArgv()).result.stdout).length).toBe(Object.values(s.loops).filter((l) => l.ino !== null).length);
  expect(parseFindmnt(exec(s, C.findmntArgv()).result.stdout)).toHaveLength(s.mounts.length);
  parseStat(exec(s, C.statArgv([TMP, '/media/snap', '/var/space'])).result.stdout);
}

describe('random sequences', () => {
  // Its own timeout: about 15 s on an idle 2-core machine, several times that when the machine is shared.
  it('never throw, keep the model consistent, and stay parseable', { timeout: 120_000 }, () => {
    fc.assert(fc.property(fc.array(fc.nat(POOL.length - 1), { maxLength: 30 }), fc.boolean(), (picks, xfs) => {
      let s = simpleSystem(xfs ? { fstype: 'xfs' } : {});
      for (const i of picks) {
        const step = POOL[i]!;
        s = typeof step === 'function' ? step(s) : exec(s, step).system;
        checkInvariants(s);
      }
    }), { numRuns: 300 });
  });
});
