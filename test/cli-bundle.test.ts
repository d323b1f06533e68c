// The built CLI (npm test builds first): apply/plan/status load ONE file, and each on-demand bundle
// (help, YAML, pino, simulator) loads and works when, and only when, it is needed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin/lvmsnap.cjs');
const dir = mkdtempSync(join(tmpdir(), 'lvmsnap-bundle-'));
// Reports every ES module file the process loads (resolve hook in a loader thread; Node >= 20.6) ...
const hook = join(dir, 'hook.mjs');
const requireHook = join(dir, 'hook.cjs');
// (writeSync: the loader thread's process.stderr is forwarded asynchronously and lost at exit.)
writeFileSync(hook, `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent('import { writeSync } from "node:fs"; export async function resolve(s, c, n) { const r = await n(s, c); if (r.url.startsWith("file:")) writeSync(2, "LOADED " + r.url + "\\\\n"); return r; }'));\n`);
// ... and every CommonJS file (the bundles are CommonJS).
writeFileSync(requireHook, `const Module = require('node:module'); const load = Module.prototype.load;\nModule.prototype.load = function (f) { require('node:fs').writeSync(2, 'LOADED file://' + f + '\\n'); return load.call(this, f); };\n`);

function newestSource(d: string): number {
  return Math.max(...readdirSync(d, { withFileTypes: true }).map((e) => (e.isDirectory() ? newestSource(join(d, e.name)) : statSync(join(d, e.name)).mtimeMs)));
}

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', hook, '--require', requireHook, bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  const loaded = r.stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice(`LOADED file://${root}`.length));
  // (resolve runs for every import() site; a module is still loaded once)
  const stderr = r.stderr.split('\n').filter((l) => !l.startsWith('LOADED ')).join('\n');
  return { code: r.status, stdout: r.stdout, stderr, loaded: [...new Set(loaded)] };
}

const T = ['--vg', 'vg0', '--lv', 'root', '--size', '64M', '--tmp-file', '/var/space/c.img', '--mountpoint', '/media/snap'];

