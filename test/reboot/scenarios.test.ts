// The reboot scenarios of issue 8 on the simulated host, through the CLI: `check reboot` blocks, `recover`
// (no target) brings the origin back, `check reboot` is then safe; foreign missing PVs and foreign LVs on
// a missing PV make `recover` refuse and change nothing; several chains in one VG; the shutdown guard.
import { describe, expect, it } from 'vitest';
import { EXIT, main } from '../../src/cli/main.js';
import { addDisk, addLv, simpleSystem } from '../../src/sim/build.js';
import { withSystemd } from '../../src/sim/cmd-systemd.js';
import { reboot } from '../../src/sim/drift.js';
import { edit, REMOVE } from '../../src/sim/edit.js';
import { exec } from '../../src/sim/exec.js';
import { SimHost } from '../../src/sim/host.js';
import type { SimSystem } from '../../src/sim/state.js';

const T = ['--vg', 'vg0', '--lv', 'root', '--tmp-file', '/var/space/cow.img', '--mountpoint', '/media/snap', '--size', '32M'];
const T2 = ['--vg', 'vg0', '--lv', 'root', '--snapshot', 'root-second', '--tmp-file', '/var/space/cow2.img', '--size', '16M'];

async function cli(argv: string[], system: SimSystem) {
  const host = new SimHost(system);
  let out = '';
  let err = '';
  const code = await main(argv, { host, stdout: (s) => { out += s; }, stderr: (s) => { err += s; } });
  return { code, out, err, system: host.system, host, json: () => JSON.parse(out) };
}
async function ok(argv: string[], system: SimSystem): Promise<SimSystem> {
  const r = await cli(argv, system);
  expect(r.code, `${argv.join(' ')}\n${r.out}\n${r.err}`).toBe(EXIT.ok);
  return r.system;
}

const origin = (s: SimSystem) => Object.values(s.lvs).find((l) => l.vg === 'vg0' && l.name === 'root')!;
const lvmsnapObjects = (s: SimSystem) => ({
  lvs: Object.values(s.lvs).filter((l) => l.tags.includes('lvmsnap')).map((l) => l.name),
  pvs: Object.values(s.pvs).filter((p) => p.tags.includes('lvmsnap') || p.vg === 'vg0' && p.lastDevice.startsWith('/dev/loop')).map((p) => p.uuid),
  loops: Object.values(s.loops).filter((l) => l.ino !== null).map((l) => l.name),
  journals: Object.keys(s.stateFiles),
});
const NOTHING = { lvs: [], pvs: [], loops: [], journals: [] };
const sameExceptLocks = (a: SimSystem, b: SimSystem) => expect({ ...a, locks: {} }).toEqual({ ...b, locks: {} });
const mutating = (host: SimHost) => host.calls.filter((c) => c.mutating);
const full = () => simpleSystem({ vgFreeBytes: 0 });

