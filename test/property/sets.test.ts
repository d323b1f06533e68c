// Properties of snapshot sets (src/set/) on the simulator: a failure or a kill of any member at any step
// leaves a set that converges back with one `absent`; a failed present rolls itself back; overlapping
// sets run concurrently never deadlock. Replay: PROPERTY_SEED=<seed> PROPERTY_PATH=<path> npx vitest run test/property/sets
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runRecover } from '../../src/reboot/index.js';
import { runSetApply, runSetStatus } from '../../src/set/index.js';
import { SimHost, SimulatedCrash } from '../../src/sim/host.js';
import type { SimSystem } from '../../src/sim/state.js';
import type { DesiredState, Target } from '../../src/types.js';
import { failingHost, SharedSystem } from '../set/hosts.js';
import { setMembers, setSystem } from '../set/system.js';
import { comparable, fcParams, PROPERTY_TIMEOUT } from './harness.js';

const MiB = 1024 * 1024;

/** A non-empty selection of the three members, in any order, with or without a tmp file and mounts. */
const setArb = fc.record({
  tmpHome: fc.boolean(),
  mount: fc.boolean(),
  pick: fc.shuffledSubarray([0, 1, 2], { minLength: 1 }),
  vg0FreeBytes: fc.constantFrom(24 * MiB, 200 * MiB),
}).map((o) => ({ members: o.pick.map((i) => setMembers(o)[i]!), start: setSystem({ vg0FreeBytes: o.vg0FreeBytes }) }));

const run = (host: SimHost | ReturnType<typeof failingHost>, members: readonly Target[], state: DesiredState) =>
  runSetApply(members, { state, check: false, waitSeconds: 0 }, { host });

async function crashRun(system: SimSystem, members: readonly Target[], state: DesiredState, k: number): Promise<{ system: SimSystem; crashed: boolean }> {
  const host = new SimHost(system, { crashAfterMutating: k });
  try {
    await run(host, members, state);
    return { system: host.system, crashed: false };
  } catch (err) {
    if (!(err instanceof SimulatedCrash)) throw err;
    return { system: host.system, crashed: true };
  }
}

describe('snapshot sets: properties (simulated LVM)', () => {
  it('killed at any step of any member, the set converges back with one absent (or one recover), and to present with one present', async () => {
    await fc.assert(fc.asyncProperty(setArb, fc.constantFrom<DesiredState>('present', 'absent'), fc.integer({ min: 1, max: 30 }), fc.boolean(), async ({ members, start }, state, k, warm) => {
      let system = start;
      if (warm) system = (await crashRun(system, members, 'present', 1000)).system;
      const killed = await crashRun(system, members, state, k);
      const down = new SimHost(killed.system);
      const r = await run(down, members, 'absent');
      expect(r.refusals).toEqual([]);
      expect(r.error).toBeUndefined();
      expect(comparable(down.system)).toEqual(comparable(start));
      // recover (system-wide, no target) gets there too.
      const rec = new SimHost(killed.system);
      const rr = await runRecover({ check: false, stateDir: '/var/lib/lvmsnap' }, { host: rec });
      expect(rr.refusals).toEqual([]);
      expect(comparable(rec.system)).toEqual(comparable(start));
      const up = new SimHost(killed.system);
      const p = await run(up, members, 'present');
      if (p.refusals.length > 0) return; // vg0 too small for root and var together: refused before any change
      expect(p.error).toBeUndefined();
      expect((await runSetStatus(members, { host: up })).state).toBe('present');
      expect((await run(up, members, 'present')).changed).toBe(false);
    }), fcParams(150));
  }, PROPERTY_TIMEOUT);

  it('a command failing at any step of any member during present: the run rolls back to the system before it', async () => {
    await fc.assert(fc.asyncProperty(setArb, fc.integer({ min: 1, max: 30 }), async ({ members, start }, k) => {
      const host = failingHost(new SimHost(start), k);
      const r = await run(host, members, 'present');
      if (r.refusals.length > 0) return;
      const system = (host as unknown as SimHost).system;
      if (!host.failed()) {
        expect(r.error).toBeUndefined();
        return;
      }
      expect(r.error).toBeDefined();
      expect(r.rollback?.ok).toBe(true);
      expect(r.members.filter((m) => m.outcome === 'failed')).toHaveLength(1);
      expect(comparable(system)).toEqual(comparable(start));
    }), fcParams(150));
  }, PROPERTY_TIMEOUT);

  it('overlapping sets applied concurrently never deadlock: each run gets every lock it waits for', async () => {
    await fc.assert(fc.asyncProperty(
      fc.shuffledSubarray([0, 1, 2], { minLength: 2 }), fc.shuffledSubarray([0, 1, 2], { minLength: 2 }), fc.integer(), fc.constantFrom<DesiredState>('present', 'absent'),
      async (a, b, seed, state) => {
        let x = seed >>> 0;
        const rand = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
        const shared = new SharedSystem(setSystem(), rand);
        const all = setMembers();
        const sleep = () => new Promise<void>((r) => setImmediate(r));
        // 10 s to get the locks: a deadlock would run out of it and throw LockHeld.
        const go = (pick: number[]) => runSetApply(pick.map((i) => all[i]!), { state, check: false, waitSeconds: 10 }, { host: shared.process(), sleep });
        const [ra, rb] = await Promise.all([go(a), go(b)]);
        for (const r of [ra, rb]) {
          expect(r.refusals).toEqual([]);
          expect(r.error).toBeUndefined();
        }
        expect(shared.system.locks).toEqual({});
      },
    ), fcParams(100));
  }, PROPERTY_TIMEOUT);
});
