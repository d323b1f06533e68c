// The bundles lvmsnap is split into (scripts/build.mjs; scripts/package.mjs for the executable): the
// hot-path file and the chunks that a dynamic import() of one of the LAZY specifiers loads on demand.

// Specifier as written in a dynamic import() -> [bundle name, entry]. Each bundle gets its own copy of
// any source module it shares with the main file, so only plain data, HostPort objects and functions
// may cross: never an lvmsnap error class that the CLI checks with instanceof, never module state.
// A 'virtual:' entry is the module text given in VIRTUAL: the package's own CommonJS exports, which is
// what import() of it gives in Node (default = module.exports).
export const LAZY = {
  yaml: ['yaml', 'virtual:yaml'], // YAML configs only (JSON configs use JSON.parse)
  pino: ['pino', 'virtual:pino'], // -v / --log-file only
  './help.js': ['help', 'src/cli/help.ts'], // --help only
  '../sim/lazy.js': ['sim', 'src/sim/lazy.ts'], // LVMSNAP_SIMULATOR, and rehearsing a --check plan
  './sim/lazy.js': ['sim', 'src/sim/lazy.ts'],
  '../reboot/index.js': ['reboot', 'src/reboot/index.ts'], // check reboot, recover
  '../backup/index.js': ['backup', 'src/backup/index.ts'], // backup, backups list|prune|verify|restore
  '../compat/manage-backups.js': ['compat', 'src/compat/manage-backups.ts'], // generate-name, auto-clean, remove-unsuccessful
};

export const VIRTUAL = {
  'virtual:yaml': "module.exports = require('yaml');",
  'virtual:pino': "module.exports = require('pino');",
};

/** Dynamic imports listed in LAZY resolve to their separate bundle (a path relative to the importer's output). */
export const lazyPlugin = (fromChunks) => ({
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

