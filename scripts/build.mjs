// Bundles the CLI. Start-up time is parse/compile time, so the hot path (apply, plan, status) is ONE
// CommonJS file, dist/lvmsnap.cjs, with nothing in it that those commands do not run (CommonJS: Node
// loads one big ES module measurably slower than the same code as a script). What only some runs need
// is a separate bundle under dist/chunks/, loaded by a dynamic import() (LAZY below) that the bundle
// turns into require(). Any other dynamic import() stays inside the file that imports it (esbuild
// inlines it, evaluated only when reached). bin/lvmsnap.cjs is the entry.
import { build } from 'esbuild';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';

// Only this build's outputs: what `npm run package` made (dist/lvmsnap, dist/lvmsnap-standalone.cjs, the .deb) survives.
for (const old of ['chunks', 'completion', 'early.cjs', 'early.cjs.map', 'lvmsnap.cjs', 'lvmsnap.cjs.map', 'lvmsnap.mjs', 'lvmsnap.mjs.map', 'lvmsnap.8']) {
  rmSync(new URL(`../dist/${old}`, import.meta.url), { recursive: true, force: true });
}

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// Specifier as written in a dynamic import() -> [bundle name, entry]. Each bundle gets its own copy of
// any source module it shares with the main file, so only plain data, HostPort objects and functions
// may cross: never an lvmsnap error class that the CLI checks with instanceof, never module state.
// A 'virtual:' entry is the module text given in VIRTUAL: the package's own CommonJS exports, which is
// what import() of it gives in Node (default = module.exports).
const LAZY = {
  yaml: ['yaml', 'virtual:yaml'], // YAML configs only (JSON configs use JSON.parse)
  pino: ['pino', 'virtual:pino'], // -v / --log-file only
  './help.js': ['help', 'src/cli/help.ts'], // --help only
  '../sim/lazy.js': ['sim', 'src/sim/lazy.ts'], // LVMSNAP_SIMULATOR, and rehearsing a --check plan
  './sim/lazy.js': ['sim', 'src/sim/lazy.ts'],
  '../reboot/index.js': ['reboot', 'src/reboot/index.ts'], // check reboot, recover
  '../backup/index.js': ['backup', 'src/backup/index.ts'], // backup, backups list|prune|verify|restore
  '../compat/manage-backups.js': ['compat', 'src/compat/manage-backups.ts'], // generate-name, auto-clean, remove-unsuccessful
};

const VIRTUAL = {
  'virtual:yaml': "module.exports = require('yaml');",
  'virtual:pino': "module.exports = require('pino');",
};

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
};

/** Dynamic imports listed in LAZY resolve to their separate bundle (a path relative to the importer's output). */
const lazyPlugin = (fromChunks) => ({
  name: 'lazy-bundles',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.path in VIRTUAL) return { path: args.path, namespace: 'virtual' };
      const lazy = args.kind === 'dynamic-import' ? LAZY[args.path] : undefined;
      return lazy ? { path: `${fromChunks ? '.' : './chunks'}/${lazy[0]}.cjs`, external: true } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'virtual' }, (args) => ({ contents: VIRTUAL[args.path], resolveDir: process.cwd() }));
  },
});

await build({ ...common, entryPoints: { lvmsnap: 'src/cli/bin.ts' }, outdir: 'dist', plugins: [lazyPlugin(false)] });
// bin/lvmsnap.cjs loads this before the bundle: the early lvm shell of apply/plan/status (src/host-real-early.ts).
await build({ ...common, entryPoints: { early: 'src/host-real-early.ts' }, outdir: 'dist' });
const entries = Object.fromEntries(Object.values(LAZY));
await build({ ...common, entryPoints: entries, outdir: 'dist/chunks', plugins: [lazyPlugin(true)] });

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
