// The self-contained executable's start-up (npm run package builds dist/lvmsnap), against a bare
// `node -e 0`, measured alternately in the same run: `--version`, and a converged `apply` (nothing to
// do) on the simulated host, which loads and runs the whole hot path. The one-file bundle under node
// and the regular build are shown for comparison. Goal: the executable within 1.5x of node -e 0.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

export function benchExecutable(runs: number): void {
  const exe = join(root, 'dist/lvmsnap');
  if (!existsSync(exe)) throw new Error('bench: dist/lvmsnap is missing (npm run package builds it)');
  const dir = mkdtempSync(join(tmpdir(), 'lvmsnap-bench-'));
  const sim = join(dir, 'system.json');
  writeFileSync(sim, JSON.stringify({ simpleSystem: { vgFreeBytes: 0, fstype: 'xfs' } }));
  const env = { ...process.env, LVMSNAP_SIMULATOR: sim };
  const apply = ['apply', '--state', 'present', '--vg', 'vg0', '--lv', 'root', '--size', '64M', '--tmp-file', '/var/space/lvmsnap-cow.img', '--mountpoint', '/media/snap'];
  const first = spawnSync(exe, apply, { env, encoding: 'utf8' });
  if (first.status !== 0) throw new Error(`bench: the first apply failed (exit ${first.status}): ${first.stderr}`);

  const cases: [string, string[]][] = [
    ['node -e 0', [process.execPath, '-e', '0']],
    ['dist/lvmsnap --version', [exe, '--version']],
    ['dist/lvmsnap apply (converged)', [exe, ...apply]],
    ['node dist/lvmsnap.cjs apply (converged)', [process.execPath, join(root, 'dist/lvmsnap.cjs'), ...apply]],
    ['node bin/lvmsnap.mjs apply (converged)', [process.execPath, join(root, 'bin/lvmsnap.mjs'), ...apply]],
  ];
  const times = cases.map((): number[] => []);
  for (let i = 0; i < runs; i++) {
    cases.forEach(([name, argv], k) => {
      const t0 = performance.now();
      const r = spawnSync(argv[0]!, argv.slice(1), { stdio: 'ignore', env });
      times[k]!.push(performance.now() - t0);
      if (r.status !== 0) throw new Error(`bench: ${name} exited ${r.status}`);
    });
  }
  rmSync(dir, { recursive: true, force: true });
  const median = (t: number[]) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)]!;
  const bare = median(times[0]!);
  console.log(`Self-contained executable (dist/lvmsnap, median of ${runs}, alternating, same run; goal: within 1.5x of node -e 0):`);
  cases.forEach(([name], k) => {
    const m = median(times[k]!);
    console.log(`  ${name.padEnd(42)} ${m.toFixed(1).padStart(7)} ms${k === 0 ? '' : `  (${(m / bare).toFixed(2)}x)`}`);
  });
}
