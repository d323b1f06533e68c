// backup --format lv (src/backup/lv-copy.ts) on the simulated host: the copy, its manifest, refusals that
// change nothing, a crash at every mutating step, and restore of the backup LV.
import { describe, expect, it } from 'vitest';
import { runLvCopy, type LvCopyRequest } from '../../src/backup/lv-copy.js';
import { BACKUP_TAG, lvManifestPath, parseLvManifest } from '../../src/backup/lv-manifest.js';
import { restoreBackupLv } from '../../src/backup/lv-restore.js';
import { runApply } from '../../src/engine.js';
import { BackupFailed, BackupRefused, UsageError } from '../../src/errors.js';
import type { CommandResult, HostPort, RunOptions } from '../../src/port.js';
import { addDisk, addLv, addVg } from '../../src/sim/build.js';
import { SimHost } from '../../src/sim/host.js';
import type { SimSystem } from '../../src/sim/state.js';
import { chainLeft, ForwardingHost, system, target } from './helpers.js';

const MiB = 1024 ** 2;
const STATE = '/var/lib/lvmsnap';
/** vg0 as in the other backup tests, plus vgb on /dev/vdb (200 MiB) for the backup LVs. */
const sys = (o: { vgbBytes?: number } = {}): SimSystem => addVg(addDisk(system(), '/dev/vdb', 254, 16, (o.vgbBytes ?? 200 * MiB) + 4 * MiB), 'vgb', ['/dev/vdb']);
const req = (o: Partial<LvCopyRequest> = {}): LvCopyRequest => ({
  target: target(), destLv: 'vgb/root-copy', reuseSnapshot: false, version: 'test', now: () => new Date(2026, 10, 30, 12, 0, 0), ...o,
});
const copy = (host: HostPort, o: Partial<LvCopyRequest> = {}) => runLvCopy(host, req(o), { host, lockDir: '/run/lock/lvmsnap', watchIntervalMs: 60_000 });
const lvOf = (s: SimSystem, vg: string, name: string) => Object.values(s.lvs).find((l) => l.vg === vg && l.name === name);
const sha = async (host: SimHost, path: string) => (await host.run(['sha256sum', '-b', '--', path], { mutating: false })).stdout.split(' ')[0];

describe('backup --format lv', () => {
  it('creates the tagged LV of the origin size, copies, hashes match, manifest complete, chain gone', async () => {
    const host = new SimHost(sys());
    const r = await copy(host);
    const lv = lvOf(host.system, 'vgb', 'root-copy')!;
    const origin = lvOf(host.system, 'vg0', 'root')!;
    expect(r.created).toBe(true);
    expect(lv.tags).toEqual([BACKUP_TAG, 'lvmsnap_backup_of_vg0_root']);
    expect(lv.tags).not.toContain('lvmsnap');
    expect(lv.segs.reduce((a, g) => a + g.count, 0) * 4 * MiB).toBe(100 * MiB);
    expect(lv.fs.uuid).toBe(origin.fs.uuid);
    expect(chainLeft(host.system)).toEqual([]);
    const m = parseLvManifest(host.system.stateFiles[lvManifestPath(STATE, 'vgb', 'root-copy')] ?? null)!;
    expect(m).toMatchObject({ state: 'complete', dest: { vg: 'vgb', lv: 'root-copy', sizeBytes: 100 * MiB }, origin: { vg: 'vg0', lv: 'root' } });
    expect(m.sha256).toBe(await sha(host, '/dev/vgb/root-copy'));
    expect(m.sha256).toBe(await sha(host, '/dev/vg0/root'));
    const create = host.commands.find((c) => c.argv[0] === 'lvcreate' && !c.argv.includes('--snapshot'))!.argv;
    expect(create).toEqual(['lvcreate', '--yes', '--size', `${100 * MiB}b`, '--name', 'root-copy', '--addtag', BACKUP_TAG, '--addtag', 'lvmsnap_backup_of_vg0_root', 'vgb']);
    expect(host.calls.find((c) => c.op === 'pipe')!.argv).toEqual(['dd', 'bs=4M', 'status=none']);
    expect(host.commands.map((c) => c.argv.join(' '))).toEqual(expect.arrayContaining(['sync --data -- /dev/vgb/root-copy', 'sha256sum -b -- /dev/vg0/root-lvmsnap', 'sha256sum -b -- /dev/vgb/root-copy']));
  });

  it('a second run into the same LV reuses it; into the origin VG when both fit', async () => {
    const host = new SimHost(sys());
    await copy(host);
    const r = await copy(host);
    expect(r.created).toBe(false);
    expect(host.commands.filter((c) => c.argv[0] === 'lvcreate' && !c.argv.includes('--snapshot'))).toHaveLength(1);
    const same = await copy(host, { destLv: 'vg0/root-copy' });
    expect(same.manifest.state).toBe('complete');
    expect(chainLeft(host.system)).toEqual([]);
  });
});