describe('the built CLI', () => {
  it('is built from the current sources', () => {
    expect(statSync(join(root, 'dist/lvmsnap.cjs')).mtimeMs, 'dist/ is older than src/: run npm run build').toBeGreaterThanOrEqual(newestSource(join(root, 'src')));
  });

  it('--version matches package.json and loads one file', () => {
    const r = cli(['--version']);
    expect([r.code, r.stdout]).toEqual([0, `${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}\n`]);
    expect(r.loaded).toEqual(['bin/lvmsnap.cjs', 'dist/lvmsnap.cjs']);
  });

  it('bin/lvmsnap.mjs (for callers that name it) runs the same bundle', () => {
    const r = spawnSync(process.execPath, [join(root, 'bin/lvmsnap.mjs'), 'status', '--vg', 'vg0'], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([3, 'lvmsnap: no target: pass --vg NAME --lv NAME (or --config FILE); see lvmsnap --help\n']);
  });

  it('a refused run (bad input) loads the bundle and the prefetch starter only', () => {
    const r = cli(['apply', '--state', 'present', '--vg', 'vg0', '--lv', 'snapshot1', '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, exitCode: 3, errorType: 'UsageError' });
    expect(r.loaded).toEqual(['bin/lvmsnap.cjs', 'dist/early.cjs', 'dist/lvmsnap.cjs']);
  });

  it('--help loads the help layout, a JSON config no YAML parser, a YAML config the YAML parser', () => {
    expect(cli(['apply', '--help']).loaded).toEqual(['bin/lvmsnap.cjs', 'dist/early.cjs', 'dist/lvmsnap.cjs', 'dist/chunks/help.cjs']);
    writeFileSync(join(dir, 'bad.json'), '{"vg": ');
    const json = cli(['status', '--config', join(dir, 'bad.json')]);
    // (status, like apply, loads the prefetch starter, which starts nothing for a --config)
    expect([json.code, json.loaded]).toEqual([3, ['bin/lvmsnap.cjs', 'dist/early.cjs', 'dist/lvmsnap.cjs']]);
    expect(json.stderr).toMatch(/cannot read config .*bad\.json/);
    writeFileSync(join(dir, 'bad.yaml'), 'vg: vg0\nlv: [\n');
    const yaml = cli(['status', '--config', join(dir, 'bad.yaml')]);
    expect([yaml.code, yaml.loaded]).toEqual([3, ['bin/lvmsnap.cjs', 'dist/early.cjs', 'dist/lvmsnap.cjs', 'dist/chunks/yaml.cjs']]);
    expect(yaml.stderr).toMatch(/cannot read config .*bad\.yaml: .*line/);
  });

  it('the simulator loads for LVMSNAP_SIMULATOR; pino only with -v, and logs every command', () => {
    const state = join(dir, 'sys.json');
    writeFileSync(state, JSON.stringify({ simpleSystem: { vgFreeBytes: 0, fstype: 'xfs' } }));
    const quiet = cli(['status', ...T], { LVMSNAP_SIMULATOR: state });
    expect([quiet.code, quiet.loaded]).toEqual([0, ['bin/lvmsnap.cjs', 'dist/lvmsnap.cjs', 'dist/chunks/sim.cjs']]);
    const loud = cli(['plan', '-v', ...T], { LVMSNAP_SIMULATOR: state });
    expect(loud.code).toBe(0);
    expect(loud.loaded).toEqual(['bin/lvmsnap.cjs', 'dist/lvmsnap.cjs', 'dist/chunks/sim.cjs', 'dist/chunks/pino.cjs']);
    const logged = loud.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string; argv: string[] });
    // Observation reads mounts, loops and files in-process: lvm fullreport is its one command.
    expect(logged.map((l) => l.argv.slice(0, 2).join(' '))).toContain('lvm fullreport');
    expect(logged.every((l) => l.msg === 'command' && Array.isArray(l.argv))).toBe(true);
    expect(loud.stdout).toMatch(/Rehearsed on a model of this system: the plan runs to completion/);
  });

  it('check reboot and recover load the reboot bundle; its errors keep their exit codes across bundles', () => {
    const state = join(dir, 'reboot.json');
    writeFileSync(state, JSON.stringify({ simpleSystem: { vgFreeBytes: 0 } }));
    const chk = cli(['check', 'reboot', '--json'], { LVMSNAP_SIMULATOR: state });
    expect([chk.code, JSON.parse(chk.stdout)]).toEqual([0, { safe: true, hazards: [] }]);
    expect(chk.loaded).toEqual(['bin/lvmsnap.cjs', 'dist/lvmsnap.cjs', 'dist/chunks/sim.cjs', 'dist/chunks/reboot.cjs']);
    // UsageError thrown inside the reboot bundle (its own copy of the class): still exit 3, named.
    const bad = cli(['recover', '--vg', 'nope', '--json'], { LVMSNAP_SIMULATOR: state });
    expect(bad.code).toBe(3);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, exitCode: 3, errorType: 'UsageError' });
    expect(bad.stderr).toMatch(/volume group "nope" not found/);
  });

  it('backup and backups load the backup bundle (apply/status never do); its refusals keep exit 3 across bundles', () => {
    const state = join(dir, 'backup.json');
    writeFileSync(state, JSON.stringify({ simpleSystem: {} }));
    const status = cli(['status', '--vg', 'vg0', '--lv', 'root'], { LVMSNAP_SIMULATOR: state });
    expect([status.code, status.loaded]).toEqual([0, ['bin/lvmsnap.cjs', 'dist/lvmsnap.cjs', 'dist/chunks/sim.cjs']]);
    // BackupRefused (a UsageError) thrown inside the backup bundle, with no handling by name in src/cli/backup.ts
    const bad = cli(['backup', '--vg', 'vg0', '--lv', 'root', '--dest', '/srv/none', '--json'], { LVMSNAP_SIMULATOR: state });
    expect(bad.stderr).toMatch(/destination \/srv\/none does not exist/);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, exitCode: 3, errorType: 'BackupRefused' });
    expect([bad.code, bad.loaded]).toEqual([3, ['bin/lvmsnap.cjs', 'dist/lvmsnap.cjs', 'dist/chunks/sim.cjs', 'dist/chunks/backup.cjs']]);
    const prune = cli(['backups', 'prune', '--dest', '/run', '--prefix', 'p', '--json'], { LVMSNAP_SIMULATOR: state });
    expect([prune.code, prune.loaded.at(-1)]).toEqual([3, 'dist/chunks/backup.cjs']);
  });
});
