// Issue 8's property: from any crash state of apply present/absent (killed after any mutating operation),
// with or without a reboot after it, with or without systemd, ONE `lvmsnap recover` (no target) leaves no
// lvmsnap object behind and the origin intact and active, never passing --force to vgreduce; a second
// recover changes nothing. Replay: PROPERTY_SEED=<seed> PROPERTY_PATH=<path> npx vitest run test/property
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lvmsnapPvUuid } from '../../src/pv-uuid.js';
import { runRecover } from '../../src/reboot/recover.js';
import { withSystemd } from '../../src/sim/cmd-systemd.js';
import { reboot } from '../../src/sim/drift.js';
import { SimHost } from '../../src/sim/host.js';
import type { SimSystem } from '../../src/sim/state.js';
import {
  PROPERTY_TIMEOUT, comparable, crashScenarioArb, fcParams, initialSystem, mutatingRuns, originLv, runOps, targetOf, TMP_FILE, MOUNTPOINT,
} from './harness.js';

async function recoverOn(system: SimSystem) {
  const host = new SimHost(system);
  const report = await runRecover({ check: false, stateDir: '/var/lib/lvmsnap' }, { host });
  return { report, system: host.system, calls: host.calls };
}

describe('model-based property: reboot at any point, then recover (simulated LVM)', () => {
  it('one recover leaves no lvmsnap object and the origin intact and active', async () => {
    const arb = fc.tuple(crashScenarioArb(), fc.boolean(), fc.boolean());
    await fc.assert(fc.asyncProperty(arb, async ([scn, rebooted, systemd]) => {
      const t = targetOf(scn);
      const start = systemd ? withSystemd(initialSystem(scn)) : initialSystem(scn);
      const { system: crashed } = await runOps(start, t, scn.ops);
      const before = rebooted ? reboot(crashed) : crashed;
      const r = await recoverOn(before);
      expect(r.report.refusals).toEqual([]);
      expect(r.report.error?.message).toBeUndefined();
      for (const c of mutatingRuns(r.calls)) {
        expect(c.exitCode, c.argv.join(' ')).toBe(0);
        if (c.argv[0] === 'vgreduce') expect(c.argv).not.toContain('--force');
      }
      const s = r.system;
      expect(Object.values(s.lvs).filter((l) => l.tags.includes('lvmsnap'))).toEqual([]);
      expect(Object.values(s.pvs).filter((p) => p.tags.includes('lvmsnap') || p.uuid === lvmsnapPvUuid(t))).toEqual([]);
      expect(Object.values(s.loops).filter((l) => l.file === TMP_FILE)).toEqual([]);
      expect(s.paths[TMP_FILE]).toBeUndefined();
      expect(s.mounts.filter((m) => m.target === MOUNTPOINT)).toEqual([]);
      expect(s.stateFiles).toEqual({});
      const { active, minor: _m, ...origin } = originLv(s);
      const { active: _a, minor: _m2, ...origin0 } = originLv(start);
      expect(origin).toEqual(origin0);
      expect(active).toBe(true);
      // Without a reboot nothing else moved: the starting system is back (systemd's guard may stay active).
      if (!rebooted) expect({ ...comparable(s), systemd: undefined }).toEqual({ ...comparable(start), systemd: undefined });
      const again = await recoverOn(s);
      expect(mutatingRuns(again.calls)).toEqual([]);
      expect(again.report.chains).toEqual([]);
    }), fcParams(300));
  }, PROPERTY_TIMEOUT);
});
