// npm run package: the two one-file builds of lvmsnap for installing it as a system tool.
//   dist/lvmsnap-standalone.cjs  one CommonJS file (no chunks: every lazy part bundled in) for hosts with Node >= 20.
//   dist/lvmsnap      a self-contained x86_64 Linux executable: a copy of this node binary with a
//                     single-executable-application blob injected (node --experimental-sea-config + postject).
//                     Runs without Node installed. The blob's main script (scripts/sea/main.cjs) compiles the
//                     bundles (the hot path and its chunks, split as by scripts/build.mjs), assets of the
//                     blob, each with its V8 code cache after a training run (scripts/sea/train.cjs), so
//                     start-up neither parses nor compiles what those runs use (see `npm run bench`).
//   dist/lvmsnap-launch  the launcher installed as /usr/sbin/lvmsnap (src/launcher/launch.c, by the C compiler):
//                     for an apply it starts lvm's shell before exec'ing the executable.
//   dist/lvmsnap-sys.node  the executable's native add-on (src/native/sys.c, by the C compiler): umount and
//                     losetup --detach without a process; the .deb installs it beside the executable.
//   dist/lvmsnap.bundled.json  the node version and the npm packages inside both (for copyright notices).
// The regular build (scripts/build.mjs, code-split ESM) stays the one used from a checkout.
//
//   node scripts/package.mjs [--out DIR] [--bundle-only]
//     --out          where the files go (default dist)
//     --bundle-only  only DIR/lvmsnap-standalone.cjs (the tests check that the one file is complete)
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LAZY, lazyPlugin } from './chunks.mjs';
import { lazyBuiltinsPlugin } from './lazy-builtins.mjs';
import { buildLauncher } from './launcher.mjs';
import { buildNative } from './native.mjs';

const root = new URL('..', import.meta.url).pathname;
const { values: opt } = parseArgs({ options: { out: { type: 'string', default: join(root, 'dist') }, 'bundle-only': { type: 'boolean', default: false } } });
const dist = opt.out;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// LVMSNAP_NO_CODE_CACHE=1 builds without the code caches (to measure what they buy).
const useCodeCache = process.env['LVMSNAP_NO_CODE_CACHE'] !== '1';

if (!opt['bundle-only'] && (process.platform !== 'linux' || process.arch !== 'x64')) {
  throw new Error(`package: the executable is built from this node binary, which must be linux/x64 (this one is ${process.platform}/${process.arch})`);
}
if (Number(process.versions.node.split('.')[0]) < 20) throw new Error(`package: needs Node >= 20 (single executable applications), this is ${process.version}`);

mkdirSync(dist, { recursive: true });
const work = join(dist, '.sea');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

/**
 * The one-file CommonJS bundle (the default), or with `split` one of the executable's bundles: the hot path
 * or the chunks, as scripts/build.mjs splits them (scripts/chunks.mjs). SEA runs CommonJS scripts whose
 * require() only sees built-in modules; scripts/sea/main.cjs adds the chunks.
 */
async function bundle(outfile, banner, split = null) {
  return build({
    ...(split === null
      ? { entryPoints: [join(root, 'src/cli/bin.ts')], outfile }
      : { entryPoints: split === 'main' ? { lvmsnap: join(root, 'src/cli/bin.ts') } : Object.fromEntries(Object.values(LAZY).map(([n, e]) => [n, e.startsWith('virtual:') ? e : join(root, e)])), outdir: outfile, outExtension: { '.js': '.cjs' } }),
    absWorkingDir: root,
    bundle: true,
    splitting: false,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // import() becomes require(): the executable's script is compiled by node:vm, which has no ES module loader.
    supported: { 'dynamic-import': false },
    minify: true,
    // Error classes are matched by name across bundles (src/errors.ts) and named in --json: keep them.
    keepNames: true,
    legalComments: 'none',
    define: {
      LVMSNAP_VERSION: JSON.stringify(pkg.version),
      // ESM dependencies (yargs) read import.meta.url; CommonJS has none, give them this file's URL.
      'import.meta.url': '__lvmsnap_import_meta_url',
    },
    banner: { js: `${banner}var __lvmsnap_import_meta_url = require('node:url').pathToFileURL(__filename).href;` },
    metafile: true,
    plugins: [...(split === null ? [] : [lazyPlugin(split === 'chunks')]), lazyBuiltinsPlugin()],
    logLevel: 'warning',
  });
}

