// `npm pack` makes a tarball that `npm install -g` turns into a working lvmsnap with its man page and
// no dependencies to fetch (the build bundles everything). Packed from the current build (npm test
// builds first) with --ignore-scripts, so prepack does not rebuild dist/ under the other tests.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; dependencies?: object };
let dir = '';
let files: string[] = [];
let prefix = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lvmsnap-npm-'));
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8' });
  const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  files = info!.files.map((f) => f.path).sort();
  prefix = join(dir, 'prefix');
  const r = spawnSync('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, join(dir, info!.filename)], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm pack', () => {
  it('packs the built CLI, man page, completions and packaging files, without source maps or sources', () => {
    for (const f of ['bin/lvmsnap.cjs', 'bin/lvmsnap.mjs', 'dist/lvmsnap.cjs', 'dist/lvmsnap.mjs', 'dist/lvmsnap.8', 'dist/completion/lvmsnap.bash', 'dist/completion/_lvmsnap',
      'packaging/systemd/lvmsnap-guard@.service', 'packaging/systemd/lvmsnap-recover.service', 'packaging/examples/lvmsnap.yaml',
      'packaging/initramfs-tools/hooks/lvmsnap', 'packaging/initramfs-tools/scripts/local-top/lvmsnap', 'packaging/molly-guard/run.d/30-lvmsnap',
      'packaging/dracut/90lvmsnap/module-setup.sh', 'packaging/dracut/90lvmsnap/lvmsnap-recover.sh', 'LICENSE', 'README.md', 'package.json']) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => f.startsWith('dist/chunks/')).length).toBeGreaterThan(0);
    expect(files.filter((f) => f.endsWith('.map') || f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);
  });

  it('the installed package holds every packaging file `systemd install` and `initramfs install` copy (the dracut hook too)', () => {
    const installed = join(prefix, 'lib/node_modules/lvmsnap/packaging');
    for (const rel of ['systemd/lvmsnap-guard@.service', 'systemd/lvmsnap-recover.service', 'initramfs-tools/hooks/lvmsnap',
      'initramfs-tools/scripts/local-top/lvmsnap', 'dracut/90lvmsnap/module-setup.sh', 'dracut/90lvmsnap/lvmsnap-recover.sh']) {
      expect(readFileSync(join(installed, rel), 'utf8'), rel).toBe(readFileSync(join(root, 'packaging', rel), 'utf8'));
    }
  });

  it('needs no runtime dependencies: the bundle holds them', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(existsSync(join(prefix, 'lib/node_modules/lvmsnap/node_modules'))).toBe(false);
  });

  it('npm install -g gives a working lvmsnap on PATH and links lvmsnap(8)', () => {
    const bin = join(prefix, 'bin/lvmsnap');
    expect(readlinkSync(bin)).toBe('../lib/node_modules/lvmsnap/bin/lvmsnap.cjs');
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' })).toBe(`${pkg.version}\n`);
    expect(existsSync(join(prefix, 'share/man/man8/lvmsnap.8'))).toBe(true);
    const sim = join(dir, 'system.json');
    writeFileSync(sim, JSON.stringify({ simpleSystem: {} }));
    const r = spawnSync(bin, ['apply', '--state', 'present', '--vg', 'vg0', '--lv', 'root', '--size', '64M', '--json'], { encoding: 'utf8', env: { ...process.env, LVMSNAP_SIMULATOR: sim } });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, changed: true });
    expect(spawnSync(bin, ['--help'], { encoding: 'utf8' }).status).toBe(0);
  });
});
