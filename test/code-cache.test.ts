// bin/lvmsnap.cjs on Node < 22.1: V8's code cache of the bundle kept next to it (dist/lvmsnap.cjs.v8cache).
// A copy of the build in a scratch directory, so other tests' runs do not touch this cache.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const own = typeof (Module as { enableCompileCache?: unknown }).enableCompileCache !== 'function';
const dir = mkdtempSync(join(tmpdir(), 'lvmsnap-v8cache-'));
mkdirSync(join(dir, 'bin'));
cpSync(join(root, 'bin/lvmsnap.cjs'), join(dir, 'bin/lvmsnap.cjs'));
cpSync(join(root, 'dist'), join(dir, 'dist'), { recursive: true, filter: (f) => !f.endsWith('.v8cache') && !f.endsWith('.deb') && !/dist\/(lvmsnap|lvmsnap-standalone\.cjs|\.sea|deb-root)$/.test(f) });
const cache = join(dir, 'dist/lvmsnap.cjs.v8cache');
const T = ['--vg', 'vg0', '--lv', 'root', '--tmp-file', '/var/space/c.img', '--mountpoint', '/media/snap'];
const state = join(dir, 'sys.json');
writeFileSync(state, JSON.stringify({ simpleSystem: { vgFreeBytes: 0, fstype: 'xfs' } }));
const run = (args: string[]) => spawnSync(process.execPath, [join(dir, 'bin/lvmsnap.cjs'), ...args], { encoding: 'utf8', env: { ...process.env, LVMSNAP_SIMULATOR: state } });
const header = () => readFileSync(cache).subarray(0, 200).toString('latin1').split('\n')[0]!;

describe.runIf(own)('the V8 code cache of the bundle (Node without module.enableCompileCache)', () => {
  it('is written by the first run, naming this Node and the bundle file; replaced only by a fuller run', () => {
    expect(existsSync(cache)).toBe(false);
    expect(run(['--version']).status).toBe(0);
    const st = statSync(join(dir, 'dist/lvmsnap.cjs'), { bigint: true });
    expect(header()).toBe(`lvmsnap-v8cache ${process.version} ${process.arch} ${st.dev} ${st.ino} ${st.size} ${st.ctimeNs} O`);
    // An apply/plan/status run compiles most of the bundle: its cache replaces the --version one ...
    const r = run(['status', ...T]);
    expect([r.status, r.stdout]).toEqual([0, expect.stringContaining('lvmsnap status: vg0/root')]);
    expect(header().endsWith(' H')).toBe(true);
    const full = readFileSync(cache);
    // ... and is kept: neither a --version nor another status rewrites it.
    expect(run(['--version']).stdout).toBe(`${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}\n`);
    expect(run(['plan', ...T]).status).toBe(0);
    expect(readFileSync(cache).equals(full)).toBe(true);
  });

  it('a cache V8 refuses, or one for another bundle, is not used and is replaced; the run is unaffected', () => {
    const good = readFileSync(cache);
    const h = good.indexOf(0x0a) + 1;
    writeFileSync(cache, Buffer.concat([good.subarray(0, h), Buffer.alloc(good.length - h, 7)]));
    const r = run(['status', ...T]);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(readFileSync(cache).subarray(h).equals(Buffer.alloc(good.length - h, 7))).toBe(false);
    writeFileSync(cache, Buffer.concat([Buffer.from(header().replace(/ \d+ H$/, ' 1 H') + '\n'), good.subarray(h)]));
    expect(run(['status', ...T]).status).toBe(0);
    expect(header().endsWith(` ${statSync(join(dir, 'dist/lvmsnap.cjs'), { bigint: true }).ctimeNs} H`)).toBe(true);
  });

  it('a cache file others can write is ignored (and replaced by one that is not)', () => {
    writeFileSync(cache, 'lvmsnap-v8cache junk\n');
    chmodSync(cache, 0o666);
    expect(run(['status', ...T]).status).toBe(0);
    expect(statSync(cache).mode & 0o022).toBe(0);
    expect(header().endsWith(' H')).toBe(true);
  });
});