describe('refusals before any change', () => {
  const refuses = async (s: SimSystem, o: Partial<LvCopyRequest>, msg: RegExp, cls: typeof UsageError = BackupRefused) => {
    const host = new SimHost(s);
    await expect(copy(host, o)).rejects.toSatisfy((e: unknown) => e instanceof cls && msg.test((e as Error).message));
    expect(host.calls.filter((c) => c.mutating)).toEqual([]);
    expect(host.system).toBe(s);
  };
  it('a malformed --dest-lv', async () => {
    await refuses(sys(), { destLv: 'root-copy' }, /VG\/LV/, UsageError);
    await refuses(sys(), { destLv: 'vgb/snapshot1' }, /must not start with "snapshot"/, UsageError);
  });
  it('a foreign LV, a wrong size, a mounted or chain LV, the origin itself, a missing VG, no room', async () => {
    await refuses(addLv(sys(), 'vgb', 'root-copy', 100 * MiB), {}, /lvmsnap did not create it.*lvchange --addtag lvmsnap_backup/s);
    await refuses(addLv(sys(), 'vgb', 'root-copy', 96 * MiB, { tags: [BACKUP_TAG] }), {}, /with 100663296 bytes, the origin has 104857600/);
    await refuses(addLv(sys(), 'vgb', 'root-copy', 100 * MiB, { tags: [BACKUP_TAG], mountpoint: '/mnt/copy' }), {}, /mounted at \/mnt\/copy/);
    await refuses(addLv(sys(), 'vgb', 'root-copy', 100 * MiB, { tags: [BACKUP_TAG, 'lvmsnap'] }), {}, /tagged lvmsnap \(a snapshot chain part\)/);
    await refuses(sys(), { destLv: 'vg0/root' }, /is the origin itself/);
    await refuses(sys(), { destLv: 'vg0/root-lvmsnap' }, /is the snapshot itself/);
    await refuses(sys(), { destLv: 'nope/x' }, /there is no VG nope/);
    await refuses(sys({ vgbBytes: 96 * MiB }), {}, /not enough free space in VG vgb/);
    // the origin's VG: 300 MiB free holds the copy (100) and the COW (32), not a second copy beside a 200 MiB LV
    await refuses(addLv(sys(), 'vg0', 'big', 200 * MiB), { destLv: 'vg0/root-copy' }, /plus 32\.0 MiB for the snapshot's COW/);
  });
  it('a new backup LV in a VG that holds the loop PV of lvmsnap (a tmp-file chain present, --reuse-snapshot)', async () => {
    const host = new SimHost(sys());
    const tmp = target({ tmpFile: '/var/space/cow.img' });
    const made = await runApply(tmp, { state: 'present', check: false, waitSeconds: 0 }, { host, lockDir: '/run/lock/lvmsnap' });
    expect(made.error ?? null).toBeNull();
    expect(Object.values(host.system.pvs).some((p) => p.tags.includes('lvmsnap'))).toBe(true);
    await refuses(host.system, { target: tmp, reuseSnapshot: true, destLv: 'vg0/root-copy' }, /holds lvmsnap's COW PV \/dev\/loop0/);
  });
});

/** The copy's hash comes out different (a bad disk under the backup LV). */
class BadCopyHost extends ForwardingHost {
  override async run(argv: readonly string[], opts: RunOptions): Promise<CommandResult> {
    const r = await this.inner.run(argv, opts);
    return argv[0] === 'sha256sum' && argv.at(-1) === '/dev/vgb/root-copy' ? { ...r, stdout: `${'0'.repeat(64)} *${argv.at(-1)}\n` } : r;
  }
}

describe('failures after the first change', () => {
  const manifestState = (s: SimSystem) => parseLvManifest(s.stateFiles[lvManifestPath(STATE, 'vgb', 'root-copy')] ?? null)?.state;
  it('a stop request (SIGINT/SIGTERM) during the copy: exit 1, chain removed, the LV left with a "copying" manifest', async () => {
    const host = new SimHost(sys());
    let stop = false;
    const err = await runLvCopy(host, req(), { host, lockDir: '/run/lock/lvmsnap', watchIntervalMs: 60_000, stopRequested: () => stop, onProgress: () => { stop = true; } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackupFailed);
    expect((err as Error).message).toMatch(/stopped by a signal[\s\S]*vgb\/root-copy is left with incomplete content[\s\S]*the snapshot chain was removed/);
    expect(chainLeft(host.system)).toEqual([]);
    expect(manifestState(host.system)).toBe('copying');
    await expect(restoreBackupLv(host, { device: '/dev/vgb/root-copy', to: '/srv/x.img', force: false, stateDir: STATE })).rejects.toThrow(/incomplete copy/);
  });
  it('a hash mismatch between snapshot and copy fails the same way', async () => {
    const inner = new SimHost(sys());
    const host = new BadCopyHost(inner);
    const err = await runLvCopy(host, req(), { host, lockDir: '/run/lock/lvmsnap', watchIntervalMs: 60_000 }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/verifying: the copy's sha256 0{64} differs from the snapshot's/);
    expect(chainLeft(inner.system)).toEqual([]);
    expect(manifestState(inner.system)).toBe('copying');
  });
});

describe('a crash at every mutating step', () => {
  it('leaves no chain after apply --state absent and never a complete manifest; the next run succeeds', async () => {
    let k = 1;
    for (; k < 100; k++) {
      const sim = new SimHost(sys(), { crashAfterMutating: k });
      try {
        await copy(sim);
      } catch {
        /* crashed */
      }
      if (!sim.crashed) break;
      const m = parseLvManifest(sim.system.stateFiles[lvManifestPath(STATE, 'vgb', 'root-copy')] ?? null);
      // Complete only once the last step (its write) ran: then the copy was verified.
      const wroteComplete = sim.calls.filter((c) => c.op === 'writeFile').length >= 2;
      if (m?.state === 'complete') expect(wroteComplete, `k=${k}`).toBe(true);
      const recover = new SimHost(sim.system);
      await runApply(target(), { state: 'absent', check: false, waitSeconds: 0 }, { host: recover, lockDir: '/run/lock/lvmsnap' });
      expect(chainLeft(recover.system), `k=${k}`).toEqual([]);
      const next = new SimHost(recover.system);
      const r = await copy(next);
      expect(r.manifest.state, `k=${k}`).toBe('complete');
    }
    expect(k).toBeGreaterThan(5);
  });
});

describe('backups restore of a backup LV', () => {
  it('checks the hash against the manifest, writes it into a file with the same content hash', async () => {
    const host = new SimHost(sys());
    const r = await copy(host);
    const out = await restoreBackupLv(host, { device: '/dev/vgb/root-copy', to: '/srv/restored.img', force: false, stateDir: STATE });
    expect(out.sha256).toBe(r.manifest.sha256);
    expect(await sha(host, '/srv/restored.img')).toBe(r.manifest.sha256);
    expect(await sha(host, '/dev/vg0/root')).toBe(r.manifest.sha256);
  });
  it('refuses an LV without a complete manifest, and one whose content changed', async () => {
    const host = new SimHost(sys());
    await copy(host);
    await expect(restoreBackupLv(host, { device: '/dev/vg0/root', to: '/srv/x.img', force: false, stateDir: STATE })).rejects.toThrow(/not a backup LV/);
    const s = host.system;
    const lv = lvOf(s, 'vgb', 'root-copy')!;
    const changed = new SimHost({ ...s, lvs: { ...s.lvs, [lv.uuid]: { ...lv, fs: { ...lv.fs, uuid: 'other' } } } });
    await expect(restoreBackupLv(changed, { device: '/dev/vgb/root-copy', to: '/srv/x.img', force: false, stateDir: STATE })).rejects.toThrow(/does not match its manifest/);
    expect(changed.calls.filter((c) => c.mutating)).toEqual([]);
  });
});
