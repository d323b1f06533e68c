// The self-contained executable (npm run package): node with the bundle injected as a SEA blob, the bundle
// an asset compiled by scripts/sea/main.cjs with the code cache of a training run (scripts/sea/train.cjs).
// Built into a temporary directory, then run as a host would run it: without node on PATH.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
let dir = '';
let exe = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lvmsnap-exe-'));
  const r = spawnSync(process.execPath, [join(root, 'scripts/package.mjs'), '--out', dir], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  exe = join(dir, 'lvmsnap');
}, 180_000);
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(exe, args, { encoding: 'utf8', cwd: dir, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...env } });

describe('self-contained executable (linux/x64, like the node running the tests)', () => {
  it('--version matches package.json, without node on PATH', () => {
    expect(spawnSync('sh', ['-c', 'command -v node'], { env: { PATH: '/nonexistent' } }).status).not.toBe(0);
    const r = spawnSync(exe, ['--version'], { encoding: 'utf8', env: { PATH: '/nonexistent' } });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, `${version}\n`, '']);
  });

  it('apply on the simulated host: creates the chain (--json), converges, refuses bad input with exit 3', () => {
    const sim = join(dir, 'system.json');
    writeFileSync(sim, JSON.stringify({ simpleSystem: { vgFreeBytes: 0, fstype: 'xfs' } }));
    const target = ['--vg', 'vg0', '--lv', 'root', '--size', '64M', '--tmp-file', '/var/space/cow.img', '--mountpoint', '/media/snap'];
    const first = run(['apply', '--state', 'present', ...target, '--json'], { LVMSNAP_SIMULATOR: sim });
    expect(first.status, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ ok: true, changed: true });
    const again = run(['apply', '--state', 'present', ...target], { LVMSNAP_SIMULATOR: sim });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^No changes: already present/m);
    const bad = run(['apply', '--state', 'present', '--vg', 'vg0', '--json']);
    expect(bad.status).toBe(3);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, exitCode: 3, errorType: 'UsageError' });
  });

  it('runs the lazily loaded parts from its one script (help layout, a YAML config)', () => {
    const help = run(['--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/apply/);
    const cfg = join(dir, 'bad.yaml');
    writeFileSync(cfg, 'vg: vg0\nsize: [\n');
    const yaml = run(['apply', '--state', 'present', '--config', cfg]);
    expect(yaml.status).toBe(3);
    expect(yaml.stderr).toMatch(/cannot read config .*Flow sequence/); // the YAML parser's own message
    expect(yaml.stderr).not.toMatch(/unexpected error/);
  });
});
