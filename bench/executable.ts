// The self-contained executable's start-up (npm run package builds dist/lvmsnap), against a bare
// `node -e 0`, measured alternately in the same run: `--version`, and a converged `apply` (nothing to
// do) on the simulated host, which loads and runs the whole hot path. The one-file bundle under node
// and the regular build are shown for comparison. Goal: the executable within 1.5x of node -e 0.
// Besides wall time, the CPU time (user + sys of the child, to the ms; timed() below): on a busy machine
// it is the steadier of the two.
// Every case runs without NODE_EXTRA_CA_CERTS (startEnv): node 20 reads and parses that certificate file
// at every start, before any script (~50 ms for a system bundle, more than a bare start), which would
// hide lvmsnap's own share in both sides of the ratio; a host running lvmsnap has no reason to set it.
// Only the apply cases get LVMSNAP_SIMULATOR: with it set the CLI loads the simulator before it reads
// argv, so --version would measure the simulator too.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

export function benchExecutable(runs: number): void {
  const exe = join(root, 'dist/lvmsnap');
  if (!existsSync(exe)) throw new Error('bench: dist/lvmsnap is missing (npm run package builds it)');
  const dir = mkdtempSync(join(tmpdir(), 'lvmsnap-bench-'));
  const sim = join(dir, 'system.json');
  writeFileSync(sim, JSON.stringify({ simpleSystem: { vgFreeBytes: 0, fstype: 'xfs' } }));
  const env = startEnv();
  const simEnv = { ...env, LVMSNAP_SIMULATOR: sim };
  const apply = ['apply', '--state', 'present', '--vg', 'vg0', '--lv', 'root', '--size', '64M', '--tmp-file', '/var/space/lvmsnap-cow.img', '--mountpoint', '/media/snap'];
  const first = spawnSync(exe, apply, { env: simEnv, encoding: 'utf8' });
  if (process.env['NODE_EXTRA_CA_CERTS']) console.log('(NODE_EXTRA_CA_CERTS is set here: every case runs without it, see bench/executable.ts)');
  if (first.status !== 0) throw new Error(`bench: the first apply failed (exit ${first.status}): ${first.stderr}`);

  const cases: [string, string[], NodeJS.ProcessEnv][] = [
    ['node -e 0', [process.execPath, '-e', '0'], env],
    ['dist/lvmsnap --version', [exe, '--version'], env],
    ['dist/lvmsnap apply (converged)', [exe, ...apply], simEnv],
    ['node dist/lvmsnap-standalone.cjs apply (converged)', [process.execPath, join(root, 'dist/lvmsnap-standalone.cjs'), ...apply], simEnv],
    ['node bin/lvmsnap.cjs apply (converged)', [process.execPath, join(root, 'bin/lvmsnap.cjs'), ...apply], simEnv],
  ];
  const loadBefore = loadAverage();
  const wall = cases.map((): number[] => []);
  const cpu = cases.map((): number[] => []);
  for (let i = 0; i < runs; i++) {
    cases.forEach(([name, argv, caseEnv], k) => {
      const r = timed(argv, caseEnv);
      if (r.status !== 0) throw new Error(`bench: ${name} exited ${r.status}`);
      wall[k]!.push(r.wallMs);
      cpu[k]!.push(r.cpuMs);
    });
  }
  rmSync(dir, { recursive: true, force: true });
  const median = (t: number[]) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)]!;
  const exeSize = (statSync(exe).size / 1048576).toFixed(1);
  console.log(`Self-contained executable (dist/lvmsnap, ${exeSize} MiB; median of ${runs}, alternating, same run; load average before/after ${loadBefore} / ${loadAverage()}; goal: within 1.5x of node -e 0):`);
  console.log(`  ${''.padEnd(50)} ${'wall'.padStart(9)}          CPU (user+sys)`);
  cases.forEach(([name], k) => {
    const w = median(wall[k]!);
    const ratio = (v: number, base: number) => (k === 0 ? '       ' : `(${(v / base).toFixed(2)}x)`);
    const c = `${median(cpu[k]!).toFixed(1).padStart(6)} ms ${ratio(median(cpu[k]!), median(cpu[0]!))}`;
    console.log(`  ${name.padEnd(50)} ${w.toFixed(1).padStart(7)} ms ${ratio(w, median(wall[0]!))}  ${c}`);
  });
}

/** The environment of the start-up cases: this one without NODE_EXTRA_CA_CERTS and LVMSNAP_SIMULATOR (see the top). */
export function startEnv(): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _ca, LVMSNAP_SIMULATOR: _sim, ...env } = process.env;
  return env;
}

const loadAverage = (): string => (existsSync('/proc/loadavg') ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : '?');

// bash runs the command and reports its wall time ($EPOCHREALTIME, bash >= 5) and its CPU time (`times`,
// the children's user and sys to the ms; /usr/bin/time prints only hundredths of a second, about half a
// bare node start). Neither includes starting bash itself.
const TIMED = 't0=$EPOCHREALTIME; "$@" >/dev/null 2>&1 </dev/null; s=$?; t1=$EPOCHREALTIME; echo "$t0 $t1 $s"; times';

/** Runs argv once: its wall and CPU time in ms, its exit status, and when it was started (epoch seconds, $EPOCHREALTIME). */
export function timed(argv: readonly string[], env: NodeJS.ProcessEnv): { wallMs: number; cpuMs: number; status: number; startedS: number } {
  const r = spawnSync('bash', ['-c', TIMED, 'bench', ...argv], { env, encoding: 'utf8' });
  const [line = '', , children = ''] = r.stdout.replace(/,/g, '.').trim().split('\n');
  const [t0, t1, status] = line.split(' ').map(Number);
  const seconds = (x: string) => { const m = /^(\d+)m([\d.]+)s$/.exec(x); return m ? Number(m[1]) * 60 + Number(m[2]) : NaN; };
  const cpuMs = children.split(' ').reduce((a, x) => a + seconds(x) * 1000, 0);
  if (r.status !== 0 || !Number.isFinite(t0! + t1! + cpuMs)) throw new Error(`bench: could not time ${argv.join(' ')} with bash (needs bash >= 5): ${r.stdout}${r.stderr}`);
  return { wallMs: (t1! - t0!) * 1000, cpuMs, status: status!, startedS: t0! };
}
