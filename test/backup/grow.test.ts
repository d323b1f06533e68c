// Growing the snapshot while archiving (--grow-snapshot): the grow plan (src/backup/grow.ts) on the
// simulated host keeps the chain lvmsnap's (status present, nothing foreign), absent still converges after
// a grow and after a crash at every step of one, and a backup grows instead of failing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply.js';
import { cowMaxBytes, planGrow } from '../../src/backup/grow.js';
import { runApply, runStatus } from '../../src/engine.js';
import { BackupFailed } from '../../src/errors.js';
import { observe } from '../../src/observe.js';
import { runRecover } from '../../src/reboot/index.js';
import type { HostPort, PipeResult } from '../../src/port.js';
import { cowMaxBytes as simCowMax, drift } from '../../src/sim/model.js';
import type { SimSystem } from '../../src/sim/state.js';
import type { Target } from '../../src/types.js';
import { backup, chainLeft, COMPLETE, destNames, ForwardingHost, SimHost, system, target } from './helpers.js';

const MiB = 1024 ** 2;
const TMP = '/var/space/cow.img';
const snapLv = (s: SimSystem) => Object.values(s.lvs).find((l) => l.origin !== null);
const snapBytes = (s: SimSystem) => snapLv(s)!.segs.reduce((a, g) => a + g.count, 0) * 4 * MiB;

async function presentAt(sys: SimSystem, t: Target, percent: number): Promise<SimHost> {
  const host = new SimHost(sys);
  const r = await runApply(t, { state: 'present', check: false, waitSeconds: 0 }, { host });
  expect(r.error).toBeUndefined();
  host.system = drift.fillCow(host.system, 'vg0', t.snapshot, percent);
  return host;
}

const statuses = async (host: HostPort, t: Target) => (await runStatus(t, { host })).views.map((v) => `${v.kind}:${v.status}`);

async function grow(host: SimHost, t: Target) {
  const snap = await observe(host, t);
  const d = planGrow(t, snap);
  if (d.kind !== 'grow') throw new Error(d.why);
  await applyPlan(d.plan, host, t, snap.journal);
  return d;
}

describe('the grow plan', () => {
  it('from VG free space: one lvextend to 1.5x; usage falls in proportion; status stays present', async () => {
    const t = target();
    const host = await presentAt(system(), t, 85);
    const before = await statuses(host, t);
    const d = await grow(host, t);
    expect(d.plan.changes.map((c) => [c.kind, c.action, c.steps.map((s) => (s.type === 'exec' ? s.argv.join(' ') : s.type))])).toEqual([
      ['Snapshot', 'grow', ['lvextend --yes --size 50331648b vg0/root-lvmsnap']],
    ]);
    expect([d.fromBytes, d.toBytes, snapBytes(host.system)]).toEqual([32 * MiB, 48 * MiB, 48 * MiB]);
    expect(snapLv(host.system)!.cowPercent).toBeCloseTo(56.67, 1);
    expect(await statuses(host, t)).toEqual(before);
  });

  it('tmp-file chain: grow the file, refresh the loop, pvresize, then lvextend onto the loop PV only', async () => {
    const t = target({ tmpFile: TMP });
    const host = await presentAt(system({ vgFreeBytes: 0 }), t, 90);
    const ino = host.system.paths[TMP];
    const d = await grow(host, t);
    const argv = d.plan.changes.flatMap((c) => c.steps.map((s) => (s.type === 'exec' ? s.argv.join(' ') : s.type)));
    expect(argv).toEqual([
      `fallocate --length ${49 * MiB} -- ${TMP}`, 'losetup --set-capacity /dev/loop0', 'pvresize --yes /dev/loop0',
      'lvextend --yes --size 50331648b vg0/root-lvmsnap /dev/loop0',
    ]);
    // same inode (the journal's identity), a bigger loop device, a bigger PV, the COW all on the loop PV
    expect(host.system.paths[TMP]).toBe(ino);
    expect(host.system.loops['/dev/loop0']!.size).toBe(49 * MiB);
    const pv = Object.values(host.system.pvs).find((p) => p.lastDevice === '/dev/loop0')!;
    expect(pv.peCount).toBe(12); // 9 of the 37 MiB file (one spare), 3 more from 12 MiB
    expect(snapLv(host.system)!.segs.every((g) => g.pv === pv.uuid)).toBe(true);
    expect(await statuses(host, t)).toEqual(['TmpFile:present', 'LoopDevice:present', 'PvInVg:present', 'Snapshot:present', 'Mountpoint:unused']);
  });

  it('--allocate zero: zeros appended in place with dd (same inode)', async () => {
    const t = target({ tmpFile: TMP, allocate: 'zero' });
    const host = await presentAt(system({ vgFreeBytes: 0 }), t, 90);
    const ino = host.system.paths[TMP];
    const d = await grow(host, t);
    expect(d.plan.changes[0]!.steps[0]).toEqual({ type: 'exec', argv: ['dd', 'if=/dev/zero', `of=${TMP}`, `bs=${MiB}`, 'seek=37', 'count=12', 'conv=fsync,notrunc', 'status=progress'], progress: true });
    expect([host.system.paths[TMP], host.system.inodes[ino!]!.size]).toEqual([ino, 49 * MiB]);
    expect(snapBytes(host.system)).toBe(48 * MiB);
  });

  it('cannot grow: no VG free space, no room for the file, or already as large as the origin can need', async () => {
    const full = await presentAt(system({ vgFreeBytes: 32 * MiB }), target(), 85);
    expect(planGrow(target(), await observe(full, target()))).toEqual({ kind: 'cannot', why: expect.stringMatching(/no free extents/) });
    const big = target({ size: '200M' });
    const host = await presentAt(system(), big, 85);
    expect(planGrow(big, await observe(host, big))).toEqual({ kind: 'cannot', why: expect.stringMatching(/cannot fill up/) });
    const tt = target({ tmpFile: TMP });
    const noRoom = await presentAt(system({ vgFreeBytes: 0, tmpDirBytes: 40 * MiB }), tt, 85);
    // the PV's one spare extent first (no file growth), then nothing
    const spare = await grow(noRoom, tt);
    expect([spare.plan.changes.map((c) => c.kind), spare.toBytes]).toEqual([['Snapshot'], 36 * MiB]);
    expect(planGrow(tt, await observe(noRoom, tt))).toEqual({ kind: 'cannot', why: expect.stringMatching(/too little free space/) });
  });

  it("lvm2's COW maximum is the simulator's", () => {
    for (const origin of [MiB, 100 * MiB, 1234567 * 4096, 10 * 1024 ** 3]) for (const es of [MiB, 4 * MiB, 32 * MiB]) expect(cowMaxBytes(origin, es)).toBe(simCowMax(origin, es));
  });
});

