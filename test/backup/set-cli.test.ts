// backup --config SET and recover --config through main() on the simulated host: --json, refusals (exit 3,
// nothing changed), --check, and recover limited to the config's chains.
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/main.js';
import { runSetApply } from '../../src/set/index.js';
import { addDirs } from '../../src/sim/build.js';
import { edit } from '../../src/sim/edit.js';
import { reboot } from '../../src/sim/drift.js';
import { SimHost } from '../../src/sim/host.js';
import type { SimSystem } from '../../src/sim/state.js';
import { toTarget } from '../../src/target.js';
import { setSystem } from '../set/system.js';
import { chainLeft, cli, COMPLETE, DEST, destNames } from './helpers.js';

const SET = '/etc/lvmsnap/set.yaml';
const TEXT = 'size: 16M\ntargets:\n  - { vg: vg0, lv: root }\n  - { vg: vg1, lv: home }\n';
const ONE = '/etc/lvmsnap/var.yaml';
const sys = (): SimSystem => edit(addDirs(setSystem(), ['/srv', DEST]), { stateFiles: { [SET]: TEXT, [ONE]: 'vg: vg0\nlv: var\nsize: 16M\n' } });


describe('lvmsnap backup --config SET', () => {
  it('--json lists each member\'s archive and manifest; every chain is gone', async () => {
    const host = new SimHost(sys());
    const r = await cli(['backup', '--config', SET, '--dest', DEST, '--json'], host);
    expect(r.code, r.err).toBe(EXIT.ok);
    const j = r.json();
    expect(j).toMatchObject({ ok: true, set: true, format: 'tar.zst', pruned: [] });
    expect(j.members.map((m: { vg: string; lv: string; prefix: string }) => [m.vg, m.lv, m.prefix])).toEqual([['vg0', 'root', 'vg0-root'], ['vg1', 'home', 'vg1-home']]);
    for (const m of j.members) {
      expect(m.archive).toMatch(new RegExp(`^${DEST}/${m.prefix}__\\d{8}_\\d{6}\\.tar\\.zst$`));
      expect(m.manifestPath).toBe(`${m.archive}.json`);
      expect(m.manifest).toMatchObject({ lvmsnapVersion: '9.9.9', origin: { vg: m.vg, lv: m.lv }, sha256: m.sha256 });
      expect(host.system.stateFiles[m.manifestPath]).toBe(`${JSON.stringify(m.manifest, null, 2)}\n`);
    }
    expect(j.archives).toEqual(j.members.map((m: { archive: string }) => m.archive));
    expect(destNames(host.system).filter((n) => COMPLETE.test(n))).toHaveLength(2);
    expect(chainLeft(host.system)).toEqual([]);
    // And the human form names every member.
    const h = await cli(['backup', '--config', SET, '--dest', DEST, '--prefix', 'h1'], host);
    expect(h.code, h.err).toBe(EXIT.ok);
    expect(h.out).toMatch(/snapshot set of 2, snapshotted one after another[\s\S]*vg0\/root: \/srv\/backups\/h1-vg0-root__[\s\S]*vg1\/home: \/srv\/backups\/h1-vg1-home__/);
  });

  it('refusals exit 3 and change nothing: a destination on a member\'s origin, an existing snapshot, a bad prefix', async () => {
    const host = new SimHost(edit(addDirs(sys(), ['/mnt/home/b']), {}));
    const before = host.system;
    const a = await cli(['backup', '--config', SET, '--dest', '/mnt/home/b', '--json'], host);
    expect(a.code).toBe(EXIT.refused);
    expect(a.json()).toMatchObject({ ok: false, exitCode: 3, error: expect.stringMatching(/^vg1\/home-lvmsnap: destination \/mnt\/home\/b is on the origin vg1\/home/) });
    expect((await cli(['backup', '--config', SET, '--dest', DEST, '--prefix', 'a__b'], host)).err).toMatch(/--prefix "a__b-vg0-root" must not contain "__"/);
    expect(host.system).toBe(before);
    await runSetApply([toTarget({ vg: 'vg1', lv: 'home', size: '16M' }, 't')], { state: 'present', check: false, waitSeconds: 0 }, { host });
    const held = host.system;
    const b = await cli(['backup', '--config', SET, '--dest', DEST], host);
    expect(b.code).toBe(EXIT.refused);
    expect(b.err).toMatch(/vg1\/home-lvmsnap: snapshot vg1\/home-lvmsnap already exists/);
    expect(host.system).toBe(held);
  });

  it('--check shows every member\'s commands and changes nothing', async () => {
    const host = new SimHost(sys());
    const before = host.system;
    const c = await cli(['backup', '--config', SET, '--dest', DEST, '--check', '--json'], host);
    expect(c.code, c.err).toBe(EXIT.ok);
    const j = c.json();
    expect(j).toMatchObject({ ok: true, check: true, set: true, refusals: [] });
    expect(j.members.map((m: { prefix: string }) => m.prefix)).toEqual(['vg0-root', 'vg1-home']);
    expect(j.members[1].present.changes.flatMap((x: { commands: string[][] }) => x.commands).some((a: string[]) => a[0] === 'lvcreate' && a.includes('vg1/home'))).toBe(true);
    expect(j.members[0].archiveCommand[0][0]).toBe('tar');
    expect(host.system).toBe(before);
    const h = await cli(['backup', '--config', SET, '--dest', DEST, '--check'], host);
    expect(h.out).toMatch(/snapshot set of 2[\s\S]*vg1\/home-lvmsnap:\n {4}lvcreate[\s\S]*commit, once every archive is verified:\n {4}# write \S+\.sha256[\s\S]*sync --data -- \S+\.partial\n {4}mv -T /);
    expect(host.system).toBe(before);
  });
});

describe('lvmsnap recover --config', () => {
  const leftovers = async () => {
    const host = new SimHost(sys());
    // Chains of both set members and of vg0/var (not in the set) are present.
    for (const t of [...['root', 'var'].map((lv) => ({ vg: 'vg0', lv })), { vg: 'vg1', lv: 'home' }])
      await runSetApply([toTarget({ ...t, size: '16M' }, 't')], { state: 'present', check: false, waitSeconds: 0 }, { host });
    return host;
  };
  const snaps = (s: SimSystem) => Object.values(s.lvs).filter((l) => l.origin !== null).map((l) => `${l.vg}/${l.name}`).sort();

  it('removes the chains of every member of the set and nothing else; --check changes nothing', async () => {
    const host = await leftovers();
    const before = host.system;
    const c = await cli(['recover', '--config', SET, '--check', '--json'], host);
    expect(c.code, c.err).toBe(EXIT.ok);
    expect(host.system).toBe(before);
    const r = await cli(['recover', '--config', SET, '--json'], host);
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(r.json().changed).toBe(true);
    expect(snaps(host.system)).toEqual(['vg0/var-lvmsnap']);
    expect((await cli(['recover', '--config', SET, '--detailed-exitcode'], host)).code).toBe(EXIT.ok);
  });

  it('a single-target config: that target\'s chain; --vg narrows a set to its members in that VG', async () => {
    const host = await leftovers();
    expect((await cli(['recover', '--config', ONE], host)).code).toBe(EXIT.ok);
    expect(snaps(host.system)).toEqual(['vg0/root-lvmsnap', 'vg1/home-lvmsnap']);
    expect((await cli(['recover', '--config', SET, '--vg', 'vg1'], host)).code).toBe(EXIT.ok);
    expect(snaps(host.system)).toEqual(['vg0/root-lvmsnap']);
    const bad = await cli(['recover', '--config', ONE, '--vg', 'vg1'], host);
    expect(bad.code).toBe(EXIT.refused);
    expect(bad.err).toMatch(/no target in \/etc\/lvmsnap\/var.yaml is in volume group vg1/);
  });

  it('after a reboot that lost the loop PVs: recovers the members\' chains; refuses, changing nothing, while another chain in the same VG lost its PV', async () => {
    const tmpSet = 'size: 16M\ntargets:\n  - { vg: vg0, lv: root, tmpFile: /var/space/root.img }\n  - { vg: vg1, lv: home, tmpFile: /var/space/home.img }\n';
    const host = new SimHost(edit(sys(), { stateFiles: { [SET]: tmpSet } }));
    expect((await cli(['apply', '--state', 'present', '--config', SET], host)).code).toBe(EXIT.ok);
    await runSetApply([toTarget({ vg: 'vg0', lv: 'var', size: '16M', tmpFile: '/var/space/var.img' }, 't')], { state: 'present', check: false, waitSeconds: 0 }, { host });
    const booted = new SimHost(reboot(host.system));
    const before = booted.system;
    const r = await cli(['recover', '--config', SET], booted);
    expect(r.code).toBe(EXIT.refused);
    expect(r.out + r.err).toMatch(/lvmsnap chain vg0\/var-lvmsnap is not one of the given targets but lost its PV in the same volume group: recover it too \(lvmsnap recover --vg vg0\)/);
    // Nothing changed (recover locks the chains before it plans; the locks are released).
    expect(booted.calls.filter((c) => c.mutating)).toEqual([]);
    expect({ ...booted.system, locks: {} }).toEqual({ ...before, locks: {} });
    // vg1 holds only a member: recovered; then the whole vg0 by --vg.
    expect((await cli(['recover', '--config', SET, '--vg', 'vg1'], booted)).code).toBe(EXIT.ok);
    expect(snaps(booted.system)).toEqual(['vg0/root-lvmsnap', 'vg0/var-lvmsnap']);
    expect((await cli(['recover', '--vg', 'vg0'], booted)).code).toBe(EXIT.ok);
    expect(snaps(booted.system)).toEqual([]);
    expect(Object.values(booted.system.pvs).filter((p) => p.tags.includes('lvmsnap'))).toEqual([]);
  });
});
