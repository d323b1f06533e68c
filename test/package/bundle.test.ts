// The one-file CommonJS bundle (scripts/package.mjs --bundle-only), dist/lvmsnap-standalone.cjs, for hosts
// with Node: every lazily loaded part (help, simulator, pino, YAML) must be inside this one file, so run
// each of them from it. (The executable has its own split bundles: test/package/executable.test.ts.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
let dir = '';
let cjs = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lvmsnap-bundle-'));
  const r = spawnSync(process.execPath, [join(root, 'scripts/package.mjs'), '--out', dir, '--bundle-only'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  cjs = join(dir, 'lvmsnap-standalone.cjs');
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [cjs, ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, ...env } });

describe('one-file bundle', () => {
  it('is a single CommonJS file with a shebang, and --version matches package.json', () => {
    const text = readFileSync(cjs, 'utf8');
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    // No import() or require() of a relative file is left (the SEA could not load it).
    expect(text).not.toMatch(/\b(?:import|require)\(\s*["']\.{1,2}\//);
    const r = run(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
  });

  it('--help (the help layout) works from the one file', () => {
    const r = run(['--help']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/apply/);
    expect(r.stdout).toMatch(/status/);
  });

  it('apply on the simulated host with -v (simulator and pino inside) creates the chain, then converges', () => {
    const sim = join(dir, 'system.json');
    writeFileSync(sim, JSON.stringify({ simpleSystem: { vgFreeBytes: 0, fstype: 'xfs' } }));
    const target = ['--vg', 'vg0', '--lv', 'root', '--size', '64M', '--tmp-file', '/var/space/cow.img', '--mountpoint', '/media/snap'];
    const first = run(['apply', '--state', 'present', ...target, '--json', '-v'], { LVMSNAP_SIMULATOR: sim });
    expect(first.status, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ ok: true, changed: true });
    // pino's JSON log lines, one per command.
    expect(first.stderr.split('\n').filter((l) => l.startsWith('{') && l.includes('"argv"')).length).toBeGreaterThan(3);
    const again = run(['apply', '--state', 'present', ...target, '--json'], { LVMSNAP_SIMULATOR: sim });
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, changed: false });
  });

  it('maps lvmsnap\'s named errors to their exit codes in the minified file (bad input: exit 3, the class named)', () => {
    const r = run(['apply', '--state', 'present', '--vg', 'vg0']);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).not.toMatch(/unexpected error/);
  });

  it('lists the npm packages it contains with their licenses (for the .deb copyright file)', () => {
    const b = JSON.parse(readFileSync(join(dir, 'lvmsnap.bundled.json'), 'utf8')) as { node: string; packages: { name: string; license: string }[] };
    expect(b.node).toBe(process.version);
    const names = b.packages.map((p) => p.name);
    expect(names).toContain('pino');
    expect(names).toContain('yaml');
    for (const p of b.packages) expect(p.license, p.name).not.toBe('UNKNOWN');
  });
});