describe('recover after a grown tmp-file chain', () => {
  for (const reboot of [false, true]) {
    it(`finds and removes the grown chain${reboot ? ' after a reboot (missing PV, grown file)' : ''}`, async () => {
      const t = target({ tmpFile: TMP });
      const host = await presentAt(system({ vgFreeBytes: 0, tmpDirFs: 'ext4' }), t, 90);
      await grow(host, t);
      const sys = reboot ? drift.reboot(host.system) : host.system;
      const rec = new SimHost(sys);
      const r = await runRecover({ check: false, stateDir: '/var/lib/lvmsnap' }, { host: rec });
      expect(r.chains.map((c) => c.chain.key)).toHaveLength(1);
      expect(chainLeft(rec.system)).toEqual([]);
      expect(rec.system.paths[TMP]).toBeUndefined();
      expect(Object.values(rec.system.pvs).filter((p) => p.vg === 'vg0')).toHaveLength(1);
      expect(Object.values(rec.system.lvs).find((l) => l.name === 'root')!.active).toBe(true);
    });
  }
});

describe('ownership and convergence after a grow (property)', () => {
  it('a crash after any step of a grow leaves the chain lvmsnap\'s; absent removes all of it; a new grow completes it', async () => {
    await fc.assert(fc.asyncProperty(
      fc.boolean(), fc.constantFrom('fallocate', 'zero'), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 81, max: 99 }),
      async (tmp, allocate, sizeMiB4, crashAt, percent) => {
        const t = target({ size: `${sizeMiB4 * 4}M`, ...(tmp ? { tmpFile: TMP, allocate } : {}) });
        const base = await presentAt(system(tmp ? { vgFreeBytes: 0 } : {}), t, percent);
        const ino = base.system.paths[TMP];
        const snap = await observe(base, t);
        const d = planGrow(t, snap);
        if (d.kind !== 'grow') throw new Error(d.why);
        const steps = d.plan.changes.flatMap((c) => c.steps).length;
        // crash after crashAt mutating steps (crashAt >= steps: the grow completes)
        const host = new SimHost(base.system, { crashAfterMutating: Math.min(crashAt, steps) || undefined });
        await applyPlan(d.plan, host, t, snap.journal).catch(() => undefined);
        const after = new SimHost(host.system);
        const st = await statuses(after, t);
        expect(st.filter((s) => !s.endsWith(':unused'))).toEqual(st.filter((s) => !s.endsWith(':unused')).map((s) => `${s.split(':')[0]}:present`));
        if (tmp) expect(after.system.paths[TMP]).toBe(ino);
        // growing again from a fresh observation reaches at least the planned size
        const again = new SimHost(after.system);
        const d2 = planGrow(t, await observe(again, t));
        if (crashAt < steps && d2.kind === 'grow') {
          await grow(again, t);
          expect(snapBytes(again.system)).toBeGreaterThanOrEqual(d.toBytes);
        }
        // absent converges: no snapshot, loop, PV, tmp file or journal left
        const down = new SimHost(again.system);
        const r = await runApply(t, { state: 'absent', check: false, waitSeconds: 0 }, { host: down });
        expect(r.error).toBeUndefined();
        expect(chainLeft(down.system)).toEqual([]);
        expect(down.system.paths[TMP]).toBeUndefined();
        expect(Object.keys(down.system.stateFiles).filter((p) => p.startsWith('/var/lib/lvmsnap'))).toEqual([]);
      },
    ), { numRuns: 60 });
  });
});

