// Bundles the CLI into one ESM file: a single module graph starts much faster than hundreds of files.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
await build({
  entryPoints: ['src/cli/bin.ts'],
  outfile: 'dist/lvmsnap.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minifySyntax: true,
  sourcemap: 'linked',
  define: { LVMSNAP_VERSION: JSON.stringify(pkg.version) },
  // Bundled CommonJS deps (yargs helpers, pino) call require(); give ESM output one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});
