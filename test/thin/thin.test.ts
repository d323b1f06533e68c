// Thin origins on the simulator, through the real CLI: a thin snapshot by default (no COW size, activated,
// mounted read-only), a classic COW snapshot with --size/--tmp-file, the pool usage threshold, status,
// ownership (the pool and the user's thin LVs are never touched), and the simulator's thin semantics.
import { describe, expect, it } from 'vitest';
import { fullreportArgv } from '../../src/commands.js';
import { main } from '../../src/cli/main.js';
import { runApply } from '../../src/engine.js';
import { rehearse } from '../../src/rehearse.js';
import { sampleUsage, UsageWatch } from '../../src/backup/watch.js';
import { parseFullreport } from '../../src/parse/index.js';
import { drift, exec } from '../../src/sim/model.js';
import { SimHost } from '../../src/sim/host.js';
import { findLv, type SimSystem } from '../../src/sim/state.js';
import { T, thinSystem, thinTarget, type ThinOptions } from './helpers.js';

async function cli(host: SimHost, argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { host, stdout: (s) => { out += s; }, stderr: (s) => { err += s; } });
  return { code, out, err, json: argv.includes('--json') ? JSON.parse(out) as Record<string, any> : null };
}
const mutating = (host: SimHost) => host.calls.filter((c) => c.op === 'run' && c.mutating).map((c) => c.argv.join(' '));
const hostOf = (o: ThinOptions = {}) => new SimHost(thinSystem(o));
const report = (s: SimSystem) => parseFullreport(exec(s, fullreportArgv()).result.stdout);
const foreignView = (s: SimSystem) => Object.values(s.lvs).filter((l) => l.name !== 'data-lvmsnap').map((l) => ({ ...l, minor: null, thinPool: l.thinPool ? { ...l.thinPool, metadataPercent: 0 } : undefined }));

describe('a thin origin gets a thin snapshot by default', () => {
  for (const fstype of ['ext4', 'xfs'] as const) {
    it(`${fstype}: plan says thin, present makes it without a size, active, mounted read-only; absent removes only it`, async () => {
      const host = hostOf({ fstype });
      const start = host.system;
      const plan = await cli(host, ['plan', ...T, '--mountpoint', '/media/snap', '--json']);
      expect(plan.code).toBe(0);
      expect(plan.json!['snapshotKind']).toBe('thin');
      const human = await cli(host, ['plan', ...T, '--mountpoint', '/media/snap']);
      expect(human.out).toContain('-> thin snapshot vg0/data-lvmsnap in pool vg0/pool at /media/snap');

      const present = await cli(host, ['apply', '--state', 'present', ...T, '--mountpoint', '/media/snap', '--json']);
      expect(present.code).toBe(0);
      expect(mutating(host)).toEqual([
        'lvcreate --yes --snapshot --setactivationskip n --name data-lvmsnap --addtag lvmsnap vg0/data',
        'mkdir -- /media/snap',
        `mount -t ${fstype} -o ${fstype === 'xfs' ? 'ro,nouuid,norecovery' : 'ro,noload'} -- /dev/vg0/data-lvmsnap /media/snap`,
      ]);
      const snap = report(host.system).lvs.find((l) => l.name === 'data-lvmsnap')!;
      expect(snap).toMatchObject({ origin: 'data', active: true, tags: ['lvmsnap'], thin: { kind: 'volume', pool: 'pool' } });
      expect(snap.activationSkip).toBeUndefined();
      // No VG extents were taken: the pool holds it.
      expect(findLv(host.system, 'vg0', 'data-lvmsnap')!.segs).toEqual([]);

      const again = await cli(host, ['apply', '--state', 'present', ...T, '--mountpoint', '/media/snap', '--json']);
      expect(again.json!['changed']).toBe(false);

      const status = await cli(host, ['status', ...T, '--mountpoint', '/media/snap', '--json']);
      const observed = (status.json!['resources'] as any[]).find((r) => r.kind === 'Snapshot').observed;
      expect(observed).toMatchObject({ kind: 'thin', pool: 'pool', poolDataPercent: 40, active: true });
      expect(typeof observed.poolMetadataPercent).toBe('number');
      const statusHuman = await cli(host, ['status', ...T, '--mountpoint', '/media/snap']);
      expect(statusHuman.out).toMatch(/thin pool pool: data 40%, metadata 12\.1% used/);
      expect(statusHuman.out).toContain('lvmsnap status: vg0/data -> thin snapshot vg0/data-lvmsnap in pool vg0/pool at /media/snap');
      expect(status.json!['snapshotKind']).toBe('thin');

      const absent = await cli(host, ['apply', '--state', 'absent', ...T, '--mountpoint', '/media/snap', '--json']);
      expect(absent.code).toBe(0);
      expect(findLv(host.system, 'vg0', 'data-lvmsnap')).toBeUndefined();
      // The pool, the origin and the user's thin LVs are as they were (the pool's metadata use aside).
      expect(foreignView(host.system)).toEqual(foreignView(start));
      const twice = await cli(host, ['apply', '--state', 'absent', ...T, '--mountpoint', '/media/snap', '--json']);
      expect(twice.json!['changed']).toBe(false);
    });
  }

  it('--size or --tmp-file keeps the classic COW snapshot of the thin origin, and plan says so', async () => {
    const host = hostOf();
    const sized = await cli(host, ['apply', '--state', 'present', ...T, '--size', '32M', '--json']);
    expect(sized.code).toBe(0);
    expect(sized.json!['snapshotKind']).toBe('cow');
    expect(mutating(host)).toEqual(['lvcreate --yes --snapshot --size 33554432b --name data-lvmsnap --addtag lvmsnap vg0/data']);
    expect(report(host.system).lvs.find((l) => l.name === 'data-lvmsnap')).toMatchObject({ isSnapshot: true, origin: 'data' });
    expect((await cli(host, ['plan', ...T, '--size', '32M'])).out).toContain('-> classic COW snapshot vg0/data-lvmsnap');
    expect((await cli(host, ['apply', '--state', 'absent', ...T, '--size', '32M'])).code).toBe(0);

    const tmp = await cli(hostOf(), ['plan', ...T, '--tmp-file', '/var/space/cow.img', '--json']);
    expect(tmp.json!['snapshotKind']).toBe('cow');
    // 20% of the 256 MiB virtual size, on the loop PV.
    expect(JSON.stringify(tmp.json!['resources'])).toContain('lvcreate --yes --snapshot --size 54525952b --name data-lvmsnap --addtag lvmsnap vg0/data /dev/loop0');
  });

  it('a linear origin is unchanged: a classic snapshot without --size', async () => {
    const host = hostOf();
    const r = await cli(host, ['plan', '--vg', 'vg0', '--lv', 'root', '--json']);
    expect(r.json!['snapshotKind']).toBe('cow');
    expect((await cli(host, ['plan', '--vg', 'vg0', '--lv', 'root'])).out).toContain('-> snapshot vg0/root-lvmsnap');
  });
});

