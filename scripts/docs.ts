// Writes the man page and the shell completions generated from the command registry:
//   dist/lvmsnap.8, dist/completion/lvmsnap.bash, dist/completion/_lvmsnap
// Run by scripts/build.mjs after bundling, and by `npm run man`.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { bashCompletion, zshCompletion } from '../src/cli/completion.js';
import { manPage } from '../src/cli/man.js';
import { GLOBAL_FLAGS, PROGRAM, REGISTRY } from '../src/cli/registry.js';

export function writeDocs(distDir: string, version: string): string[] {
  // SOURCE_DATE_EPOCH keeps package builds reproducible.
  const epoch = process.env['SOURCE_DATE_EPOCH'];
  const date = (epoch ? new Date(Number(epoch) * 1000) : new Date()).toISOString().slice(0, 10);
  const files: [string, string][] = [
    [`${distDir}/lvmsnap.8`, manPage({ ...PROGRAM, version, date }, REGISTRY, GLOBAL_FLAGS)],
    [`${distDir}/completion/lvmsnap.bash`, bashCompletion(REGISTRY, GLOBAL_FLAGS)],
    [`${distDir}/completion/_lvmsnap`, zshCompletion(REGISTRY, GLOBAL_FLAGS)],
  ];
  mkdirSync(`${distDir}/completion`, { recursive: true });
  for (const [path, text] of files) writeFileSync(path, text);
  return files.map(([p]) => p);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, ''))) {
  const root = new URL('..', import.meta.url).pathname;
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
  for (const p of writeDocs(`${root}dist`, pkg.version)) console.log(`wrote ${p.slice(root.length)}`);
}