describe('check reboot -> recover -> safe (simulated LVM)', () => {
  it('after a power loss with the chain in place: blocks, recover brings the origin back, then safe', async () => {
    const start = full();
    const booted = reboot(await ok(['apply', '--state', 'present', ...T], start));
    expect(origin(booted).active).toBe(false);

    const before = await cli(['check', 'reboot', '--json'], booted);
    expect(before.code).toBe(EXIT.failed);
    expect(before.json().safe).toBe(false);
    expect(before.json().hazards.map((h: { kind: string; severity: string }) => `${h.severity}:${h.kind}`)).toEqual(['block:missing-pv', 'block:snapshot']);
    for (const h of before.json().hazards) expect(Object.keys(h)).toEqual(['severity', 'kind', 'vg', 'object', 'owner', 'fix']);
    expect(before.json().hazards[0].fix).toBe('lvmsnap recover --vg vg0');
    expect(mutating(before.host)).toEqual([]);

    const plan = await cli(['recover', '--check'], booted);
    expect(plan.code).toBe(EXIT.ok);
    expect(plan.system).toBe(booted);
    expect(plan.out).toContain('$ vgreduce --yes --removemissing vg0');

    const rec = await cli(['recover', '--json'], booted);
    expect(rec.code, rec.out + rec.err).toBe(EXIT.ok);
    const argvs = mutating(rec.host).filter((c) => c.op === 'run').map((c) => c.argv.join(' '));
    expect(argvs).toEqual(['rmdir -- /media/snap', 'lvremove --yes vg0/root-lvmsnap', 'vgreduce --yes --removemissing vg0', 'lvchange --activate y vg0/root']);
    expect(argvs.join(' ')).not.toMatch(/--force|-f\b/);
    const { active, minor: _m, ...o } = origin(rec.system);
    const { active: _a, minor: _m2, ...o0 } = origin(start);
    expect(active).toBe(true);
    expect(o).toEqual(o0);
    expect(lvmsnapObjects(rec.system)).toEqual(NOTHING);

    const after = await cli(['check', 'reboot'], rec.system);
    expect(after.code).toBe(EXIT.ok);
    expect(after.out).toMatch(/safe to reboot/);
    // And the target can be snapshotted again.
    await ok(['apply', '--state', 'present', ...T], rec.system);
  });

  it('before a reboot: recover tears the live chain down to the starting system', async () => {
    const start = full();
    const live = await ok(['apply', '--state', 'present', ...T], start);
    expect((await cli(['check', 'reboot'], live)).code).toBe(EXIT.failed);
    const rec = await cli(['recover'], live);
    expect(rec.code, rec.out).toBe(EXIT.ok);
    sameExceptLocks({ ...rec.system, counters: start.counters }, start);
    const again = await cli(['recover', '--json'], rec.system);
    expect(again.json()).toMatchObject({ ok: true, changed: false, chains: [] });
    expect(mutating(again.host)).toEqual([]);
  });

  it('two chains in one VG, both lost at a reboot: snapshots first, then one vgreduce --removemissing', async () => {
    const start = full();
    const booted = reboot(await ok(['apply', '--state', 'present', ...T2], await ok(['apply', '--state', 'present', ...T], start)));
    expect(Object.values(booted.pvs).filter((p) => p.vg === 'vg0').length).toBe(3);
    const rec = await cli(['recover', '--vg', 'vg0'], booted);
    expect(rec.code, rec.out + rec.err).toBe(EXIT.ok);
    const argvs = mutating(rec.host).filter((c) => c.op === 'run').map((c) => c.argv.join(' '));
    expect(argvs.filter((a) => a.startsWith('lvremove'))).toHaveLength(2);
    const lastLvremove = argvs.map((a) => a.startsWith('lvremove')).lastIndexOf(true);
    expect(argvs.findIndex((a) => a.startsWith('vgreduce'))).toBeGreaterThan(lastLvremove);
    expect(origin(rec.system).active).toBe(true);
    expect(lvmsnapObjects(rec.system)).toEqual(NOTHING);
  });

  it('check reboot that cannot check exits 3 and never says safe', async () => {
    const bad = await cli(['check', 'reboot', '--json', '--state-dir', 'relative/dir'], full());
    expect(bad.code).toBe(EXIT.refused);
    expect(bad.json()).toMatchObject({ safe: false, hazards: [], error: expect.stringMatching(/--state-dir/) });
    // The observation fails (here: a corrupt journal).
    const corrupt = edit(full(), { stateFiles: { '/var/lib/lvmsnap/vg0/root-lvmsnap.json': '{not json' } });
    const r = await cli(['check', 'reboot'], corrupt);
    expect(r.code).toBe(EXIT.refused);
    expect(r.err).toMatch(/could not check: corrupt journal/);
    expect(r.out).toBe('');
  });

  it('--vg names an unknown VG: exit 3, nothing read beyond the report', async () => {
    const r = await cli(['recover', '--vg', 'nope'], full());
    expect(r.code).toBe(EXIT.refused);
    expect(r.err).toMatch(/volume group "nope" not found/);
  });

  it('another run holds a chain\'s lock: exit 3, nothing changed', async () => {
    const live = await ok(['apply', '--state', 'present', ...T], full());
    const locked = edit(live, { locks: { '/run/lock/lvmsnap/vg0-root-lvmsnap.lock': { pid: new SimHost(live).pid, holder: 'pid 1' } } });
    const r = await cli(['recover'], locked);
    expect(r.code).toBe(EXIT.refused);
    expect(r.err).toMatch(/another lvmsnap run holds/);
    expect(mutating(r.host)).toEqual([]);
  });
});