describe('the pool usage threshold', () => {
  for (const [what, o, text] of [
    ['data', { dataPercent: 93 }, 'data 93% used'],
    ['metadata', { metadataPercent: 95.5 }, 'metadata 95.5% used'],
  ] as const) {
    it(`refuses a thin snapshot above 90 % ${what}, before any change, naming the pool and what to do`, async () => {
      const host = hostOf(o);
      const r = await cli(host, ['apply', '--state', 'present', ...T, '--mountpoint', '/media/snap']);
      expect(r.code).toBe(3);
      expect(mutating(host)).toEqual([]);
      expect(r.out + r.err).toContain(`thin pool vg0/pool is above the 90% threshold (${text})`);
      expect(r.out + r.err).toMatch(/lvextend .*vg0\/pool.*--thin-pool-threshold.*--size/s);
    });
  }

  it('--thin-pool-threshold (and thinPoolThreshold in a config) moves it; --size sidesteps it', async () => {
    expect((await cli(hostOf({ dataPercent: 93 }), ['apply', '--state', 'present', ...T, '--thin-pool-threshold', '95'])).code).toBe(0);
    expect((await cli(hostOf({ dataPercent: 50 }), ['apply', '--state', 'present', ...T, '--thin-pool-threshold', '40'])).code).toBe(3);
    expect((await cli(hostOf({ dataPercent: 93 }), ['apply', '--state', 'present', ...T, '--size', '16M'])).code).toBe(0);
    const bad = await cli(hostOf(), ['apply', '--state', 'present', ...T, '--thin-pool-threshold', 'lots']);
    expect(bad.code).toBe(3);
    expect(bad.err).toContain('thinPoolThreshold: expected a percent');
  });

  it('absent works whatever the pool usage', async () => {
    const host = hostOf();
    expect((await cli(host, ['apply', '--state', 'present', ...T])).code).toBe(0);
    host.system = drift.fillPool(host.system, 'vg0', 'pool', 99, 99);
    expect((await cli(host, ['apply', '--state', 'absent', ...T])).code).toBe(0);
    expect(findLv(host.system, 'vg0', 'data-lvmsnap')).toBeUndefined();
  });
});