/** A host whose archive pipeline runs while the origin is written: the COW fills to `percent` first and
 *  the watch gets a few ticks before the pipeline ends. */
class BusyOrigin extends ForwardingHost {
  constructor(inner: SimHost, readonly percent: number, readonly snapshot = 'root-lvmsnap') { super(inner); }
  override async pipe(...a: Parameters<HostPort['pipe']>): Promise<PipeResult> {
    if (a[3].mutating) {
      this.inner.system = drift.fillCow(this.inner.system, 'vg0', this.snapshot, this.percent);
      await new Promise((r) => setTimeout(r, 40));
    }
    return this.inner.pipe(...a);
  }
}

describe('backup --grow-snapshot', () => {
  for (const tmp of [false, true]) {
    it(`${tmp ? 'tmp-file chain' : 'VG free space'}: grows while archiving, records it in the manifest, removes the chain`, async () => {
      const sim = new SimHost(system(tmp ? { vgFreeBytes: 0 } : {}));
      const warnings: string[] = [];
      const r = await backup(new BusyOrigin(sim, 90), { growSnapshot: true, ...(tmp ? { target: target({ tmpFile: TMP }) } : {}) }, { watchIntervalMs: 5, warn: (m) => warnings.push(m) });
      expect(r.manifest.snapshot.grows?.[0]).toEqual({ fromBytes: 32 * MiB, toBytes: 48 * MiB, atPercent: 90 });
      expect(r.manifest.snapshot.cowBytes).toBe(48 * MiB); // the size it ended with
      expect(r.manifest.peakSnapshotUsagePercent).toBe(90);
      expect(warnings).toEqual([]);
      const cmds = sim.commands.map((c) => c.argv[0]);
      const archived = sim.calls.findIndex((c) => c.op === 'pipe');
      const extended = sim.calls.findIndex((c) => c.argv[0] === 'lvextend');
      expect(extended).toBeGreaterThan(-1);
      expect(extended).toBeLessThan(archived); // during the archive, before the pipeline finished
      if (tmp) expect(cmds).toEqual(expect.arrayContaining(['fallocate', 'losetup', 'pvresize', 'lvextend']));
      expect(chainLeft(sim.system)).toEqual([]);
      expect(destNames(sim.system).filter((n) => COMPLETE.test(n))).toHaveLength(1);
    });
  }

  it('without the flag: warns once at 80 %, naming --grow-snapshot; nothing grows', async () => {
    const sim = new SimHost(system());
    const warnings: string[] = [];
    const r = await backup(new BusyOrigin(sim, 85), {}, { watchIntervalMs: 5, warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([expect.stringMatching(/85\.0 % full.*--grow-snapshot/)]);
    expect(r.manifest.snapshot.grows).toBeUndefined();
    expect(sim.commands.some((c) => c.argv[0] === 'lvextend')).toBe(false);
  });

  it('cannot grow (VG full): one warning saying why, the backup still completes', async () => {
    const sim = new SimHost(system({ vgFreeBytes: 32 * MiB }));
    const warnings: string[] = [];
    await backup(new BusyOrigin(sim, 88), { growSnapshot: true }, { watchIntervalMs: 5, warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([expect.stringMatching(/cannot grow: volume group vg0 has no free extents/)]);
    expect(chainLeft(sim.system)).toEqual([]);
  });

  it('the snapshot becomes invalid while archiving: the backup fails, no archive, no chain', async () => {
    for (const growSnapshot of [false, true]) {
      const sim = new SimHost(system());
      const err = await backup(new BusyOrigin(sim, 100), { growSnapshot }, { watchIntervalMs: 5 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackupFailed);
      expect((err as Error).message).toMatch(/became invalid[\s\S]*no archive was written[\s\S]*the snapshot chain was removed/);
      expect(destNames(sim.system)).toEqual([]);
      expect(chainLeft(sim.system)).toEqual([]);
    }
  });
});
