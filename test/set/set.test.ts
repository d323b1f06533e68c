// Snapshot sets (src/set/): config, pre-flight over the whole set, order, rollback, locks, CLI.
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { UsageError } from '../../src/errors.js';
import { rehearse } from '../../src/rehearse.js';
import { runSetApply, runSetStatus, toTargets } from '../../src/set/index.js';
import { SimHost } from '../../src/sim/host.js';
import { edit } from '../../src/sim/edit.js';
import type { SimSystem } from '../../src/sim/state.js';
import { comparable } from '../property/harness.js';
import { failingHost } from './hosts.js';
import { setMembers, setSystem } from './system.js';

const MiB = 1024 * 1024;
const ourSnapshots = (s: SimSystem) => Object.values(s.lvs).filter((l) => l.tags.includes('lvmsnap') && l.origin !== null).map((l) => `${l.vg}/${l.name}`).sort();

describe('set config', () => {
  it('reads members, applies top-level defaults, and lets a member override them', () => {
    const m = toTargets({ size: '8M', stateDir: '/srv/state', targets: [{ vg: 'vg0', lv: 'root' }, { vg: 'vg1', lv: 'home', size: '1G' }] }, 'set.yaml');
    expect(m.map((t) => [t.vg, t.snapshot, t.size, t.stateDir])).toEqual([
      ['vg0', 'root-lvmsnap', { kind: 'bytes', bytes: 8 * MiB }, '/srv/state'],
      ['vg1', 'home-lvmsnap', { kind: 'bytes', bytes: 1024 * MiB }, '/srv/state'],
    ]);
  });

  it('names every bad member and every clash in one error', () => {
    const bad = () => toTargets({ targets: [{ vg: 'vg0', lv: 'root' }, { vg: 'vg0' }, { vg: 'vg0', lv: 'root', mountpoint: 'x' }] }, 'set.yaml');
    expect(bad).toThrow(UsageError);
    expect(bad).toThrow(/targets\[1\]:\n {2}lv: required/);
    expect(bad).toThrow(/targets\[2\]:\n {2}mountpoint: must be an absolute/);
    expect(() => toTargets({ targets: [{ vg: 'vg0', lv: 'root', mountpoint: '/m' }, { vg: 'vg0', lv: 'var', mountpoint: '/m' }] }, 's')).toThrow(/targets\[1\]: mountpoint \/m is already used by targets\[0\] \(vg0\/root-lvmsnap\)/);
    expect(() => toTargets({ targets: [{ vg: 'vg0', lv: 'root' }, { vg: 'vg0', lv: 'root', snapshot: 'other' }] }, 's')).toThrow(/origin vg0\/root is already used/);
    expect(() => toTargets({ targets: [] }, 's')).toThrow(/non-empty list/);
  });
});