/** name, version and license of every npm package whose code is in the bundle (for the .deb's copyright file). */
function bundledPackages(metafile) {
  const seen = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (!m || seen.has(m[1])) continue;
    const dir = input.slice(0, m.index + m[0].length);
    const meta = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    seen.set(m[1], { name: meta.name, version: meta.version, license: meta.license ?? 'UNKNOWN' });
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

const cjs = join(dist, 'lvmsnap-standalone.cjs');
const { metafile } = await bundle(cjs, '#!/usr/bin/env node\n');
chmodSync(cjs, 0o755);
// SEA's require() sees built-in modules only: anything else left outside the bundle would fail at run time.
const outside = Object.values(metafile.outputs).flatMap((o) => o.imports).filter((i) => i.external && !isBuiltin(i.path));
if (outside.length > 0) throw new Error(`package: the bundle imports modules it does not contain: ${outside.map((i) => i.path).join(', ')}`);
writeFileSync(join(dist, 'lvmsnap.bundled.json'), `${JSON.stringify({ node: process.version, packages: bundledPackages(metafile) }, null, 1)}\n`);
if (opt['bundle-only']) {
  rmSync(work, { recursive: true, force: true });
  process.exit(0);
}
// The executable's main script is scripts/sea/main.cjs: it compiles the bundles, assets of the executable,
// each with V8's code cache of a training run (scripts/sea/train.cjs). The hot path and the chunks are
// separate, as in the regular build: --version deserializes and runs only the hot path's code. Each is
// kept as the function expression the executable compiles, byte for byte the text its cache was made from.
const scripts = join(work, 'scripts');
const split = [await bundle(scripts, '', 'main'), await bundle(join(scripts, 'chunks'), '', 'chunks')];
// The executable's require() serves built-in modules and the chunks (./chunks/NAME.cjs, ./NAME.cjs): nothing else.
const unserved = split.flatMap((r) => Object.values(r.metafile.outputs)).flatMap((o) => o.imports).filter((i) => i.external && !isBuiltin(i.path) && !/^\.\/(?:chunks\/)?\w+\.cjs$/.test(i.path));
if (unserved.length > 0) throw new Error(`package: the executable's bundles import modules it does not contain: ${unserved.map((i) => i.path).join(', ')}`);
// An apply's prefetched report (src/host-real-prefetch.ts), started by scripts/sea/main.cjs before the hot path.
await build({ entryPoints: [join(root, 'src/host-real-prefetch.ts')], outfile: join(scripts, 'early.cjs'), absWorkingDir: root, bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, legalComments: 'none', logLevel: 'warning' });
writeFileSync(join(scripts, 'early.cjs'), `(function (exports, require, module, __filename, __dirname) {${readFileSync(join(scripts, 'early.cjs'), 'utf8')}\n})`);
const names = ['lvmsnap.cjs', ...readdirSync(join(scripts, 'chunks')).map((f) => `chunks/${f}`)];
for (const name of names) writeFileSync(join(scripts, name), `(function (exports, require, module, __filename, __dirname) {${readFileSync(join(scripts, name), 'utf8')}\n})`);
const childEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }; // no NODE_OPTIONS: V8 flags are part of a cache's key
if (useCodeCache) {
  const train = spawnSync(process.execPath, [join(root, 'scripts/sea/train.cjs'), scripts, work], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: childEnv });
  if (train.status !== 0) throw new Error(`package: the code cache's training run failed (exit ${train.status}):\n${train.stderr}`);
  // The same node (the executable is a copy of it) must take the caches; a refused one would only cost speed, silently.
  const check = "const v=require('node:vm'),f=require('node:fs');process.exitCode=new v.Script(f.readFileSync(process.argv[1],'utf8'),{cachedData:f.readFileSync(process.argv[2])}).cachedDataRejected?1:0";
  for (const name of names) {
    const file = join(scripts, name);
    if (!existsSync(`${file}.cache`) || spawnSync(process.execPath, ['-e', check, file, `${file}.cache`], { env: childEnv }).status !== 0) throw new Error(`package: V8 refuses the code cache of ${name}`);
  }
} else {
  for (const name of names) writeFileSync(join(scripts, `${name}.cache`), ''); // empty: refused, compiled at every start
}

