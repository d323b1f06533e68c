// The invariants of issue #3, each its own property, over random systems and op sequences.
// Replay a failure: PROPERTY_SEED=<seed> PROPERTY_PATH=<path> npx vitest run test/property
// Scale up:         PROPERTY_RUNS=100000 npx vitest run test/property
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutatingChanges } from '../../src/plan.js';
import { lvFsId, type SimSystem } from '../../src/sim/state.js';
import {
  PROPERTY_TIMEOUT, originLv, snapshotLv, applyOn, applyOp, comparable, fcParams, initialSystem, MOUNTPOINT, mutatingRuns, OTHER_FILE, opArb, runOps, scenarioArb, targetOf, TMP_FILE,
} from './harness.js';


describe('model-based properties: convergence and ownership (simulated LVM)', () => {
  it('after a successful present the snapshot exists, is mounted read-only where asked, and a second present changes nothing', async () => {
    await fc.assert(fc.asyncProperty(scenarioArb(), async (scn) => {
      const t = targetOf(scn);
      const { system } = await runOps(initialSystem(scn), t, scn.ops);
      const r = await applyOn(system, t, 'present');
      const rep = r.report!;
      if (rep.planned.plan.refusals.length > 0 || rep.error) return; // refused or failed: other properties cover those
      const lv = snapshotLv(r.system);
      expect(lv?.tags).toContain('lvmsnap');
      expect(lv?.origin).toBe('root');
      expect(lv?.active && !lv.invalid).toBe(true);
      if (t.mountpoint) {
        const m = r.system.mounts.filter((x) => x.target === MOUNTPOINT).at(-1);
        expect(m?.fs).toBe(lvFsId(lv!.uuid));
        expect(m?.options.split(',')).toContain('ro');
      }
      const again = await applyOn(r.system, t, 'present');
      expect(again.report!.changed).toBe(false);
      expect(mutatingChanges(again.report!.planned.plan)).toEqual([]);
      expect(mutatingRuns(again.calls)).toEqual([]);
    }), fcParams());
  }, PROPERTY_TIMEOUT);

  it('after a successful absent the system equals the system before lvmsnap first ran', async () => {
    await fc.assert(fc.asyncProperty(scenarioArb({ ops: fc.array(opArb.filter((o) => o.kind === 'apply'), { minLength: 1, maxLength: 6 }) }), async (scn) => {
      const t = targetOf(scn);
      const start = initialSystem(scn);
      const { system } = await runOps(start, t, scn.ops);
      const r = await applyOn(system, t, 'absent');
      if (r.report!.planned.plan.refusals.length > 0 || r.report!.error) return;
      expect(comparable(r.system)).toEqual(comparable(start));
    }), fcParams());
  }, PROPERTY_TIMEOUT);

  it('objects lvmsnap did not create are never changed or removed', async () => {
    await fc.assert(fc.asyncProperty(scenarioArb(), async (scn) => {
      const t = targetOf(scn);
      const start = initialSystem(scn);
      const { system } = await runOps(start, t, [...scn.ops, applyOp('absent')]);
      const foreignView = (s: SimSystem) => ({
        lv: Object.values(s.lvs).filter((l) => l.name !== 'root-lvmsnap' || !l.tags.includes('lvmsnap')),
        file: scn.foreign.file ? s.inodes[s.paths[TMP_FILE]!] : null,
        other: scn.foreign.loop ? [s.inodes[s.paths[OTHER_FILE]!], s.loops['/dev/loop0']] : null,
        mount: s.mounts.filter((m) => !m.fs.startsWith('lv:') || originLv(s).uuid === m.fs.slice(3)),
        pvs: Object.values(s.pvs).filter((p) => !p.tags.includes('lvmsnap')),
      });
      // Drift may unmount lvmsnap's own mount, never a foreign one: compare foreign objects only.
      const view = (s: SimSystem) => ({ ...foreignView(s), lv: foreignView(s).lv.map((l) => ({ ...l, active: true, minor: 0 })) });
      expect(view(system)).toEqual(view(start));
    }), fcParams());
  }, PROPERTY_TIMEOUT);
});
