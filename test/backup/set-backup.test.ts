// Backup of a snapshot set (src/backup/set.ts) on the simulated host: one archive per member, refusals
// before any change, and a failure or a crash at every step of every member leaving no complete-looking
// archive and (after the teardown, or recover --config) no chain.
import { describe, expect, it } from 'vitest';
import { runSetBackup, type SetBackupRequest } from '../../src/backup/set.js';
import { BackupFailed, BackupRefused } from '../../src/errors.js';
import type { HostPort } from '../../src/port.js';
import { runRecover } from '../../src/reboot/index.js';
import { runSetApply } from '../../src/set/index.js';
import { addDirs, addFile } from '../../src/sim/build.js';
import { SimHost } from '../../src/sim/host.js';
import type { SimSystem } from '../../src/sim/state.js';
import type { Target } from '../../src/types.js';
import { setMembers, setSystem, type SetSystemOptions } from '../set/system.js';
import { chainLeft, COMPLETE, DEST, destNames, FailingHost } from './helpers.js';

const MiB = 1024 * 1024;
const sys = (o: SetSystemOptions = {}): SimSystem => addDirs(setSystem(o), ['/srv', DEST]);
const req = (o: Partial<SetBackupRequest> = {}): SetBackupRequest => ({
  members: setMembers(), dest: DEST, format: 'tar.zst', keep: {}, reuseSnapshot: false, cores: 2, version: 'test', source: '/etc/lvmsnap/set.yaml',
  now: () => new Date(2026, 10, 30, 12, 0, 0), ...o,
});
const run = (host: HostPort, o: Partial<SetBackupRequest> = {}) => runSetBackup(host, req(o), { host, lockDir: '/run/lock/lvmsnap', watchIntervalMs: 60_000 });
const complete = (s: SimSystem) => destNames(s).filter((n) => COMPLETE.test(n));

describe('backup of a snapshot set', () => {
  it('one verified archive per member, named <vg>-<lv>__...; every rename after every archive; every chain gone', async () => {
    const host = new SimHost(sys());
    const r = await run(host);
    expect(r.members.map((m) => m.archive)).toEqual([
      `${DEST}/vg0-root__20261130_120000.tar.zst`, `${DEST}/vg1-home__20261130_120000.tar.zst`, `${DEST}/vg0-var__20261130_120000.tar.zst`,
    ]);
    expect(r.members.map((m) => m.manifestPath)).toEqual(r.members.map((m) => `${m.archive}.json`));
    expect(complete(host.system)).toHaveLength(3);
    expect(destNames(host.system).filter((n) => /partial/.test(n))).toEqual([]);
    expect(chainLeft(host.system)).toEqual([]);
    // The snapshots are made one after another, all before the first archive; the renames come after the last test.
    const ops = host.calls.filter((c) => c.mutating || c.op === 'pipe').map((c) => c.op === 'pipe' ? 'pipe' : c.argv[0]!);
    const lastSnapshot = ops.lastIndexOf('lvcreate');
    expect(ops.indexOf('pipe')).toBeGreaterThan(lastSnapshot);
    expect(ops.indexOf('mv')).toBeGreaterThan(ops.lastIndexOf('pipe'));
    expect(r.members.map((m) => m.manifest.origin)).toMatchObject([{ vg: 'vg0', lv: 'root' }, { vg: 'vg1', lv: 'home' }, { vg: 'vg0', lv: 'var' }]);
  });

  it('--prefix P names each member P-<vg>-<lv>; keep rules prune per member prefix', async () => {
    const host = new SimHost(sys());
    for (let d = 1; d <= 3; d++) await run(host, { prefix: 'web1', format: 'img.zst', now: () => new Date(2026, 10, d, 3, 0, 0) });
    const r = await run(host, { prefix: 'web1', format: 'img.zst', keep: { daily: 2 }, now: () => new Date(2026, 10, 4, 3, 0, 0) });
    expect(r.members.map((m) => m.prefix)).toEqual(['web1-vg0-root', 'web1-vg1-home', 'web1-vg0-var']);
    expect(r.members.map((m) => m.pruned)).toEqual(['vg0-root', 'vg1-home', 'vg0-var'].map((p) => [`web1-${p}__20261102_030000.img.zst`, `web1-${p}__20261101_030000.img.zst`]));
    expect(complete(host.system)).toHaveLength(6);
  });
});

