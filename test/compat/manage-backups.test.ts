// generate-name, auto-clean and remove-unsuccessful on the simulated host: through main() for exit codes
// and stdout, and auto-clean's result against `backups prune`'s rotation (src/backup/rotation.ts).
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/backup/rotation.js';
import { parseArchiveName } from '../../src/backup/names.js';
import { EXIT, main } from '../../src/cli/main.js';
import { autoClean, generateName } from '../../src/compat/manage-backups.js';
import { addDirs, addFile } from '../../src/sim/build.js';
import { SimHost } from '../../src/sim/host.js';
import type { SimSystem } from '../../src/sim/state.js';
import { DEST, system } from '../backup/helpers.js';

async function cli(argv: readonly string[], host: SimHost) {
  let out = '';
  let err = '';
  const code = await main(argv, { host, stdout: (s) => { out += s; }, stderr: (s) => { err += s; } });
  return { code, out, err };
}

const F = ['--backup-dest-dir', DEST, '--prefix', 'system_dump', '--extension', 'tar.gz'];
const name = (stamp: string): string => `system_dump__${stamp}.tar.gz`;
const inDest = (s: SimSystem): string[] => Object.keys(s.paths).filter((p) => p.startsWith(`${DEST}/`)).map((p) => p.slice(DEST.length + 1)).sort();

// Ten dailies (Nov 21..30, 2026; Nov 30 is a Monday), and older ones in Oct, Sep, 2025, 2024.
const STAMPS = [
  ...Array.from({ length: 10 }, (_, i) => `202611${String(21 + i)}_020000`),
  '20261015_020000', '20260910_020000', '20251201_020000', '20240601_020000',
];
const OTHERS = ['other__20200101_000000.tar.gz', 'system_dump__20200101_000000.fsa', `${name('20261129_030000')}.partial`];
function withArchives(): SimSystem {
  let s = system();
  for (const st of STAMPS) s = addFile(s, `${DEST}/${name(st)}`, 1000);
  s = addFile(s, `${DEST}/${name('20240601_020000')}.sha256`, 90);
  for (const o of OTHERS) s = addFile(s, `${DEST}/${o}`, 10);
  return s;
}
const LIMITS = ['--daily-backups-max-count', '3', '--weekly-backups-max-count', '2', '--monthly-backups-max-count', '3', '--yearly-backups-max-count', '0'];
const KEPT = ['20261130_020000', '20261129_020000', '20261128_020000', '20261015_020000', '20260910_020000'].map(name);

describe('auto-clean', () => {
  it('keeps exactly what the per-bucket limits keep, removes the rest oldest first, touches no other file', async () => {
    const host = new SimHost(withArchives());
    const r = await cli(['auto-clean', ...F, ...LIMITS], host);
    expect(r.code, r.out + r.err).toBe(EXIT.ok);
    const removed = STAMPS.map(name).filter((n) => !KEPT.includes(n)).sort();
    expect(r.out).toBe(`${removed.map((n) => `Removing old backup ${n}`).join('\n')}\nRemoved ${removed.length} old backup files.\n`);
    expect(inDest(host.system)).toEqual([...KEPT, ...OTHERS].sort());
  });

  it('is the rotation of backups prune: the same decisions as decide() with the same limits', async () => {
    const now = new Date(2026, 10, 30, 12);
    const archives = STAMPS.map((st) => ({ name: name(st), stamp: parseArchiveName(name(st), 'system_dump', 'tar.gz')! }));
    const expected = decide(archives, { daily: 5, weekly: 3, monthly: 6, yearly: 0 }, now).filter((d) => d.keep).map((d) => d.name).sort();
    const host = new SimHost(withArchives());
    const r = await autoClean(host, { dir: DEST, prefix: 'system_dump', extension: '.tar.gz', keep: { daily: 5, weekly: 3, monthly: 6, yearly: 0 }, dry: false }, now);
    expect(r.exitCode).toBe(0);
    expect(inDest(host.system).filter((n) => !OTHERS.includes(n) && n.endsWith('.tar.gz'))).toEqual(expected);
    // The default limits remove Nov 21, 23, 24 and 25 (beyond 5 days; Nov 22 is its ISO week's newest).
    expect(expected).toHaveLength(STAMPS.length - 4);
  });

  it('--dry-mode (with the value the original required, action last) only shows', async () => {
    const host = new SimHost(withArchives());
    const before = host.system;
    const r = await cli([...F, ...LIMITS, '--dry-mode', 'yes', 'auto-clean'], host);
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(r.out.split('\n').filter((l) => l !== '')).toHaveLength(9);
    expect(r.out).toMatch(/^Would remove old backup system_dump__20240601_020000\.tar\.gz\n/);
    expect(r.out).not.toMatch(/Removed/);
    expect(host.system).toBe(before);
  });

  it('exit 1 when DIR is not a directory; exit 3 (nothing removed) when every limit is 0', async () => {
    const host = new SimHost(withArchives());
    const before = host.system;
    const r = await cli(['auto-clean', '--backup-dest-dir', '/srv/none', '--prefix', 'p', '--extension', 'x'], host);
    expect(r.code).toBe(EXIT.failed);
    expect(r.out).toBe('Path /srv/none is not a directory\n');
    const zero = await cli(['auto-clean', ...F, '--daily-backups-max-count', '0', '--weekly-backups-max-count', '0', '--monthly-backups-max-count', '0'], host);
    expect(zero.code).toBe(EXIT.refused);
    expect(zero.err).toMatch(/never removes every archive/);
    const neg = await cli(['auto-clean', ...F, '--daily-backups-max-count', '-1'], host);
    expect(neg.code).toBe(EXIT.refused);
    expect(host.system).toBe(before);
  });
});