describe('the backup usage watch reads the thin pool for a thin snapshot', () => {
  it('samples the higher of the pool\'s data and metadata usage, and warns about the pool at 80 %', async () => {
    const host = hostOf({ dataPercent: 40, metadataPercent: 12 });
    expect((await cli(host, ['apply', '--state', 'present', ...T])).code).toBe(0);
    expect(await sampleUsage(host, 'vg0', 'data-lvmsnap')).toEqual({ percent: 40, invalid: false, missing: false, pool: 'pool', cowBytes: 0 });
    host.system = drift.fillPool(host.system, 'vg0', 'pool', 50, 85);
    const warnings: string[] = [];
    const watch = new UsageWatch(host, 'vg0', 'data-lvmsnap', (m) => warnings.push(m));
    await watch.sample();
    expect(watch.peak).toBe(85);
    expect(watch.invalid).toBe(false);
    expect(warnings).toEqual([expect.stringContaining('thin pool vg0/pool of snapshot vg0/data-lvmsnap is 85.0 % full')]);
  });

  it('a classic snapshot of the thin origin is watched by its own COW usage', async () => {
    const host = hostOf();
    expect((await cli(host, ['apply', '--state', 'present', ...T, '--size', '32M'])).code).toBe(0);
    const u = await sampleUsage(host, 'vg0', 'data-lvmsnap');
    expect(u.pool).toBeUndefined();
    expect(u.percent).toBeLessThan(1);
  });
});

describe('ownership', () => {
  it("the user's own thin snapshot at lvmsnap's name is foreign: refused, untouched", async () => {
    const host = hostOf();
    host.system = exec(host.system, ['lvcreate', '--yes', '--snapshot', '--name', 'data-lvmsnap', 'vg0/data']).system;
    const before = host.system;
    const p = await cli(host, ['apply', '--state', 'present', ...T]);
    expect(p.code).toBe(3);
    const a = await cli(host, ['apply', '--state', 'absent', ...T]);
    expect(a.code).toBe(0);
    expect(mutating(host)).toEqual([]);
    expect(host.system.lvs).toEqual(before.lvs);
  });

  it('a thin snapshot left inactive (activation skip) is rebuilt by present and removed by absent', async () => {
    const host = hostOf();
    host.system = exec(host.system, ['lvcreate', '--yes', '--snapshot', '--name', 'data-lvmsnap', '--addtag', 'lvmsnap', 'vg0/data']).system;
    const st = await cli(host, ['status', ...T]);
    expect(st.out).toContain('activation-skip flag set');
    expect((await cli(host, ['apply', '--state', 'present', ...T])).code).toBe(0);
    expect(findLv(host.system, 'vg0', 'data-lvmsnap')).toMatchObject({ active: true, thin: { skip: false } });
  });

  it('recover removes a thin snapshot lvmsnap made, never the pool or foreign thin LVs', async () => {
    const host = hostOf();
    // Without a mountpoint nothing is journaled: recover finds it by its tag alone.
    expect((await cli(host, ['apply', '--state', 'present', ...T])).code).toBe(0);
    const r = await cli(host, ['recover']);
    expect(r.code).toBe(0);
    expect(findLv(host.system, 'vg0', 'data-lvmsnap')).toBeUndefined();
    for (const name of ['pool', 'data', 'other', 'data-mine']) expect(findLv(host.system, 'vg0', name)).toBeDefined();
  });
});

describe('--check rehearses a thin plan on a model built from the observation', () => {
  for (const [what, extra] of [['thin', {}], ['classic', { size: { kind: 'bytes', bytes: 32 * 1024 * 1024 }, sizeGiven: true }]] as const) {
    it(`${what}: present and then absent rehearse to completion`, async () => {
      const host = hostOf({ fstype: 'xfs' });
      const t = thinTarget({ ...extra, mountpoint: '/media/snap' });
      const plan = await runApply(t, { state: 'present', check: true, waitSeconds: 0 }, { host, rehearse });
      expect(plan.changed).toBe(true);
      expect(plan.rehearsal).toBeNull();
      await runApply(t, { state: 'present', check: false, waitSeconds: 0 }, { host });
      const back = await runApply(t, { state: 'absent', check: true, waitSeconds: 0 }, { host, rehearse });
      expect(back.changed).toBe(true);
      expect(back.rehearsal).toBeNull();
    });
  }

  it('the rehearsal model refuses a thin snapshot in a full pool, as lvm2 would', async () => {
    const host = hostOf({ dataPercent: 100 });
    const r = await runApply(thinTarget({ thinPoolThreshold: 100 }), { state: 'present', check: true, waitSeconds: 0 }, { host, rehearse });
    expect(r.planned.plan.refusals).toEqual([]);
    expect(r.rehearsal).toContain('reached threshold');
  });
});

