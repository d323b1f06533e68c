// node scripts/sea/train.cjs DIR WORK: the code caches of the executable's bundles (scripts/sea/main.cjs).
// DIR holds them as scripts/package.mjs wrote them (lvmsnap.cjs and chunks/NAME.cjs, each the function
// expression of (exports, require, module, __filename, __dirname) that the executable compiles); each cache
// is written next to its script as NAME.cache. The bundles are loaded here as the executable loads them,
// for the runs whose start-up matters: --version, --help, an apply that creates the chain on a simulated
// host (LVMSNAP_SIMULATOR, a file under WORK), the converged apply and status on it, and a YAML config
// refused for a bad field (the YAML parser). Then V8's cache of each script is written, its functions compiled
// by those runs included; a chunk no run loaded gets the cache of its compiled top level. A cache holds
// code, not values: nothing of these runs' environment (argv, env, files, time) is in it.
'use strict';
const { readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');

const [dir, work] = process.argv.slice(2);
const names = ['lvmsnap.cjs', ...readdirSync(join(dir, 'chunks')).filter((f) => f.endsWith('.cjs')).map((f) => `chunks/${f}`)];
const scripts = new Map();
const compile = (name) => {
  if (!scripts.has(name)) scripts.set(name, new Script(readFileSync(join(dir, name), 'utf8'), { filename: '/usr/sbin/lvmsnap' }));
  return scripts.get(name);
};
let loaded = new Map();
const CHUNK = /^\.\/(?:chunks\/)?(\w+)\.cjs$/;
function load(name) {
  let m = loaded.get(name);
  if (m) return m.exports;
  m = { exports: {} };
  loaded.set(name, m);
  compile(name).runInThisContext()(m.exports, requireChunkOr, m, '/usr/sbin/lvmsnap', '/usr/sbin');
  return m.exports;
}
function requireChunkOr(specifier) {
  const chunk = CHUNK.exec(specifier);
  return chunk ? load(`chunks/${chunk[1]}.cjs`) : require(specifier);
}

const sim = join(work, 'system.json');
writeFileSync(sim, JSON.stringify({ simpleSystem: { vgFreeBytes: 0, fstype: 'xfs' } }));
// A YAML config with a bad size: parsed, then refused (exit 3) before any command could run; the real
// host reads it (the simulated one has no such file), with no PATH for good measure.
const config = join(work, 'config.yaml');
writeFileSync(config, 'vg: vg0\nlv: root\nsize: many\n');
const target = ['--vg', 'vg0', '--lv', 'root', '--size', '64M', '--tmp-file', '/var/space/lvmsnap-cow.img', '--mountpoint', '/media/snap'];
const runs = [
  [['--version'], {}],
  [['--help'], {}],
  [['apply', '--state', 'present', ...target], { LVMSNAP_SIMULATOR: sim }],
  [['apply', '--state', 'present', ...target], { LVMSNAP_SIMULATOR: sim }],
  [['status', ...target], { LVMSNAP_SIMULATOR: sim }],
  [['apply', '--state', 'present', '--config', config], { PATH: '/nonexistent' }, 3],
];
const argv0 = process.argv.slice(0, 2);
let next = 0;
// One run at a time, each with fresh module instances: the bundle starts its command when evaluated and
// sets process.exitCode when done.
process.on('beforeExit', () => {
  if (next > 0 && process.exitCode !== (runs[next - 1][2] ?? 0)) {
    process.stderr.write(`sea/train: run ${next} (${runs[next - 1][0].join(' ')}) exited ${process.exitCode}\n`);
    process.exitCode = 1;
    return;
  }
  process.exitCode = 0;
  if (next === runs.length) {
    for (const name of names) writeFileSync(join(dir, `${name}.cache`), compile(name).createCachedData());
    return;
  }
  const [argv, env] = runs[next++];
  process.argv = [...argv0, ...argv];
  delete process.env.LVMSNAP_SIMULATOR;
  Object.assign(process.env, env);
  loaded = new Map();
  load('lvmsnap.cjs');
  setImmediate(() => {}); // a run of microtasks only (--version) would not bring the loop back here
});