const blob = join(work, 'sea-prep.blob');
const seaConfig = join(work, 'sea-config.json');
const assets = { ...Object.fromEntries(names.flatMap((n) => [[n, join(scripts, n)], [`${n}.cache`, join(scripts, `${n}.cache`)]])), 'early.cjs': join(scripts, 'early.cjs') };
writeFileSync(seaConfig, JSON.stringify({ main: join(root, 'scripts/sea/main.cjs'), output: blob, disableExperimentalSEAWarning: true, useCodeCache, useSnapshot: false, assets }, null, 1));
const prep = spawnSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (prep.status !== 0) throw new Error(`package: node --experimental-sea-config failed (exit ${prep.status}):\n${prep.stdout}${prep.stderr}`);

const exe = join(dist, 'lvmsnap');
rmSync(exe, { force: true });
// Strip the copy before injecting (node ships with its symbol tables: ~12 MiB less; the blob goes into
// a note segment afterwards, which strip would keep anyway). Without binutils the copy stays as it is.
let stripped = true;
try {
  execFileSync('strip', ['--strip-all', process.execPath, '-o', exe], { stdio: ['ignore', 'ignore', 'pipe'] });
} catch (err) {
  if (err.code !== 'ENOENT') throw err;
  stripped = false;
  copyFileSync(process.execPath, exe);
}
chmodSync(exe, 0o755);
const postject = createRequire(import.meta.url).resolve('postject/dist/cli.js');
// LIEF warns about node's unnamed note sections on every run; those lines are noise, anything else is shown.
const inject = spawnSync(process.execPath, [postject, exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
const noise = /^warning: Can't find string offset for section name/;
const stderr = inject.stderr.split('\n').filter((l) => l.trim() !== '' && !noise.test(l));
if (stderr.length > 0) process.stderr.write(`${stderr.join('\n')}\n`);
if (inject.status !== 0) throw new Error(`package: postject exited ${inject.status}`);
rmSync(work, { recursive: true, force: true });

const got = execFileSync(exe, ['--version'], { encoding: 'utf8', env: { PATH: '/nonexistent' } }).trim();
if (got !== pkg.version) throw new Error(`package: dist/lvmsnap --version printed ${JSON.stringify(got)}, package.json says ${pkg.version}`);
// The launcher the .deb installs as /usr/sbin/lvmsnap (src/launcher/launch.c): starts lvm's shell before
// Node, then runs the executable (beside it as lvmsnap-engine, or the .deb's /usr/libexec/lvmsnap/lvmsnap).
const launcher = join(dist, 'lvmsnap-launch');
await buildLauncher(launcher);
// The executable's native add-on (src/native/sys.c), found beside it (src/native/load.ts).
const native = join(dist, 'lvmsnap-sys.node');
buildNative(native);
const mib = (f) => (readFileSync(f).length / 1048576).toFixed(1);
console.log(`dist/lvmsnap      ${mib(exe)} MiB  self-contained executable (node ${process.version}${stripped ? ', stripped' : ''}, code cache ${useCodeCache ? 'on' : 'off'})`);
console.log(`dist/lvmsnap-launch  ${(readFileSync(launcher).length / 1024).toFixed(0)} KiB  launcher: lvm's shell started before Node, then the executable (installed as /usr/sbin/lvmsnap)`);
console.log(`dist/lvmsnap-sys.node  ${(readFileSync(native).length / 1024).toFixed(0)} KiB  native add-on: umount and losetup --detach without a process (installed beside the executable)`);
console.log(`dist/lvmsnap-standalone.cjs  ${mib(cjs)} MiB  one-file bundle for hosts with Node >= 20`);