describe("the simulator's thin rows have the real capture's shape", () => {
  it('lv and seg fields of the pool, thin LVs and thin snapshots agree with fixtures/real-lvm/thin.fullreport.json', async () => {
    const { readFileSync } = await import('node:fs');
    const real = JSON.parse(readFileSync(new URL('../../fixtures/real-lvm/thin.fullreport.json', import.meta.url), 'utf8'));
    const host = hostOf();
    // As in the VM when it captured: lvmsnap's thin snapshot mounted (open).
    expect((await cli(host, ['apply', '--state', 'present', ...T, '--mountpoint', '/media/snap'])).code).toBe(0);
    const sim = JSON.parse(exec(host.system, fullreportArgv()).result.stdout);
    const FIELDS = ['lv_name', 'lv_attr', 'lv_path', 'lv_layout', 'lv_role', 'origin', 'pool_lv', 'lv_skip_activation', 'lv_tags', 'data_lv', 'metadata_lv', 'lv_size'];
    const rows = (doc: any) => Object.fromEntries(doc.report[0].lv.map((l: any) => [l.lv_name, Object.fromEntries(FIELDS.map((f) => [f, l[f]]))]));
    const segs = (doc: any) => Object.fromEntries(doc.report[0].seg.map((g: any) => [doc.report[0].lv.find((l: any) => l.lv_uuid === g.lv_uuid).lv_name, { segtype: g.segtype, devices: g.devices, chunk_size: g.chunk_size, thin_count: g.thin_count, thin_id: g.thin_id }]));
    // Sizes: the model's pool and origin are made to the same sizes as the VM's (thin.sh).
    expect(rows(sim)).toEqual(rows(real));
    expect(segs(sim)).toEqual(segs(real));
    expect(Object.keys(sim.report[0].lv[0]).sort()).toEqual(Object.keys(real.report[0].lv[0]).sort());
  });
});

describe('the simulator refuses what lvm2 refuses', () => {
  const s = thinSystem();
  const run = (sys: SimSystem, argv: string[]) => exec(sys, argv).result;

  it('a snapshot without a size of a non-thin origin', () => {
    const r = run(s, ['lvcreate', '--yes', '--snapshot', '--setactivationskip', 'n', '--name', 'x', '--addtag', 'lvmsnap', 'vg0/root']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('Please specify either size or extents with snapshots');
  });

  it('a thin snapshot in a full pool', () => {
    const r = run(drift.fillPool(s, 'vg0', 'pool', 100), ['lvcreate', '--yes', '--snapshot', '--setactivationskip', 'n', '--name', 'x', 'vg0/data']);
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toContain('Cannot create new thin volume, free space in thin pool vg0/pool reached threshold');
  });

  it('removing a pool with thin LVs without --yes; with --yes they go along', () => {
    expect(run(s, ['lvremove', 'vg0/pool']).stderr).toContain('will remove 3 dependent volume(s)');
    const unmounted = exec(s, ['umount', '--', '/mnt/data']).system;
    const gone = exec(unmounted, ['lvremove', '--yes', 'vg0/pool']).system;
    expect(Object.values(gone.lvs).map((l) => l.name).sort()).toEqual(['root']);
  });

  it('a thin snapshot gets the activation-skip flag unless -kn, and stays inactive across a reboot', () => {
    const made = exec(s, ['lvcreate', '--yes', '--snapshot', '--name', 'x', 'vg0/data']).system;
    const lv = report(made).lvs.find((l) => l.name === 'x')!;
    expect(lv).toMatchObject({ active: false, activationSkip: true, origin: 'data' });
    expect(lv.attr).toBe('Vwi---tz-k');
    const booted = drift.reboot(made);
    expect(findLv(booted, 'vg0', 'x')!.active).toBe(false);
    expect(findLv(booted, 'vg0', 'data')!.active).toBe(true);
  });

  it('thin-pool and thin LV creation as test setups use them', () => {
    let sys = thinSystem({ foreign: false });
    sys = exec(sys, ['lvcreate', '--yes', '--type', 'thin-pool', '--size', `${32 * 1024 * 1024}b`, '--name', 'p2', 'vg0']).system;
    sys = exec(sys, ['lvcreate', '--yes', '--virtualsize', `${64 * 1024 * 1024}b`, '--thinpool', 'p2', '--name', 't2', 'vg0']).system;
    const lvs = report(sys).lvs;
    expect(lvs.find((l) => l.name === 'p2')).toMatchObject({ thin: { kind: 'pool', pool: null, dataPercent: 0 } });
    expect(lvs.find((l) => l.name === 't2')).toMatchObject({ sizeBytes: 64 * 1024 * 1024, thin: { kind: 'volume', pool: 'p2' }, active: true });
  });
});
