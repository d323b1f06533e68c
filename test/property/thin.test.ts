// Model-based properties for thin origins (issue 12 item 3): random thin systems (ext4/xfs, pool usage
// below or above the threshold, the user's own thin LVs beside lvmsnap's, an untagged LV at lvmsnap's
// name), random sequences of present/absent killed after any changing command, drift (unmount, the pool
// filling up), through the real engine on the simulator.
// Replay a failure: PROPERTY_SEED=<seed> PROPERTY_PATH=<path> npx vitest run test/property/thin.test.ts
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fillPool } from '../../src/sim/drift.js';
import { exec } from '../../src/sim/exec.js';
import { lvFsId, type SimSystem } from '../../src/sim/state.js';
import type { DesiredState, Target } from '../../src/types.js';
import { thinSystem, thinTarget } from '../thin/helpers.js';
import { PROPERTY_TIMEOUT, applyOn, comparable, fcParams, MOUNTPOINT, mutatingRuns, TMP_FILE } from './harness.js';

const MiB = 1024 * 1024;
type ThinOp = { kind: 'apply'; state: DesiredState; crashAfter: number | null } | { kind: 'unmount' } | { kind: 'fill' };

interface ThinScenario {
  readonly fstype: 'ext4' | 'xfs';
  readonly dataPercent: number;
  readonly mounted: boolean;
  readonly useMount: boolean;
  readonly sizeMiB: number | null;
  readonly useTmp: boolean;
  readonly foreignAtName: boolean;
  readonly ops: readonly ThinOp[];
}

const opArb: fc.Arbitrary<ThinOp> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('apply' as const), state: fc.constantFrom<DesiredState>('present', 'absent'), crashAfter: fc.option(fc.integer({ min: 1, max: 8 }), { freq: 2 }) }) },
  { weight: 1, arbitrary: fc.constantFrom<ThinOp>({ kind: 'unmount' }, { kind: 'fill' }) },
);

const scenarioArb: fc.Arbitrary<ThinScenario> = fc.record({
  fstype: fc.constantFrom<'ext4' | 'xfs'>('ext4', 'xfs'),
  dataPercent: fc.constantFrom(10, 40, 95),
  mounted: fc.boolean(),
  useMount: fc.boolean(),
  sizeMiB: fc.option(fc.constantFrom(16, 64), { freq: 3 }),
  useTmp: fc.constantFrom(false, false, false, true),
  foreignAtName: fc.constantFrom(false, false, false, false, true),
  ops: fc.array(opArb, { minLength: 1, maxLength: 5 }),
});

const targetOf = (s: ThinScenario): Target => thinTarget({
  ...(s.sizeMiB !== null ? { size: { kind: 'bytes', bytes: s.sizeMiB * MiB }, sizeGiven: true } : {}),
  ...(s.useTmp ? { tmpFile: TMP_FILE } : {}),
  ...(s.useMount ? { mountpoint: MOUNTPOINT } : {}),
});

function initial(s: ThinScenario): SimSystem {
  let sys = thinSystem({ fstype: s.fstype, dataPercent: s.dataPercent, mounted: s.mounted });
  // The user's own (untagged) thin snapshot at lvmsnap's default name.
  if (s.foreignAtName) sys = exec(sys, ['lvcreate', '--yes', '--snapshot', '--name', 'data-lvmsnap', 'vg0/data']).system;
  return sys;
}

async function run(start: SimSystem, t: Target, ops: readonly ThinOp[]): Promise<SimSystem> {
  let sys = start;
  for (const op of ops) {
    if (op.kind === 'unmount') {
      const top = sys.mounts.filter((m) => m.target === MOUNTPOINT).at(-1);
      const ours = Object.values(sys.lvs).find((l) => l.name === 'data-lvmsnap' && l.tags.includes('lvmsnap'));
      if (top && ours && top.fs === lvFsId(ours.uuid)) sys = exec(sys, ['umount', '--', MOUNTPOINT]).system;
    } else if (op.kind === 'fill') sys = fillPool(sys, 'vg0', 'pool', 97);
    else sys = (await applyOn(sys, t, op.state, op.crashAfter)).system;
  }
  return sys;
}

