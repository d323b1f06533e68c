// Property of a snapshot set's backup (src/backup/set.ts) on the simulator: for any selection of members
// (order, tmp-file chain, mounts), any format and a failure injected at any change of the run (any member's
// chain, pipeline, companion, rename or teardown), the run fails with BackupFailed, leaves complete-looking
// archives only for renames that happened (the set's commit point), no partial file, and, after one
// `recover --config` of the set, the system it started from.
// Replay: PROPERTY_SEED=<seed> PROPERTY_PATH=<path> npx vitest run test/property/set-backup
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runSetBackup } from '../../src/backup/set.js';
import { BackupFailed } from '../../src/errors.js';
import { runRecover } from '../../src/reboot/index.js';
import { addDirs } from '../../src/sim/build.js';
import { SimHost } from '../../src/sim/host.js';
import { chainLeft, COMPLETE, DEST, destNames, FailingHost } from '../backup/helpers.js';
import { setMembers, setSystem } from '../set/system.js';
import { comparable, fcParams, PROPERTY_TIMEOUT } from './harness.js';

const setArb = fc.record({
  tmpHome: fc.boolean(),
  mount: fc.boolean(),
  pick: fc.shuffledSubarray([0, 1, 2], { minLength: 1 }),
  format: fc.constantFrom('tar.zst' as const, 'img.zst' as const),
}).map((o) => ({ members: o.pick.map((i) => setMembers(o)[i]!), format: o.format }));

describe('set backup: property (simulated LVM)', () => {
  it('a failure at any step of any member leaves no complete-looking archive before the commit point and, after recover --config, no chain', async () => {
    await fc.assert(fc.asyncProperty(setArb, fc.integer({ min: 1, max: 80 }), async ({ members, format }, k) => {
      const start = addDirs(setSystem(), ['/srv', DEST]);
      const sim = new SimHost(start);
      const host = new FailingHost(sim, k);
      const req = { members, dest: DEST, format, keep: {}, reuseSnapshot: false, cores: 2, version: 'test', source: 'set.yaml', now: () => new Date(2026, 10, 30, 12, 0, 0) };
      const err = await runSetBackup(host, req, { host, lockDir: '/run/lock/lvmsnap', watchIntervalMs: 60_000 }).then(() => null, (e: unknown) => e);
      const complete = destNames(sim.system).filter((n) => COMPLETE.test(n));
      if (err === null) {
        expect(complete).toHaveLength(members.length);
        expect(chainLeft(sim.system)).toEqual([]);
        return;
      }
      expect(err).toBeInstanceOf(BackupFailed);
      const renamed = sim.calls.filter((c) => c.op === 'run' && c.argv[0] === 'mv' && c.exitCode === 0).length;
      expect(complete).toHaveLength(renamed);
      expect(destNames(sim.system).filter((n) => /partial/.test(n))).toEqual([]);
      const rec = new SimHost(sim.system);
      const r = await runRecover({ check: false, stateDir: '/var/lib/lvmsnap', members }, { host: rec });
      expect(r.refusals).toEqual([]);
      expect(chainLeft(rec.system)).toEqual([]);
      // LVM, loop devices and mounts are as they were before the run (only DEST's files may differ).
      const lvm = (s: typeof start) => { const c = comparable(s); return { lvs: c.lvs, pvs: c.pvs, loops: c.loops, mounts: c.mounts }; };
      expect(lvm(rec.system)).toEqual(lvm(start));
    }), fcParams(150));
  }, PROPERTY_TIMEOUT);
});
