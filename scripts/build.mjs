// Bundles the CLI. Start-up time is parse/compile time, so the hot path (apply, plan, status) is ONE
// CommonJS file, dist/lvmsnap.cjs, with nothing in it that those commands do not run (CommonJS: Node
// loads one big ES module measurably slower than the same code as a script). What only some runs need
// is a separate bundle under dist/chunks/, loaded by a dynamic import() (LAZY in scripts/chunks.mjs) that the bundle
// turns into require(). Any other dynamic import() stays inside the file that imports it (esbuild
// inlines it, evaluated only when reached). bin/lvmsnap.cjs is the entry.
import { build } from 'esbuild';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { LAZY, lazyPlugin } from './chunks.mjs';
import { lazyBuiltinsPlugin } from './lazy-builtins.mjs';

// Only this build's outputs: what `npm run package` made (dist/lvmsnap, dist/lvmsnap-standalone.cjs, the .deb) survives.
for (const old of ['chunks', 'completion', 'early.cjs', 'early.cjs.map', 'lvmsnap.cjs', 'lvmsnap.cjs.map', 'lvmsnap.mjs', 'lvmsnap.mjs.map', 'lvmsnap.8']) {
  rmSync(new URL(`../dist/${old}`, import.meta.url), { recursive: true, force: true });
}

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // import() of a lazy bundle becomes require(): the ES module loader is never started.
  supported: { 'dynamic-import': false },
  minifySyntax: true,
  sourcemap: 'linked',
  outExtension: { '.js': '.cjs' },
  define: { LVMSNAP_VERSION: JSON.stringify(pkg.version) },
  logLevel: 'warning',
  // src/sysinstall/cli-run.ts reads import.meta.url and falls back to __filename when it is empty (CommonJS).
  logOverride: { 'empty-import-meta': 'silent' },
};

await build({ ...common, entryPoints: { lvmsnap: 'src/cli/bin.ts' }, outdir: 'dist', plugins: [lazyPlugin(false), lazyBuiltinsPlugin()] });
// bin/lvmsnap.cjs loads this before the bundle: an apply's prefetched report (src/host-real-prefetch.ts).
await build({ ...common, entryPoints: { early: 'src/host-real-prefetch.ts' }, outdir: 'dist' });
const entries = Object.fromEntries(Object.values(LAZY));
await build({ ...common, entryPoints: entries, outdir: 'dist/chunks', plugins: [lazyPlugin(true), lazyBuiltinsPlugin()] });

// The Ansible collection's modules: one self-contained file each (scripts/build-ansible.mjs).
const { ANSIBLE_MODULES, buildModule } = await import('./build-ansible.mjs');
for (const [name, entry] of Object.entries(ANSIBLE_MODULES)) await buildModule(entry, new URL(`../ansible/lvmsnap/plugins/modules/${name}.js`, import.meta.url).pathname);

const main = readFileSync(new URL('../dist/lvmsnap.cjs', import.meta.url), 'utf8');
// Every require of a chunk must sit inside a function (loaded on demand), never at the top level.
if (/^\S.*require\("\.\/chunks\//m.test(main)) throw new Error('build: dist/lvmsnap.cjs loads a chunk at start-up; the hot path must be one file');
// For callers that still name the ES module entry of earlier builds (bin/lvmsnap.mjs, test/real).
writeFileSync(new URL('../dist/lvmsnap.mjs', import.meta.url), "// Compatibility entry: runs the CommonJS bundle (faster to start).\nimport { createRequire } from 'node:module';\n\ncreateRequire(import.meta.url)('./lvmsnap.cjs');\n");
const kb = (f) => `${(statSync(new URL(`../dist/${f}`, import.meta.url)).size / 1024).toFixed(0)} KB`;
if (process.env.LVMSNAP_BUILD_QUIET !== '1') {
  console.log(`dist/lvmsnap.cjs ${kb('lvmsnap.cjs')} (apply, plan, status, and the CLI of the others); on demand: ${Object.keys(entries).map((n) => `${n} ${kb(`chunks/${n}.cjs`)}`).join(', ')}`);
}

// The man page and shell completions, generated from the same command registry as --help
// (scripts/docs.ts, bundled to a temporary module because this script runs without a TS loader).
const gen = new URL('../dist/.docs-gen.mjs', import.meta.url);
await build({ entryPoints: ['scripts/docs.ts'], outfile: gen.pathname, bundle: true, platform: 'node', target: 'node20', format: 'esm', logLevel: 'warning' });
try {
  (await import(gen.href)).writeDocs(new URL('../dist', import.meta.url).pathname, pkg.version);
} finally {
  rmSync(gen, { force: true });
}