describe('set apply on the simulator', () => {
  it('present creates every member in the listed order, a second present changes nothing, absent restores the system', async () => {
    const start = setSystem();
    const members = setMembers({ tmpHome: true, mount: true });
    const host = new SimHost(start);
    const r = await runSetApply(members, { state: 'present', check: false, waitSeconds: 0 }, { host });
    expect(r.error).toBeUndefined();
    expect(r.changed).toBe(true);
    expect(r.members.map((m) => m.outcome)).toEqual(['ran', 'ran', 'ran']);
    const lvcreates = r.commands.filter((c) => c.argv[0] === 'lvcreate').map((c) => c.argv.at(-1) === '/dev/loop0' ? c.argv.at(-2) : c.argv.at(-1));
    expect(lvcreates).toEqual(['vg0/root', 'vg1/home', 'vg0/var']);
    expect(ourSnapshots(host.system)).toEqual(['vg0/root-lvmsnap', 'vg0/var-lvmsnap', 'vg1/home-lvmsnap']);
    const again = await runSetApply(members, { state: 'present', check: false, waitSeconds: 0 }, { host });
    expect(again.changed).toBe(false);
    expect(again.commands.filter((c) => c.mutating)).toEqual([]);
    expect((await runSetStatus(members, { host })).state).toBe('present');
    const gone = await runSetApply(members, { state: 'absent', check: false, waitSeconds: 0 }, { host });
    expect(gone.members.map((m) => m.target.lv)).toEqual(['var', 'home', 'root']);
    expect(comparable(host.system)).toEqual(comparable(start));
  });

  it('refuses the whole set, changing nothing, when the members of one VG need more than it has free together', async () => {
    // vg0 has 24 MiB free: root and var need 16 MiB each; each alone fits, both do not.
    const start = setSystem({ vg0FreeBytes: 24 * MiB });
    const host = new SimHost(start);
    const r = await runSetApply(setMembers(), { state: 'present', check: false, waitSeconds: 0 }, { host });
    expect(r.refusals).toEqual([expect.stringMatching(/the set's snapshots in volume group vg0 \(vg0\/root-lvmsnap, vg0\/var-lvmsnap\) need 32 MiB together but vg0 has 24 MiB free/)]);
    expect(r.commands.filter((c) => c.mutating)).toEqual([]);
    expect(comparable(host.system)).toEqual(comparable(start));
  });

  it('checks every member before the first change: a problem in the last member stops the first', async () => {
    const host = new SimHost(setSystem());
    const members = [...setMembers(), { ...setMembers()[0]!, vg: 'vg9', lv: 'nope', snapshot: 'nope-lvmsnap' }];
    const r = await runSetApply(members, { state: 'present', check: false, waitSeconds: 0 }, { host });
    expect(r.refusals).toEqual([expect.stringMatching(/^vg9\/nope-lvmsnap: volume group "vg9" not found/)]);
    expect(r.commands.filter((c) => c.mutating)).toEqual([]);
  });

  it('a member failing during present takes the members this run created back to absent, and says so', async () => {
    const start = setSystem();
    // Mutations: root lvcreate (1), home: fallocate, losetup, pvcreate, vgextend, pvchange, lvcreate (7) ...: fail home's lvcreate.
    const host = failingHost(new SimHost(start), 7);
    const sim = host as unknown as SimHost;
    const r = await runSetApply(setMembers({ tmpHome: true }), { state: 'present', check: false, waitSeconds: 0 }, { host });
    expect(r.error?.member).toBe('vg1/home-lvmsnap');
    expect(r.error?.message).toMatch(/command failed \(exit 5\): lvcreate .*injected failure/);
    expect(r.members.map((m) => m.outcome)).toEqual(['ran', 'failed', 'not-run']);
    expect(r.rollback).toMatchObject({ members: ['vg1/home-lvmsnap', 'vg0/root-lvmsnap'], ok: true, errors: [] });
    expect(comparable(sim.system)).toEqual(comparable(start));
    const { renderSetApplyHuman, setApplyJson } = await import('../../src/cli/render-set.js');
    expect(renderSetApplyHuman(r, false)).toMatch(/FAILED: member vg1\/home-lvmsnap failed\.\nRolled back to absent \(members this run created\): vg1\/home-lvmsnap, vg0\/root-lvmsnap\./);
    expect(setApplyJson(r)).toMatchObject({ ok: false, failedMember: 'vg1/home-lvmsnap', rollback: { members: ['vg1/home-lvmsnap', 'vg0/root-lvmsnap'], ok: true }, keptPartial: false });
  });

  it('--keep-partial leaves what the run created; a member present before the run is never rolled back', async () => {
    const members = setMembers();
    const warm = new SimHost(setSystem());
    await runSetApply([members[1]!], { state: 'present', check: false, waitSeconds: 0 }, { host: warm });
    // Now root (1) ok, home already present, var's lvcreate (2nd change) fails.
    const kept = failingHost(new SimHost(warm.system), 2);
    const r = await runSetApply(members, { state: 'present', check: false, waitSeconds: 0, keepPartial: true }, { host: kept });
    expect(r.error?.member).toBe('vg0/var-lvmsnap');
    expect(r.keptPartial).toBe(true);
    expect(ourSnapshots((kept as unknown as SimHost).system)).toEqual(['vg0/root-lvmsnap', 'vg1/home-lvmsnap']);
    const rolled = failingHost(new SimHost(warm.system), 2);
    const r2 = await runSetApply(members, { state: 'present', check: false, waitSeconds: 0 }, { host: rolled });
    // The failing member ran a changing command: it is taken back too; home, present before the run, is not.
    expect(r2.rollback?.members).toEqual(['vg0/var-lvmsnap', 'vg0/root-lvmsnap']);
    expect(ourSnapshots((rolled as unknown as SimHost).system)).toEqual(['vg1/home-lvmsnap']);
  });

  it('--check plans and rehearses every member and changes nothing', async () => {
    const start = setSystem();
    const host = new SimHost(start);
    const r = await runSetApply(setMembers({ tmpHome: true, mount: true }), { state: 'present', check: true, waitSeconds: 0 }, { host, rehearse });
    expect(r.changed).toBe(true);
    expect(r.rehearsal).toBeNull();
    expect(host.calls.filter((c) => c.mutating || c.op === 'lock')).toEqual([]);
    expect(host.system).toEqual(start);
  });

  it('takes every member\'s lock in sorted order and refuses, changing nothing, when one is held', async () => {
    const host = new SimHost(setSystem());
    await runSetApply(setMembers(), { state: 'present', check: false, waitSeconds: 0 }, { host });
    expect(host.calls.filter((c) => c.op === 'lock').map((c) => c.argv[0])).toEqual([
      '/run/lock/lvmsnap/vg0-root-lvmsnap.lock', '/run/lock/lvmsnap/vg0-var-lvmsnap.lock', '/run/lock/lvmsnap/vg1-home-lvmsnap.lock',
    ]);
    const other = new SimHost(host.system);
    await other.lock('/run/lock/lvmsnap/vg1-home-lvmsnap.lock');
    const blocked = new SimHost(other.system);
    await expect(runSetApply(setMembers(), { state: 'absent', check: false, waitSeconds: 0 }, { host: blocked })).rejects.toThrow(/another lvmsnap run holds \/run\/lock\/lvmsnap\/vg1-home-lvmsnap.lock/);
    expect(blocked.calls.filter((c) => c.mutating)).toEqual([]);
    expect(blocked.system.locks).toEqual(other.system.locks);
  });
});

describe('recover and sets', () => {
  it('recover (no target) removes everything a killed set run left, in every VG', async () => {
    const { runRecover } = await import('../../src/reboot/index.js');
    const { SimulatedCrash } = await import('../../src/sim/host.js');
    const start = setSystem();
    // Killed in home's chain (after root's snapshot and home's tmp file, loop device and PV).
    const killed = new SimHost(start, { crashAfterMutating: 6 });
    await expect(runSetApply(setMembers({ tmpHome: true }), { state: 'present', check: false, waitSeconds: 0 }, { host: killed })).rejects.toThrow(SimulatedCrash);
    expect(ourSnapshots(killed.system)).toEqual(['vg0/root-lvmsnap']);
    const host = new SimHost(killed.system);
    const r = await runRecover({ check: false, stateDir: '/var/lib/lvmsnap' }, { host });
    expect(r.refusals).toEqual([]);
    expect(comparable(host.system)).toEqual(comparable(start));
  });
});

describe('set CLI', () => {
  const withConfig = (text: string, s: SimSystem = setSystem()) => new SimHost(edit(s, { stateFiles: { '/etc/lvmsnap/set.yaml': text } }));
  const SET = 'size: 16M\ntargets:\n  - { vg: vg0, lv: root }\n  - { vg: vg1, lv: home }\n';
  const cli = async (argv: string[], host: SimHost) => {
    let out = '';
    let err = '';
    const code = await main(argv, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, host, deps: { rehearse } });
    return { code, out, err };
  };

  it('apply, status and plan take a set config', async () => {
    const host = withConfig(SET);
    const a = await cli(['apply', '--state', 'present', '--config', '/etc/lvmsnap/set.yaml', '--json'], host);
    expect(a.code).toBe(0);
    const j = JSON.parse(a.out) as { set: boolean; changed: boolean; order: string[]; members: { resources: unknown[] }[] };
    expect(j).toMatchObject({ set: true, changed: true, order: ['vg0/root-lvmsnap', 'vg1/home-lvmsnap'] });
    const s = await cli(['status', '--config', '/etc/lvmsnap/set.yaml'], host);
    expect(s.out).toMatch(/Set state: present \(2 members\)/);
    const p = await cli(['plan', '--config', '/etc/lvmsnap/set.yaml', '--state', 'absent', '--detailed-exitcode'], host);
    expect(p.code).toBe(2);
    expect(p.out).toMatch(/\$ lvremove --yes vg1\/home-lvmsnap/);
  });

  it('refuses target flags with a set, for apply and backup', async () => {
    const host = withConfig(SET);
    const a = await cli(['apply', '--state', 'present', '--config', '/etc/lvmsnap/set.yaml', '--size', '1G'], host);
    expect(a.code).toBe(3);
    expect(a.err).toMatch(/is a snapshot set \(targets:\): target flags --size cannot change its members/);
    const b = await cli(['backup', '--config', '/etc/lvmsnap/set.yaml', '--dest', '/tmp', '--mountpoint', '/m'], host);
    expect(b.code).toBe(3);
    expect(b.err).toMatch(/target flags --mountpoint cannot change its members/);
  });
});