describe('generate-name', () => {
  const now = new Date(2026, 10, 30, 2, 0, 0);
  const flags = { dir: DEST, prefix: 'system_dump', extension: 'tar.gz' };
  it('creates a missing directory tree and prints the path', async () => {
    const host = new SimHost(system());
    const r = await generateName(host, { ...flags, dir: `${DEST}/a/b` }, now);
    expect(r).toEqual({ stdout: `${DEST}/a/b/${name('20261130_020000')}\n`, stderr: '', exitCode: 0 });
    expect(host.system.inodes[host.system.paths[`${DEST}/a/b`]!]?.type).toBe('directory');
  });
  it('prints /dev/null, the reason on stderr, exit 1 when the file exists', async () => {
    const host = new SimHost(addFile(system(), `${DEST}/${name('20261130_020000')}`, 10));
    const r = await generateName(host, flags, now);
    expect(r.stdout).toBe('/dev/null\n');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/already exists/);
  });
  it('prints /dev/null and exits 1 when DIR is a plain file (through main)', async () => {
    const host = new SimHost(addFile(system(), '/srv/plain', 10));
    const before = host.system;
    const r = await cli(['generate-name', '--backup-dest-dir', '/srv/plain', '--prefix', 'p', '--extension', 'x'], host);
    expect(r.code).toBe(EXIT.failed);
    expect(r.out).toBe('/dev/null\n');
    expect(r.err).toMatch(/not a directory/);
    expect(host.system).toBe(before);
  });
});

describe('remove-unsuccessful', () => {
  const host0 = (): SimHost => new SimHost(addDirs(addFile(addFile(withArchives(), `${DEST}/junk.tar.gz`, 1), '/srv/system_dump__x.tar.gz', 1), [`${DEST}/system_dump__d.tar.gz`]));
  const rm = (file: string) => ['remove-unsuccessful', ...F, '--remove-file', file];
  it('removes the leftover; exit 0 and a note when it is already gone', async () => {
    const host = host0();
    const f = `${DEST}/${name('20261130_020000')}`;
    const r = await cli(rm(f), host);
    expect(r).toMatchObject({ code: EXIT.ok, out: `Removed ${f}\n` });
    expect(host.system.paths[f]).toBeUndefined();
    const again = await cli(rm(f), host);
    expect(again).toMatchObject({ code: EXIT.ok, out: `File ${f} does not exist.\n` });
  });
  it.each([
    ['a directory', `${DEST}/system_dump__d.tar.gz`, /not a regular file/],
    ['another extension', `${DEST}/system_dump__20200101_000000.fsa`, /does not end with extension '.tar.gz'/],
    ['another prefix', `${DEST}/junk.tar.gz`, /does not start with prefix 'system_dump'/],
    ['another directory', '/srv/system_dump__x.tar.gz', /not in the backup directory/],
  ])('leaves %s alone: exit 1, the reason on stdout', async (_n, file, re) => {
    const host = host0();
    const before = host.system;
    const r = await cli(rm(file), host);
    expect(r.code).toBe(EXIT.failed);
    expect(r.out).toMatch(re);
    expect(host.system).toBe(before);
  });
});
