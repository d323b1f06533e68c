// The backup commands end to end through main() on the simulated host: exit codes, --json, refusals.
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/main.js';
import { edit, setFields } from '../../src/sim/edit.js';
import { SimHost } from '../../src/sim/host.js';
import { watchIntervalFrom, WATCH_DEFAULT_MS, WATCH_ENV } from '../../src/cli/backup-flags.js';
import { chainLeft, cli, COMPLETE, DEST, destNames, system } from './helpers.js';

const T = ['--vg', 'vg0', '--lv', 'root', '--size', '32M'];

describe('lvmsnap backup / backups on the simulated host', () => {
  it('backup --json, list, verify ok, a corrupted byte fails verify with exit 1', async () => {
    const host = new SimHost(system());
    const b = await cli(['backup', ...T, '--dest', DEST, '--json'], host);
    expect(b.code, b.err).toBe(EXIT.ok);
    const j = b.json();
    expect(j).toMatchObject({ ok: true, format: 'tar.zst', pruned: [], manifest: { lvmsnapVersion: '9.9.9', origin: { vg: 'vg0', lv: 'root' } } });
    expect(j.archive).toMatch(new RegExp(`^${DEST}/vg0-root__\\d{8}_\\d{6}\\.tar\\.zst$`));
    expect(chainLeft(host.system)).toEqual([]);

    const l = await cli(['backups', 'list', '--dest', DEST, '--json'], host);
    expect(l.code).toBe(EXIT.ok);
    expect(l.json().archives).toEqual([expect.objectContaining({ path: j.archive, format: 'tar.zst', prefix: 'vg0-root', verification: 'verified-at-backup', sha256: j.sha256 })]);

    expect((await cli(['backups', 'verify', j.archive], host)).code).toBe(EXIT.ok);
    const ino = host.system.paths[j.archive]!;
    host.system = edit(host.system, { inodes: { [ino]: setFields(host.system.inodes[ino]!, { data: `${host.system.inodes[ino]!.data}x` }) } });
    const bad = await cli(['backups', 'verify', j.archive, '--json'], host);
    expect(bad.code).toBe(EXIT.failed);
    expect(bad.json()).toMatchObject({ ok: false, checksum: 'mismatch', integrity: 'corrupt' });
  });

  it('refusals exit 3 and change nothing: existing snapshot, missing dest, prune without rules', async () => {
    const host = new SimHost(system());
    expect((await cli(['apply', '--state', 'present', ...T], host)).code).toBe(EXIT.ok);
    const before = host.system;
    const r = await cli(['backup', ...T, '--dest', DEST], host);
    expect(r.code).toBe(EXIT.refused);
    expect(r.err).toMatch(/already exists.*--reuse-snapshot/s);
    expect((await cli(['backup', ...T, '--dest', '/srv/none', '--reuse-snapshot'], host)).code).toBe(EXIT.refused);
    expect((await cli(['backups', 'prune', '--dest', DEST, '--prefix', 'vg0-root'], host)).code).toBe(EXIT.refused);
    expect((await cli(['backup', ...T, '--dest', DEST, '--level', '40', '--reuse-snapshot'], host)).code).toBe(EXIT.refused);
    expect(host.system).toBe(before);
  });

  it('leftovers of an interrupted run: --check lists their removal (rm --force), the run removes them through its plan', async () => {
    const host = new SimHost(system());
    const dead = `${DEST}/vg0-root__20261101_000000.tar.zst`;
    for (const f of [`${dead}.partial`, `${dead}.sha256`]) expect((await host.run(['fallocate', '--length', '4096', '--', f], { mutating: true })).exitCode).toBe(0);
    const before = host.system;
    const chk = await cli(['backup', ...T, '--dest', DEST, '--check', '--json'], host);
    expect(chk.code, chk.err).toBe(EXIT.ok);
    expect(host.system).toBe(before);
    expect(chk.json().leftovers).toEqual([['rm', '--force', '--', `${dead}.partial`], ['rm', '--force', '--', `${dead}.sha256`]]);
    expect((await cli(['backup', ...T, '--dest', DEST, '--check'], host)).out).toMatch(/remove leftovers of interrupted backups:\n +rm --force -- \S+\.partial/);
    const run = await cli(['backup', ...T, '--dest', DEST, '--json'], host);
    expect(run.code, run.err).toBe(EXIT.ok);
    expect(run.json().removedLeftovers.sort()).toEqual(['vg0-root__20261101_000000.tar.zst.partial', 'vg0-root__20261101_000000.tar.zst.sha256']);
    expect(destNames(host.system).filter((n) => n.startsWith('vg0-root__20261101'))).toEqual([]);
    expect(host.commands.filter((c) => c.argv[0] === 'rm' && c.argv[1] === '--force')).toHaveLength(2);
  });

  it('backup --check shows every command (snapshot plan, pipelines, rename, prune) and changes nothing; the run then runs them', async () => {
    const host = new SimHost(system());
    for (let i = 0; i < 2; i++) expect((await cli(['backup', ...T, '--dest', DEST, '--json'], host)).code).toBe(EXIT.ok);
    const before = host.system;
    const chk = await cli(['backup', ...T, '--dest', DEST, '--keep-daily', '1', '--check', '--json'], host);
    expect(chk.code, chk.err).toBe(EXIT.ok);
    expect(host.system).toBe(before);
    const j = chk.json();
    const present = j.present.changes.flatMap((c: { commands: string[][] }) => c.commands);
    expect(present.map((a: string[]) => a[0])).toEqual(['lvcreate', 'mkdir', 'mount']);
    expect(j.archiveCommand.map((a: string[]) => a[0])).toEqual(['tar', 'zstd']);
    const partial = `${j.archive}.partial`;
    expect(j.commit).toEqual([['sync', '--data', '--', partial], ['mv', '-T', '--', partial, j.archive]]);
    expect(j.companions).toEqual([`${j.archive}.sha256`, `${j.archive}.json`]);
    expect(j.leftovers).toEqual([]);
    const olds = destNames(before).filter((n) => COMPLETE.test(n));
    expect(j.prune.commands.filter((a: string[]) => COMPLETE.test(a[2]!.slice(DEST.length + 1)))).toHaveLength(olds.length);
    const human = await cli(['backup', ...T, '--dest', DEST, '--check'], host);
    expect(human.out).toMatch(/would write .*nothing changed[\s\S]*lvcreate[\s\S]*tar --create[\s\S]*mv -T/);
    // the run: the same snapshot commands, a rename, the same archives pruned
    const ran = host.calls.length;
    const run = await cli(['backup', ...T, '--dest', DEST, '--keep-daily', '1', '--json'], host);
    expect(run.code, run.err).toBe(EXIT.ok);
    const mutating = host.calls.slice(ran).filter((c) => c.op === 'run' && c.mutating).map((c) => c.argv);
    for (const a of present) expect(mutating).toContainEqual(a);
    expect(run.json().pruned.sort()).toEqual(olds.sort());
    // refused before any change: the same refusals as a real run
    expect((await cli(['backup', ...T, '--dest', '/srv/none', '--check'], host)).code).toBe(EXIT.refused);
  });

  it('prune --check shows, prune removes; restore refuses a non-empty directory and a mounted device', async () => {
    const host = new SimHost(system({ dirs: ['/srv/restore', '/srv/full'] }));
    for (let i = 0; i < 3; i++) expect((await cli(['backup', ...T, '--dest', DEST, '--json'], host)).code).toBe(EXIT.ok);
    const names = destNames(host.system).filter((n) => COMPLETE.test(n));
    expect(names).toHaveLength(3);
    const check = await cli(['backups', 'prune', '--dest', DEST, '--prefix', 'vg0-root', '--keep-within', '1h', '--keep-daily', '1', '--check', '--json'], host);
    expect(check.code).toBe(EXIT.ok);
    expect(check.json().removed).toEqual([]);
    // --check shows the removal plan's commands (archive first, then its companions) and changes nothing
    const unchanged = host.system;
    const plan = await cli(['backups', 'prune', '--dest', DEST, '--prefix', 'vg0-root', '--keep-daily', '1', '--check', '--json'], host);
    const older = names.sort().slice(0, 2).reverse(); // decisions run newest first
    expect(plan.json().commands).toEqual(older.flatMap((n) => [['rm', '--', `${DEST}/${n}`], ['rm', '--', `${DEST}/${n}.sha256`], ['rm', '--', `${DEST}/${n}.json`]]));
    expect(host.system).toBe(unchanged);
    const human = await cli(['backups', 'prune', '--dest', DEST, '--prefix', 'vg0-root', '--keep-daily', '1', '--check'], host);
    expect(human.out).toContain(`commands it would run:\n  rm -- ${DEST}/${older[0]}\n`);
    const ran = host.calls.length;
    const pr = await cli(['backups', 'prune', '--dest', DEST, '--prefix', 'vg0-root', '--keep-daily', '1', '--json'], host);
    expect(pr.json().removed).toHaveLength(2);
    // the applier ran exactly the plan --check showed
    expect(host.calls.slice(ran).filter((c) => c.mutating).map((c) => c.argv)).toEqual(plan.json().commands);
    const left = destNames(host.system).filter((n) => COMPLETE.test(n));
    expect(left).toEqual([names.sort().at(-1)]);

    const file = `${DEST}/${left[0]}`;
    const ok = await cli(['backups', 'restore', file, '--to', '/srv/restore', '--json'], host);
    expect(ok.code, ok.err).toBe(EXIT.ok);
    const full = await cli(['backups', 'restore', file, '--to', '/srv'], host);
    expect(full.code).toBe(EXIT.refused);
    expect(full.err).toMatch(/not empty.*--force/s);
    const img = await cli(['backup', ...T, '--dest', DEST, '--format', 'img.zst', '--json'], host);
    expect(img.code, img.err).toBe(EXIT.ok);
    const mounted = await cli(['backups', 'restore', img.json().archive, '--to', '/dev/vg0/root'], host);
    expect(mounted.code).toBe(EXIT.refused);
    expect(mounted.err).toMatch(/is mounted at \/mnt\/root/);
  });

  it(`${WATCH_ENV} sets the usage watch interval; a bad value exits 3 before any change`, async () => {
    expect(watchIntervalFrom({})).toBe(WATCH_DEFAULT_MS);
    expect(watchIntervalFrom({ [WATCH_ENV]: '' })).toBe(WATCH_DEFAULT_MS);
    expect(watchIntervalFrom({ [WATCH_ENV]: '250' })).toBe(250);
    for (const bad of ['abc', '99', '1.5', '-5', '3600001', '5s']) expect(() => watchIntervalFrom({ [WATCH_ENV]: bad }), bad).toThrow(/LVMSNAP_BACKUP_WATCH_MS/);
    const host = new SimHost(system());
    const before = host.system;
    process.env[WATCH_ENV] = 'often';
    try {
      const r = await cli(['backup', ...T, '--dest', DEST], host);
      expect(r.code).toBe(EXIT.refused);
      expect(r.err).toMatch(/LVMSNAP_BACKUP_WATCH_MS=often: .*whole number of milliseconds/);
      expect(host.system).toBe(before);
    } finally {
      delete process.env[WATCH_ENV];
    }
  });
});
