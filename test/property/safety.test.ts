// The invariants of issue #3, each its own property, over random systems and op sequences.
// Replay a failure: PROPERTY_SEED=<seed> PROPERTY_PATH=<path> npx vitest run test/property
// Scale up:         PROPERTY_RUNS=100000 npx vitest run test/property
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reboot } from '../../src/sim/drift.js';
import { lvmsnapPvUuid } from '../../src/pv-uuid.js';
import {
  PROPERTY_TIMEOUT, originLv, crashScenarioArb, applyOn, applyOp, comparable, fcParams, initialSystem, mutatingRuns, runOps, scenarioArb, targetOf,
} from './harness.js';


describe('model-based properties: crashes and safety (simulated LVM)', () => {
  it('after a crash at any command, one absent restores the starting system and one present converges', async () => {
    const crashScenario = crashScenarioArb();
    await fc.assert(fc.asyncProperty(crashScenario, async (scn) => {
      const t = targetOf(scn);
      const start = initialSystem(scn);
      const { system } = await runOps(start, t, scn.ops);
      const absent = await applyOn(system, t, 'absent');
      expect(absent.report!.planned.plan.refusals).toEqual([]);
      expect(absent.report!.error?.message).toBeUndefined();
      expect(comparable(absent.system)).toEqual(comparable(start));
      const present = await applyOn(system, t, 'present');
      const clean = await applyOn(start, t, 'present');
      // From the crashed state, present succeeds exactly when it succeeds from a clean start.
      expect(present.report!.planned.plan.refusals.length === 0 && !present.report!.error)
        .toBe(clean.report!.planned.plan.refusals.length === 0 && !clean.report!.error);
      if (!present.report!.error && present.report!.planned.plan.refusals.length === 0) {
        const again = await applyOn(present.system, t, 'present');
        expect(mutatingRuns(again.calls)).toEqual([]);
      }
    }), fcParams());
  }, PROPERTY_TIMEOUT);

  it('no run removes or modifies the origin, vgreduces a PV holding extents, or passes --force to vgreduce', async () => {
    await fc.assert(fc.asyncProperty(scenarioArb(), async (scn) => {
      const t = targetOf(scn);
      const start = initialSystem(scn);
      const { steps, system } = await runOps(start, t, [...scn.ops, applyOp('absent')]);
      const runs = steps.flatMap((s) => (s.result ? mutatingRuns(s.result.calls) : []));
      for (const c of runs) {
        expect(c.argv.join(' ')).not.toMatch(/^lv(remove|resize|reduce|extend|change|rename|convert) .*vg0\/root( |$)/);
        if (c.argv[0] === 'vgreduce') {
          expect(c.argv).not.toContain('--force');
          expect(c.argv).not.toContain('-f');
          // The model refuses, like lvm2, a vgreduce of a PV that holds extents or one that leaves partial LVs.
          expect(c.stderr).not.toMatch(/still in use|partial LVs/);
        }
      }
      const { active: _a, minor: _m, ...origin } = originLv(system);
      const { active: _a2, minor: _m2, ...before } = originLv(start);
      expect(origin).toEqual(before);
    }), fcParams());
  }, PROPERTY_TIMEOUT);

  it('every refusal happens before the first mutating command', async () => {
    await fc.assert(fc.asyncProperty(scenarioArb(), async (scn) => {
      const t = targetOf(scn);
      const { steps } = await runOps(initialSystem(scn), t, scn.ops);
      for (const s of steps) {
        const rep = s.result?.report;
        if (rep && rep.planned.plan.refusals.length > 0) {
          expect(mutatingRuns(s.result!.calls)).toEqual([]);
          expect(s.result!.system).toEqual({ ...s.before, locks: s.result!.system.locks });
        }
      }
    }), fcParams());
  }, PROPERTY_TIMEOUT);

  it('after a reboot that lost the loop PV, one absent recovers the origin (no --force) and present works again', async () => {
    const rebootScenario = scenarioArb({ foreign: false, ops: fc.option(fc.integer({ min: 1, max: 16 }), { nil: null }).map((k) => [applyOp('present', k)]) })
      .map((scn) => ({ ...scn, useTmp: true, sys: { ...scn.sys, tmpDirFs: 'tmpfs' as const } }));
    await fc.assert(fc.asyncProperty(rebootScenario, async (scn) => {
      const t = targetOf(scn);
      const start = initialSystem(scn);
      const { system } = await runOps(start, t, scn.ops);
      const booted = reboot(system);
      const absent = await applyOn(booted, t, 'absent');
      expect(absent.report!.planned.plan.refusals).toEqual([]);
      expect(absent.report!.error?.message).toBeUndefined();
      for (const c of mutatingRuns(absent.calls)) expect(c.argv).not.toContain('--force');
      const s = absent.system;
      const { active, minor: _m, ...origin } = originLv(s);
      const { active: _a, minor: _m2, ...before } = originLv(start);
      expect(origin).toEqual(before);
      expect(active).toBe(true);
      expect(Object.values(s.pvs).filter((p) => p.tags.includes('lvmsnap') || p.uuid === lvmsnapPvUuid(t))).toEqual([]);
      expect(Object.values(s.lvs).filter((l) => l.tags.includes('lvmsnap'))).toEqual([]);
      expect(s.stateFiles).toEqual(start.stateFiles);
      const present = await applyOn(s, t, 'present');
      const clean = await applyOn(start, t, 'present');
      expect(present.report!.planned.plan.refusals.length === 0 && !present.report!.error)
        .toBe(clean.report!.planned.plan.refusals.length === 0 && !clean.report!.error);
    }), fcParams(500));
  }, PROPERTY_TIMEOUT);
});
