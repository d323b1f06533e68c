// node scripts/sea/train.cjs WRAPPED.js OUT.cache SIMDIR: the code cache for the executable's bundle
// (scripts/sea/main.cjs). WRAPPED.js is the bundle as a function expression of (exports, require, module,
// __filename, __dirname), the exact text the executable compiles. It runs here as the executable would
// run it, for the runs whose start-up matters: --version, an apply that creates the chain on a simulated
// host (LVMSNAP_SIMULATOR, a file under SIMDIR), the converged apply and status on it. Then V8's cache of
// the script is written: its functions compiled by those runs included. The cache holds code, not
// values: nothing of these runs' environment (argv, env, files, time) is in it.
'use strict';
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');

const [wrapped, out, simDir] = process.argv.slice(2);
const script = new Script(require('node:fs').readFileSync(wrapped, 'utf8'), { filename: '/usr/sbin/lvmsnap' });
const fn = script.runInThisContext();
const sim = join(simDir, 'system.json');
writeFileSync(sim, JSON.stringify({ simpleSystem: { vgFreeBytes: 0, fstype: 'xfs' } }));
const target = ['--vg', 'vg0', '--lv', 'root', '--size', '64M', '--tmp-file', '/var/space/lvmsnap-cow.img', '--mountpoint', '/media/snap'];
const runs = [
  [['--version'], {}],
  [['apply', '--state', 'present', ...target], { LVMSNAP_SIMULATOR: sim }],
  [['apply', '--state', 'present', ...target], { LVMSNAP_SIMULATOR: sim }],
  [['status', ...target], { LVMSNAP_SIMULATOR: sim }],
];
const argv0 = process.argv.slice(0, 2);
let next = 0;
// One run at a time: the bundle starts its command when evaluated and sets process.exitCode when done.
process.on('beforeExit', () => {
  if (process.exitCode !== undefined && process.exitCode !== 0) {
    process.stderr.write(`sea/train: run ${next} (${runs[next - 1][0].join(' ')}) exited ${process.exitCode}\n`);
    return;
  }
  if (next === runs.length) {
    writeFileSync(out, script.createCachedData());
    return;
  }
  const [argv, env] = runs[next++];
  process.argv = [...argv0, ...argv];
  delete process.env.LVMSNAP_SIMULATOR;
  Object.assign(process.env, env);
  const module = { exports: {} };
  fn(module.exports, require, module, '/usr/sbin/lvmsnap', '/usr/sbin');
  setImmediate(() => {}); // a run of microtasks only (--version) would not bring the loop back here
});
