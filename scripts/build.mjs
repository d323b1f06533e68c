// Bundles the CLI into one ESM file: a single module graph starts much faster than hundreds of files.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
await build({
  entryPoints: ['src/cli/bin.ts'],
  outdir: 'dist',
  entryNames: 'lvmsnap',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  // Dynamic imports (simulator, YAML, pino, the help layout) become chunks loaded only when needed.
  splitting: true,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minifySyntax: true,
  sourcemap: 'linked',
  define: { LVMSNAP_VERSION: JSON.stringify(pkg.version) },
  // Bundled CommonJS deps (pino) call require(); give ESM output one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});
