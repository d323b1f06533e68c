// SimHost: the HostPort contract on the model, the command log, locks, state files and crash injection.
import { describe, expect, it } from 'vitest';
import * as C from '../../src/commands.js';
import { SimHost, SimulatedCrash } from '../../src/sim/host.js';
import { exec, simpleSystem, type SimSystem } from '../../src/sim/model.js';
import { forward } from './helpers.js';

const MUT = { mutating: true } as const;
const READ = { mutating: false } as const;

/** What lvmsnap-like code does: observe, then each mutating step with a journal write in between. */
async function script(host: SimHost): Promise<void> {
  await host.run(C.fullreportArgv(), READ);
  for (const [i, argv] of forward().entries()) {
    await host.run(C.losetupListArgv(), READ);
    await host.run(argv, MUT);
    if (i === 0) await host.writeFile('/var/lib/lvmsnap/vg0/root_snap.json', '{}');
  }
  await host.removeFile('/var/lib/lvmsnap/vg0/root_snap.json');
}
const TOTAL_MUTATING = forward().length + 2;

describe('SimHost', () => {
  it('runs argv on the model and records every call', async () => {
    const host = new SimHost(simpleSystem());
    await script(host);
    expect(host.commands.filter((c) => c.mutating)).toHaveLength(forward().length);
    expect(host.calls.map((c) => c.op)).toContain('writeFile');
    expect(host.calls.every((c) => c.exitCode === 0 || c.op === 'readFile')).toBe(true);
    expect(host.mutatingCount).toBe(TOTAL_MUTATING);
    expect(host.dmesg.join('\n')).toMatch(/mounted filesystem read-only/);
    expect(host.uid()).toBe(0);
    expect(new SimHost(simpleSystem({ uid: 1000 })).uid()).toBe(1000);
  });

  it('reads, writes and removes state files', async () => {
    const host = new SimHost(simpleSystem());
    expect(await host.readFile('/var/lib/lvmsnap/x.json')).toBeNull();
    await host.writeFile('/var/lib/lvmsnap/x.json', 'one');
    await host.writeFile('/var/lib/lvmsnap/x.json', 'two');
    expect(await host.readFile('/var/lib/lvmsnap/x.json')).toBe('two');
    await host.removeFile('/var/lib/lvmsnap/x.json');
    await host.removeFile('/var/lib/lvmsnap/x.json');
    expect(await host.readFile('/var/lib/lvmsnap/x.json')).toBeNull();
  });

  it('locks: a live holder keeps the lock; a crashed one leaves a stale lock that is taken over', async () => {
    const a = new SimHost(simpleSystem());
    expect(await a.lock('/run/lvmsnap.lock')).toEqual({ acquired: true });
    const b = new SimHost(a.system);
    expect(await b.lock('/run/lvmsnap.lock')).toEqual({ acquired: false, holder: `pid ${a.pid}` });
    a.kill();
    expect(await b.lock('/run/lvmsnap.lock')).toEqual({ acquired: true });
    await b.unlock('/run/lvmsnap.lock');
    expect(b.system.locks).toEqual({});
  });

  it.each(Array.from({ length: TOTAL_MUTATING + 2 }, (_, k) => k))(
    'crashAfterMutating %i: stops after exactly k mutating operations, state frozen there', async (k) => {
      const host = new SimHost(simpleSystem(), { crashAfterMutating: k });
      const err = await script(host).then(() => null, (e: unknown) => e);
      const done = Math.min(k, TOTAL_MUTATING);
      expect(host.mutatingCount).toBe(done);
      // The k-th operation itself completes; the next call of any kind throws.
      if (k < TOTAL_MUTATING) expect(err).toBeInstanceOf(SimulatedCrash);
      else expect(err).toBeNull();
      if (k <= TOTAL_MUTATING) {
        expect(host.crashed).toBe(true);
        await expect(host.run(C.fullreportArgv(), READ)).rejects.toBeInstanceOf(SimulatedCrash);
        await expect(host.readFile('/x')).rejects.toBeInstanceOf(SimulatedCrash);
        expect(() => host.uid()).toThrow(SimulatedCrash);
      } else expect(host.crashed).toBe(false);
      // The system is exactly the one after the first k mutating operations.
      const ran = host.calls.filter((c) => c.mutating && c.op === 'run').map((c) => c.argv as string[]);
      let expected: SimSystem = simpleSystem();
      for (const argv of ran) expected = exec(expected, argv).system;
      const ops = host.calls.filter((c) => c.mutating);
      expect(ops).toHaveLength(done);
      expect(host.system.vgs).toEqual(expected.vgs);
      expect(host.system.lvs).toEqual(expected.lvs);
      expect(host.system.mounts).toEqual(expected.mounts);
      expect(host.system.paths).toEqual(expected.paths);
      // A restarted process on the same machine carries on from there.
      const restarted = new SimHost(host.system);
      expect((await restarted.run(C.fullreportArgv(), READ)).exitCode).toBe(0);
    });

  it('beforeRun injects drift between commands', async () => {
    const host = new SimHost(simpleSystem(), {
      beforeRun: (s, argv) => (argv[0] === 'mount' ? exec(s, C.rmdirArgv('/media/snap')).system : s),
    });
    const results = [];
    for (const argv of forward()) results.push(await host.run(argv, MUT));
    expect(results.at(-1)!.stderr).toMatch(/mount point does not exist/);
  });
});