/** The pool's usage legitimately moves (writes, lvm2's metadata for each thin snapshot): compare without it. */
const withoutPoolUsage = (s: SimSystem) => {
  const c = comparable(s);
  return { ...c, lvs: Object.fromEntries(Object.entries(c.lvs).map(([k, l]) => [k, l.thinPool ? { ...l, thinPool: { ...l.thinPool, dataPercent: 0, metadataPercent: 0 } } : l])) };
};
const ourSnap = (s: SimSystem) => Object.values(s.lvs).find((l) => l.name === 'data-lvmsnap' && l.tags.includes('lvmsnap'));

describe('model-based properties: thin origins (simulated LVM with thin pools)', () => {
  it('a crash at any step, then one absent, returns the system to its start (the pool and the user\'s thin LVs included)', async () => {
    await fc.assert(fc.asyncProperty(scenarioArb, async (scn) => {
      const t = targetOf(scn);
      const start = initial(scn);
      const sys = await run(start, t, scn.ops);
      const r = await applyOn(sys, t, 'absent');
      expect(r.report!.error).toBeUndefined();
      expect(r.report!.planned.plan.refusals).toEqual([]);
      expect(withoutPoolUsage(r.system)).toEqual(withoutPoolUsage(start));
      const again = await applyOn(r.system, t, 'absent');
      expect(mutatingRuns(again.calls)).toEqual([]);
    }), fcParams(300));
  }, PROPERTY_TIMEOUT);

  it('present converges: a thin snapshot exactly when the origin is thin and no --size/--tmp-file; active, mounted ro; refused (nothing changed) above the threshold', async () => {
    await fc.assert(fc.asyncProperty(scenarioArb, async (scn) => {
      const t = targetOf(scn);
      const sys = await run(initial(scn), t, scn.ops);
      const r = await applyOn(sys, t, 'present');
      const rep = r.report!;
      const thin = scn.sizeMiB === null && !scn.useTmp;
      expect(rep.planned.facts.snapshotKind).toBe(thin ? 'thin' : 'cow');
      if (rep.planned.plan.refusals.length > 0) {
        expect(mutatingRuns(r.calls)).toEqual([]);
        expect(comparable(r.system)).toEqual(comparable(sys));
        const poolFull = Object.values(sys.lvs).find((l) => l.thinPool)!.thinPool!.dataPercent > 90;
        const snapCreate = rep.planned.plan.changes.some((c) => c.kind === 'Snapshot' && c.action === 'create');
        if (thin && poolFull && snapCreate) expect(rep.planned.plan.refusals.join('\n')).toContain('thin pool vg0/pool is above the 90% threshold');
        return;
      }
      expect(rep.error).toBeUndefined();
      const lv = ourSnap(r.system)!;
      expect(lv.origin).toBe('data');
      expect(lv.active).toBe(true);
      if (!rep.changed || rep.planned.plan.changes.every((c) => c.kind !== 'Snapshot' || c.action !== 'create')) return;
      expect(Boolean(lv.thin)).toBe(thin);
      if (t.mountpoint) {
        const m = r.system.mounts.filter((x) => x.target === MOUNTPOINT).at(-1);
        expect(m?.fs).toBe(lvFsId(lv.uuid));
        expect(m?.options.split(',')).toContain('ro');
      }
      const again = await applyOn(r.system, t, 'present');
      expect(mutatingRuns(again.calls)).toEqual([]);
    }), fcParams(300));
  }, PROPERTY_TIMEOUT);

  it('never changes the pool, the origin or the user\'s thin LVs (but for pool usage and activation)', async () => {
    await fc.assert(fc.asyncProperty(scenarioArb, async (scn) => {
      const t = targetOf(scn);
      const start = initial(scn);
      const end = await run(start, t, [...scn.ops, { kind: 'apply', state: 'absent', crashAfter: null }]);
      const view = (s: SimSystem) => Object.values(s.lvs)
        .filter((l) => !(l.name === 'data-lvmsnap' && l.tags.includes('lvmsnap')))
        .map((l) => ({ ...l, minor: null, thinPool: l.thinPool ? { dataBytes: l.thinPool.dataBytes } : undefined }));
      expect(view(end)).toEqual(view(start));
    }), fcParams(300));
  }, PROPERTY_TIMEOUT);
});
