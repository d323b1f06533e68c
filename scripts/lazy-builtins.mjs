// esbuild plugin shared by scripts/build.mjs and scripts/package.mjs: the built-in modules that are costly
// to load and that most runs never use are required on first use instead of at start-up. A static
// `import { spawn } from 'node:child_process'` becomes a stand-in module whose exports are getters that
// require the real module when one of them is first read (child_process alone pulls in net, dgram and
// the streams: about a fifth of a bare node start). Same values, loaded later; the source stays plain
// ESM (tests run it unbundled). Dynamic import() of these modules is left as it is.
import { builtinModules, createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Built-ins a run of --version, apply or status does not need (or needs only once it spawns). */
export const LAZY_BUILTINS = ['node:child_process', 'node:crypto', 'node:os'];

export const lazyBuiltinsPlugin = () => ({
  name: 'lazy-builtins',
  setup(b) {
    const filter = new RegExp(`^(?:${LAZY_BUILTINS.map((m) => m.replace(/^node:/, '(?:node:)?').replace('/', '\\/')).join('|')})$`);
    b.onResolve({ filter }, (args) => {
      // The stand-in's own require() is of the real module.
      if (args.namespace === 'lazy-builtin') return { path: args.path, external: true };
      return args.kind === 'import-statement' || args.kind === 'require-call' ? { path: args.path.replace(/^(?!node:)/, 'node:'), namespace: 'lazy-builtin' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => {
      if (!builtinModules.includes(args.path.slice(5))) throw new Error(`lazy-builtins: ${args.path} is not a built-in module`);
      // The export names of this node's module; a getter per name (read on use, so nothing is loaded here).
      const names = Object.keys(require(args.path)).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n));
      const getters = names.map((n) => `  ${n}: { enumerable: true, get: () => load().${n} },`).join('\n');
      return {
        contents: `let m;\nconst load = () => (m ??= require(${JSON.stringify(args.path)}));\nObject.defineProperties(module.exports, {\n${getters}\n});\n`,
        loader: 'js',
        resolveDir: process.cwd(),
      };
    });
  },
});