describe('set backup refusals: before any change', () => {
  // afterLocks: refused by the set engine's own pre-flight, after the locks were taken (and released).
  const refuses = async (s: SimSystem, o: Partial<SetBackupRequest>, msg: RegExp, afterLocks = false) => {
    const host = new SimHost(s);
    const err = await run(host, o).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackupRefused);
    expect((err as Error).message).toMatch(msg);
    expect(host.calls.filter((c) => c.mutating)).toEqual([]);
    if (afterLocks) expect(host.system.locks).toEqual(s.locks);
    else expect(host.system).toBe(s);
  };

  it('a destination on any member\'s origin (the last one, too)', async () => {
    await refuses(addDirs(sys(), ['/mnt/var/b']), { dest: '/mnt/var/b' }, /^vg0\/var-lvmsnap: destination \/mnt\/var\/b is on the origin vg0\/var/);
  });

  it('room for the sum of the estimates, though each member alone fits', async () => {
    // /var/space has 80 MiB free: img.zst estimates are 60 % of each origin (root 60, home 36, var 24 MiB).
    const s = addDirs(addFile(sys(), '/var/space/filler', 120 * MiB), ['/var/space/b']);
    const one = new SimHost(s);
    expect((await runSetBackup(one, req({ members: [setMembers()[0]!], dest: '/var/space/b', format: 'img.zst' }), { host: one, watchIntervalMs: 60_000 })).members).toHaveLength(1);
    await refuses(s, { dest: '/var/space/b', format: 'img.zst' }, /not enough room in \/var\/space\/b for the set: its 3 archives need about 120.0 MiB together \(vg0-root 60.0 MiB, vg1-home 36.0 MiB, vg0-var 24.0 MiB\), only 80.0 MiB is free/);
  });

  it('an existing snapshot of one member; every member\'s problem in one message', async () => {
    const host = new SimHost(sys());
    await runSetApply([setMembers()[1]!], { state: 'present', check: false, waitSeconds: 0 }, { host });
    await refuses(addDirs(host.system, ['/mnt/root/b']), { dest: '/mnt/root/b' }, /the set cannot be backed up:\n {2}vg0\/root-lvmsnap: destination .* on the origin[\s\S]*\n {2}vg1\/home-lvmsnap: snapshot vg1\/home-lvmsnap already exists/);
  });

  it('two members whose archive prefixes would be the same', async () => {
    const m = setMembers();
    const clash: Target[] = [m[0]!, { ...m[1]!, vg: 'vg0', lv: 'root-x', snapshot: 'rx' }, { ...m[1]!, vg: 'vg0-root', lv: 'x', snapshot: 'x' }];
    await refuses(sys(), { members: clash, prefix: 'p' }, /members vg0\/rx and vg0-root\/x would both name their archives p-vg0-root-x__/);
  });

  it('the set engine\'s summed VG space: each member fits vg0 alone, not together', async () => {
    await refuses(sys({ vg0FreeBytes: 24 * MiB }), { format: 'img.zst' }, /cannot make the set's snapshots: the set's snapshots in volume group vg0/, true);
  });
});

describe('a failure or a crash at every step of every member', () => {
  for (const format of ['tar.zst', 'img.zst'] as const) {
    for (const tmpHome of [false, true]) {
      const members = () => setMembers({ tmpHome });
      it(`${format}${tmpHome ? ' (home on a tmp file)' : ''}: failing the k-th change leaves no complete-looking archive before the commit point, and no chain`, async () => {
        let k = 1;
        for (; k < 400; k++) {
          const sim = new SimHost(sys());
          const host = new FailingHost(sim, k);
          const err = await run(host, { format, members: members() }).then(() => null, (e: unknown) => e);
          if (err === null) break;
          expect(err, `k=${k}`).toBeInstanceOf(BackupFailed);
          const renamed = sim.calls.filter((c) => c.op === 'run' && c.argv[0] === 'mv' && c.exitCode === 0).length;
          // Only renames that ran (the set's commit point) give complete-looking names; everything else is removed.
          expect(complete(sim.system), `k=${k}`).toHaveLength(renamed);
          expect(destNames(sim.system).filter((n) => /partial/.test(n)), `k=${k}`).toEqual([]);
          if (renamed < 3) expect((err as Error).message, `k=${k}`).toMatch(renamed === 0 ? /no member's archive was written/ : /were already renamed into place/);
          // The one change the teardown could not make (the injected failure) is repaired by rerunning absent.
          await runSetApply(members().map((t) => (format === 'tar.zst' ? { ...t, mountpoint: `/run/lvmsnap-${t.vg}-${t.snapshot}` } : t)), { state: 'absent', check: false, waitSeconds: 0 }, { host: sim });
          expect(chainLeft(sim.system), `k=${k}: ${(err as Error).message}`).toEqual([]);
        }
        const counter = new FailingHost(new SimHost(sys()), 0);
        await run(counter, { format, members: members() });
        expect(k).toBe(counter.n + 1);
        expect(counter.n).toBeGreaterThan(tmpHome ? 25 : 12);
      });

      it(`${format}${tmpHome ? ' (home on a tmp file)' : ''}: a crash after the k-th change leaves at most committed archives; recover --config's chains then leaves none`, async () => {
        let k = 1;
        for (; k < 400; k++) {
          const sim = new SimHost(sys(), { crashAfterMutating: k });
          await run(sim, { format, members: members() }).catch(() => undefined);
          if (!sim.crashed) break;
          const renamed = sim.calls.filter((c) => c.op === 'run' && c.argv[0] === 'mv' && c.exitCode === 0).length;
          expect(complete(sim.system), `k=${k}`).toHaveLength(renamed);
          const rec = new SimHost(sim.system);
          const r = await runRecover({ check: false, stateDir: '/var/lib/lvmsnap', members: members() }, { host: rec });
          expect(r.refusals, `k=${k}`).toEqual([]);
          expect(chainLeft(rec.system), `k=${k}`).toEqual([]);
        }
        expect(k).toBeGreaterThan(tmpHome ? 25 : 12);
      });
    }
  }

  it('a stop request (SIGINT/SIGTERM) while archiving the second member removes every partial file and every chain', async () => {
    const host = new SimHost(sys());
    let pipes = 0;
    let stop = false;
    const err = await runSetBackup(host, req(), { host, watchIntervalMs: 60_000, stopRequested: () => stop, onProgress: (p) => { if (p.phase === 'archive' && ++pipes > 1) stop = true; } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackupFailed);
    expect((err as Error).message).toMatch(/stopped by a signal[\s\S]*every member's snapshot chain was removed/);
    expect(destNames(host.system)).toEqual([]);
    expect(chainLeft(host.system)).toEqual([]);
  });
});