describe('recover refuses what is not lvmsnap\'s (simulated LVM)', () => {
  it('a foreign missing PV in the VG: exit 3, names it, changes nothing', async () => {
    let s = addDisk(full(), '/dev/vdb', 254, 16, 64 * 1024 * 1024);
    s = exec(s, ['vgextend', '--yes', 'vg0', '/dev/vdb']).system;
    const foreignUuid = s.disks['/dev/vdb']!.label!;
    s = await ok(['apply', '--state', 'present', ...T], s);
    const booted = edit(reboot(s), { disks: { '/dev/vdb': REMOVE } });
    const r = await cli(['recover'], booted);
    expect(r.code).toBe(EXIT.refused);
    expect(r.out).toContain(`volume group vg0 is missing PV ${foreignUuid}, which is not lvmsnap's`);
    expect(mutating(r.host)).toEqual([]);
    sameExceptLocks(r.system, booted);
    const chk = await cli(['check', 'reboot', '--json'], booted);
    expect(chk.json().hazards).toContainEqual(expect.objectContaining({ kind: 'missing-pv', object: `PV ${foreignUuid} (missing)`, owner: "not lvmsnap's" }));
  });

  it('an LV lvmsnap did not create with extents on the lost loop PV: exit 3, names it, changes nothing', async () => {
    const live = await ok(['apply', '--state', 'present', ...T], full());
    // The VG is full, so the user's new LV lands on lvmsnap's loop PV.
    const withUserLv = addLv(live, 'vg0', 'data', 4 * 1024 * 1024);
    const booted = reboot(withUserLv);
    const r = await cli(['recover', '--json'], booted);
    expect(r.code).toBe(EXIT.refused);
    expect(r.json().refusals).toContainEqual(expect.stringMatching(/^LV vg0\/data has extents on a missing PV and was not created by lvmsnap/));
    expect(mutating(r.host)).toEqual([]);
    sameExceptLocks(r.system, booted);
  });
});

describe('the shutdown guard (simulated systemd)', () => {
  it('present starts lvmsnap-guard@<dir>.service first; a second present changes nothing', async () => {
    const r = await cli(['apply', '--state', 'present', ...T, '--json'], withSystemd(full()));
    expect(r.code, r.err).toBe(EXIT.ok);
    const runs = mutating(r.host).filter((c) => c.op === 'run').map((c) => c.argv.join(' '));
    expect(runs[0]).toBe('systemctl start -- lvmsnap-guard@var-space.service');
    expect(r.json().resources[0]).toMatchObject({ kind: 'ShutdownGuard', id: 'lvmsnap-guard@var-space.service', action: 'create' });
    expect(r.system.systemd!.active).toEqual(['lvmsnap-guard@var-space.service']);
    const again = await cli(['apply', '--state', 'present', ...T, '--json'], r.system);
    expect(again.json().changed).toBe(false);
    expect((await cli(['check', 'reboot', '--json'], r.system)).json().hazards.map((h: { kind: string }) => h.kind)).toEqual(['loop-pv', 'snapshot']);
    // absent leaves the guard active (its stop would run recover for every chain; idle it finds nothing).
    const absent = await cli(['apply', '--state', 'absent', ...T], r.system);
    expect(absent.system.systemd!.active).toEqual(['lvmsnap-guard@var-space.service']);
    expect((await cli(['check', 'reboot'], absent.system)).code).toBe(EXIT.ok);
  });

  it('a chain whose guard is not active is a blocking hazard; present starts it again', async () => {
    const live = await ok(['apply', '--state', 'present', ...T], withSystemd(full()));
    const stopped = edit(live, {}, { systemd: { ...live.systemd!, active: [] } });
    const chk = await cli(['check', 'reboot', '--json'], stopped);
    expect(chk.json().hazards).toContainEqual({ severity: 'block', kind: 'guard-inactive', vg: 'vg0', object: 'lvmsnap-guard@var-space.service (inactive)', owner: "lvmsnap's (snapshot vg0/root-lvmsnap of vg0/root)", fix: 'systemctl start lvmsnap-guard@var-space.service' });
    const fixed = await cli(['apply', '--state', 'present', ...T], stopped);
    expect(mutating(fixed.host).map((c) => c.argv.join(' '))).toEqual(['systemctl start -- lvmsnap-guard@var-space.service']);
  });

  it('systemd runs but the guard is not installed: present refuses (exit 3) before any change', async () => {
    const s = withSystemd(full(), []);
    const r = await cli(['apply', '--state', 'present', ...T], s);
    expect(r.code).toBe(EXIT.refused);
    expect(r.out).toMatch(/lvmsnap-guard@var-space.service cannot be loaded \(not-found\): run "lvmsnap systemd install" first/);
    expect(mutating(r.host)).toEqual([]);
  });

  it('without systemd, or without a tmp file, no systemctl runs at all', async () => {
    const a = await cli(['apply', '--state', 'present', ...T], full());
    const b = await cli(['apply', '--state', 'present', '--vg', 'vg0', '--lv', 'root', '--size', '8M'], withSystemd(simpleSystem()));
    for (const r of [a, b]) {
      expect(r.code).toBe(EXIT.ok);
      expect(r.host.calls.filter((c) => c.argv[0] === 'systemctl')).toEqual([]);
    }
  });
});
