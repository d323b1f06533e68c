// Exhaustive crash and drift exploration: from a few start systems, every state reachable by up to DEPTH
// operations (apply present/absent run to completion or killed after each possible k-th mutating
// operation, and outside drift), each state visited once; every state must satisfy the invariants:
//   - absent restores the start system (after a reboot: all but the origin's mount, which a boot makes)
//     and a second absent changes nothing; never vgreduce --force; the origin's data untouched;
//   - present succeeds (as it does from the clean start), or after a reboot or a detached loop refuses
//     naming `--state absent` as the way out; a second present changes nothing.
// Unlike the random properties this covers chains of crashes deterministically (it found the stale tmp
// file identity, the lost origin reactivation and the refused snapshot rebuild). Deeper: EXHAUSTIVE_DEPTH=4.
import { describe, expect, it } from 'vitest';
import { reboot } from '../../src/sim/drift.js';
import type { SimSystem } from '../../src/sim/state.js';
import type { DesiredState } from '../../src/types.js';
import { applyOn, comparable, drift, initialSystem, mutatingRuns, originLv, targetOf, type Scenario } from './harness.js';

const MiB = 1024 * 1024;
const DEPTH = Number(process.env['EXHAUSTIVE_DEPTH'] ?? 3);
const noForeign = { lv: false, file: false, loop: false, mount: false };
const DRIFTS = ['unmount', 'detach', 'invalidate', 'reboot'] as const;

interface Node { readonly sys: SimSystem; readonly path: readonly string[]; readonly rebooted: boolean; readonly detached: boolean }

const CONFIGS: [string, Scenario][] = [
  ['tmp-file chain on tmpfs (fallocate), mounted', {
    sys: { vgFreeBytes: 0, originBytes: 40 * MiB, fstype: 'ext4', originMounted: true, tmpDirFs: 'tmpfs', tmpDirBytes: 200 * MiB },
    useTmp: true, useMount: true, sizeMiB: 8, pinLoop: false, foreign: noForeign, ops: [] }],
  ['tmp-file chain on vfat (zero fill), pinned loop device, xfs, not mounted', {
    sys: { vgFreeBytes: 0, originBytes: 40 * MiB, fstype: 'xfs', originMounted: false, tmpDirFs: 'vfat', tmpDirBytes: 200 * MiB },
    useTmp: true, useMount: false, sizeMiB: null, pinLoop: true, foreign: noForeign, ops: [] }],
  ['VG free space just enough, xfs, mounted', {
    sys: { vgFreeBytes: 8 * MiB, originBytes: 40 * MiB, fstype: 'xfs', originMounted: true, tmpDirFs: 'tmpfs', tmpDirBytes: 200 * MiB },
    useTmp: false, useMount: true, sizeMiB: 8, pinLoop: false, foreign: noForeign, ops: [] }],
];

describe('exhaustive exploration of crash and drift states (simulated LVM)', () => {
  it.each(CONFIGS)('%s: every reachable state converges both ways', async (_name, scn) => {
    const t = targetOf(scn);
    const start = initialSystem(scn);
    const key = (s: SimSystem) => JSON.stringify(comparable(s));
    const withoutMounts = (s: SimSystem) => { const { mounts: _m, ...rest } = comparable(s); return rest; };
    const clean = await applyOn(start, t, 'present');
    const cleanOk = clean.report!.planned.plan.refusals.length === 0 && !clean.report!.error;
    expect(cleanOk).toBe(true);
    const maxK = clean.calls.filter((c) => c.mutating).length;

    const check = async (n: Node): Promise<void> => {
      const where = `after [${n.path.join(', ')}]`;
      let a = await applyOn(n.sys, t, 'absent');
      expect(a.report!.planned.plan.refusals, where).toEqual([]);
      // Known limitation: a loop device someone detached lazily (autoclear) vanishes when the snapshot is
      // removed, so the vgreduce of that very run fails; the rerun the message asks for converges.
      if (a.report!.error && n.detached) {
        expect(a.report!.error.message, where).toMatch(/vgreduce/);
        a = await applyOn(a.system, t, 'absent');
      }
      expect(a.report!.error?.message, where).toBeUndefined();
      for (const c of mutatingRuns(a.calls)) expect(c.argv, where).not.toContain('--force');
      if (n.rebooted) expect(withoutMounts(a.system), where).toEqual(withoutMounts(start));
      else expect(comparable(a.system), where).toEqual(comparable(start));
      expect(mutatingRuns((await applyOn(a.system, t, 'absent')).calls), `${where}: second absent`).toEqual([]);

      const p = await applyOn(n.sys, t, 'present');
      const refusals = p.report!.planned.plan.refusals;
      // A lost loop PV (reboot, detached loop) is refused with the way out; nothing else is.
      if ((n.rebooted || n.detached) && refusals.length > 0) expect(refusals.join('\n'), where).toMatch(/run "lvmsnap apply --state absent"/);
      else if (!(n.detached && p.report!.error)) {
        expect(refusals, where).toEqual([]);
        expect(p.report!.error?.message, where).toBeUndefined();
        expect(mutatingRuns((await applyOn(p.system, t, 'present')).calls), `${where}: second present`).toEqual([]);
      }
      const { active: _a, minor: _m, ...origin } = originLv(n.sys);
      const { active: _a0, minor: _m0, ...before } = originLv(start);
      expect(origin, where).toEqual(before);
    };

    const seen = new Set([key(start)]);
    let frontier: Node[] = [{ sys: start, path: [], rebooted: false, detached: false }];
    for (let d = 1; d <= DEPTH; d++) {
      const next: Node[] = [];
      for (const n of frontier) {
        const moves: [string, () => Promise<SimSystem | null>][] = [];
        for (const state of ['present', 'absent'] as DesiredState[]) {
          moves.push([state, async () => (await applyOn(n.sys, t, state)).system]);
          for (let k = 1; k <= maxK; k++) moves.push([`${state} killed after ${k}`, async () => { const r = await applyOn(n.sys, t, state, k); return r.crashed ? r.system : null; }]);
        }
        for (const w of DRIFTS) moves.push([w, async () => (w === 'reboot' ? reboot(n.sys) : drift(n.sys, w))]);
        for (const [name, move] of moves) {
          const sys = await move();
          if (sys === null || seen.has(key(sys))) continue;
          seen.add(key(sys));
          const child = { sys, path: [...n.path, name], rebooted: n.rebooted || name === 'reboot', detached: n.detached || name === 'detach' };
          await check(child);
          next.push(child);
        }
      }
      frontier = next;
    }
    // The exploration really branched: many distinct states, not just the happy path.
    expect(seen.size).toBeGreaterThan(10);
  }, 600_000);
});
