// runBackup on the simulated host: the happy path, refusals before any change, and a failure or a crash
// at every step, each leaving no complete-looking archive and (after recovery) no chain.
import { describe, expect, it } from 'vitest';
import { backupTarget } from '../../src/backup/run.js';
import { runApply } from '../../src/engine.js';
import { BackupFailed, BackupRefused } from '../../src/errors.js';
import { backup, chainLeft, COMPLETE, DEST, destNames, FailingHost, SimHost, system, target } from './helpers.js';

describe('backup on the simulated host', () => {
  it('tar.zst: archive, .sha256 and manifest beside it, chain gone, archive is a tar of the snapshot', async () => {
    const host = new SimHost(system());
    const r = await backup(host);
    expect(r.archive).toBe(`${DEST}/vg0-root__20261130_120000.tar.zst`);
    expect(destNames(host.system)).toEqual(['vg0-root__20261130_120000.tar.zst', 'vg0-root__20261130_120000.tar.zst.json', 'vg0-root__20261130_120000.tar.zst.sha256']);
    expect(chainLeft(host.system)).toEqual([]);
    const ino = host.system.paths[r.archive]!;
    expect(host.system.inodes[ino]!.data).toMatch(/^zst\(tar\(fs:[^:]+:41943040\)\)$/);
    expect(r.manifest).toMatchObject({ format: 'tar.zst', origin: { vg: 'vg0', lv: 'root' }, sizes: { sourceBytes: 41943040 }, filesystem: { type: 'ext4' } });
    // the COW size of the snapshot this run made, as lvcreate was asked for it
    const made = host.commands.find((c) => c.argv[0] === 'lvcreate')!.argv;
    expect(`${r.manifest.snapshot.cowBytes}b`).toBe(made[made.indexOf('--size') + 1]);
    expect(r.manifest.snapshot.cowBytes).toBeGreaterThan(0);
    expect(host.system.stateFiles[`${r.archive}.sha256`]).toBe(`${r.manifest.sha256}  vg0-root__20261130_120000.tar.zst\n`);
    // the snapshot was mounted at the default mountpoint and read by tar there
    expect(host.calls.find((c) => c.op === 'pipe')!.argv).toContain('/run/lvmsnap-vg0-root-lvmsnap');
  });

  it('img.zst reads the snapshot device; a second backup in the same second gets the next second', async () => {
    const host = new SimHost(system());
    const a = await backup(host, { format: 'img.zst' });
    const b = await backup(host, { format: 'img.zst' });
    expect([a.archive, b.archive]).toEqual([`${DEST}/vg0-root__20261130_120000.img.zst`, `${DEST}/vg0-root__20261130_120001.img.zst`]);
    expect(host.system.inodes[host.system.paths[a.archive]!]!.data).toMatch(/^zst\(raw\(/);
    expect(chainLeft(host.system)).toEqual([]);
  });

  it('tar.gz falls back to gzip when pigz is missing; fsa names the missing package and changes nothing', async () => {
    const host = new SimHost(system());
    const r = await backup(host, { format: 'tar.gz' });
    expect(host.calls.find((c) => c.op === 'pipe')!.argv).toContain('gzip');
    expect(r.archive).toMatch(/\.tar\.gz$/);
    const before = host.system;
    await expect(backup(host, { format: 'fsa' })).rejects.toThrow(/install the "fsarchiver" package/);
    expect(host.system).toBe(before);
  });

  it('prunes after a backup with keep rules, only this prefix and format', async () => {
    const host = new SimHost(system());
    for (let d = 1; d <= 4; d++) await backup(host, { now: () => new Date(2026, 10, d, 3, 0, 0) });
    await backup(host, { format: 'img.zst', now: () => new Date(2026, 10, 1, 3, 0, 0) });
    await backup(host, { prefix: 'other', now: () => new Date(2026, 10, 1, 3, 0, 0) });
    const r = await backup(host, { keep: { daily: 2 }, now: () => new Date(2026, 10, 5, 3, 0, 0) });
    expect(r.pruned).toEqual(['vg0-root__20261103_030000.tar.zst', 'vg0-root__20261102_030000.tar.zst', 'vg0-root__20261101_030000.tar.zst']);
    expect(destNames(host.system).filter((n) => COMPLETE.test(n))).toEqual([
      'other__20261101_030000.tar.zst', 'vg0-root__20261101_030000.img.zst', 'vg0-root__20261104_030000.tar.zst', 'vg0-root__20261105_030000.tar.zst',
    ]);
    expect(destNames(host.system).filter((n) => n.startsWith('vg0-root__20261101_030000.tar.zst'))).toEqual([]);
  });
});

describe('refusals before any change (exit 3)', () => {
  const refuses = async (sys: ReturnType<typeof system>, o: Parameters<typeof backup>[1], msg: RegExp) => {
    const host = new SimHost(sys);
    await expect(backup(host, o)).rejects.toSatisfy((e: unknown) => e instanceof BackupRefused && msg.test((e as Error).message));
    expect(host.calls.filter((c) => c.mutating)).toEqual([]);
  };

  it('an existing snapshot, unless --reuse-snapshot', async () => {
    const host = new SimHost(system());
    await runApply(target(), { state: 'present', check: false, waitSeconds: 0 }, { host });
    await refuses(host.system, {}, /already exists.*--reuse-snapshot/s);
    const again = new SimHost(host.system);
    const r = await backup(again, { reuseSnapshot: true, target: target() });
    expect(r.manifest.snapshot.reused).toBe(true);
    expect(chainLeft(again.system)).toEqual([]);
  });

  it('a destination on the origin, missing, or too small', async () => {
    await refuses(system({ dirs: ['/mnt/root/backups'] }), { dest: '/mnt/root/backups' }, /on the origin vg0\/root/);
    await refuses(system(), { dest: '/srv/nope' }, /does not exist/);
    await refuses(system({ tmpDirBytes: 8 * 1024 * 1024, dirs: ['/var/space/b'] }), { dest: '/var/space/b' }, /not enough room/);
  });

  it('a destination on the filesystem holding the COW tmp file', async () => {
    await refuses(system({ vgFreeBytes: 0, dirs: ['/var/space/b'] }), { dest: '/var/space/b', target: target({ tmpFile: '/var/space/cow.img' }) }, /COW file/);
  });
});

describe('a failure or a crash at every step', () => {
  for (const format of ['tar.zst', 'img.zst'] as const) {
    for (const chain of ['free', 'tmp'] as const) {
      const sys = () => system(chain === 'tmp' ? { vgFreeBytes: 0 } : {});
      const tgt = () => target(chain === 'tmp' ? { tmpFile: '/var/space/cow.img' } : {});

      it(`${format} ${chain}: failing the k-th change leaves no complete-looking archive and no chain`, async () => {
        let k = 1;
        for (; k < 100; k++) {
          const sim = new SimHost(sys());
          const host = new FailingHost(sim, k);
          let err: unknown = null;
          try {
            await backup(host, { format, target: tgt() });
          } catch (e) {
            err = e;
          }
          if (err === null) break; // k is past the last change: the run completed
          const names = destNames(sim.system);
          // The rename is the commit point: only a failure after it (taking the chain down) leaves the archive.
          const renamed = sim.calls.some((c) => c.op === 'run' && c.argv[0] === 'mv' && c.exitCode === 0);
          expect(names.filter((n) => COMPLETE.test(n)), `k=${k}`).toHaveLength(renamed ? 1 : 0);
          expect(err, `k=${k}`).toBeInstanceOf(BackupFailed);
          expect((err as Error).message, `k=${k}`).toMatch(renamed ? /written and verified.*taking the snapshot down failed/s : /no archive was written/);
          // The one change the teardown could not make (it was the injected failure) is repaired by rerunning absent.
          await runApply(backupTarget(tgt(), format), { state: 'absent', check: false, waitSeconds: 0 }, { host: sim });
          expect(chainLeft(sim.system), `k=${k}: ${(err as Error).message}`).toEqual([]);
          expect(names.filter((n) => n.endsWith('.partial')), `k=${k}`).toEqual([]);
        }
        // every change of a run was failed once: snapshot chain, pipeline, companions, rename, teardown
        const counter = new FailingHost(new SimHost(sys()), 0);
        await backup(counter, { format, target: tgt() });
        expect(k).toBe(counter.n + 1);
        expect(counter.n).toBeGreaterThan(chain === 'tmp' ? 14 : 5);
      });

      it(`${format} ${chain}: a crash after the k-th change leaves no complete-looking archive; absent then removes the chain`, async () => {
        let k = 1;
        for (; k < 100; k++) {
          const sim = new SimHost(sys(), { crashAfterMutating: k });
          try {
            await backup(sim, { format, target: tgt() });
          } catch {
            /* crashed */
          }
          if (!sim.crashed) break;
          const names = destNames(sim.system);
          const complete = names.filter((n) => COMPLETE.test(n));
          // The rename is the commit point: a crash right after it leaves the finished archive (and only then).
          const renamed = sim.calls.some((c) => c.op === 'run' && c.argv[0] === 'mv' && c.exitCode === 0);
          expect(complete, `k=${k}`).toEqual(renamed ? [complete[0]] : []);
          const recover = new SimHost(sim.system);
          await runApply(backupTarget(tgt(), format), { state: 'absent', check: false, waitSeconds: 0 }, { host: recover, lockDir: '/run/lock/lvmsnap' });
          expect(chainLeft(recover.system), `k=${k}`).toEqual([]);
          // The next backup cleans up leftovers of the dead run and succeeds.
          const next = new SimHost(recover.system);
          const r = await backup(next, { format, target: tgt(), now: () => new Date(2026, 10, 30, 13, 0, 0) });
          const after = destNames(next.system);
          expect(after.filter((n) => /partial/.test(n))).toEqual([]);
          // no orphan .sha256/.json either: each companion sits beside its complete archive
          for (const n of after.filter((x) => /\.(sha256|json)$/.test(x))) expect(after, `k=${k} ${n}`).toContain(n.replace(/\.(sha256|json)$/, ''));
          expect(r.archive).toMatch(/__20261130_130000\./);
        }
        expect(k).toBeGreaterThan(chain === 'tmp' ? 14 : 5);
      });
    }
  }

  it('a stop request (SIGINT/SIGTERM) during the archive removes the partial file and the chain', async () => {
    const host = new SimHost(system());
    let stop = false;
    const err = await backup(host, {}, { stopRequested: () => stop, onProgress: () => { stop = true; } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackupFailed);
    expect((err as Error).message).toMatch(/stopped by a signal[\s\S]*the snapshot chain was removed/);
    expect(destNames(host.system)).toEqual([]);
    expect(chainLeft(host.system)).toEqual([]);
  });
});
