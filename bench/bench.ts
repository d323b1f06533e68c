// npm run bench: simulated crash-injected scenarios per minute (one core), and CLI start-up time
// side by side with a bare node start. Prints figures; asserts nothing (speed is shown, not tested).
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { applyOn, crashScenarioArb, initialSystem, runOps, targetOf } from '../test/property/harness.js';
import { benchExecutable, startEnv, timed } from './executable.js';
import { benchRealHost } from './real-host.js';

async function scenariosPerMinute(seconds: number): Promise<{ scenarios: number; applies: number; perMinute: number }> {
  const arb = crashScenarioArb();
  const samples = fc.sample(arb, { numRuns: 2000, seed: 42 });
  let scenarios = 0;
  let applies = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    const scn = samples[scenarios % samples.length]!;
    const t = targetOf(scn);
    const { system } = await runOps(initialSystem(scn), t, scn.ops);
    await applyOn(system, t, 'absent');
    await applyOn(system, t, 'present');
    scenarios++;
    applies += scn.ops.length + 2;
  }
  const elapsed = (performance.now() - t0) / 1000;
  return { scenarios, applies, perMinute: Math.round((scenarios / elapsed) * 60) };
}

const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
console.log(`Simulated scenarios (crash injected, ${seconds} s on one core)...`);
const s = await scenariosPerMinute(seconds);
console.log(`  ${s.scenarios} scenarios, ${s.applies} lvmsnap runs: ${s.perMinute.toLocaleString('en')} scenarios/minute (target >= 10,000)`);

// ---- CLI start-up, side by side in one run: the cases alternate, so load on the machine hits all alike.
// Without NODE_EXTRA_CA_CERTS, as bench/executable.ts explains.
const bin = new URL('../bin/lvmsnap.cjs', import.meta.url).pathname;
const runs = Number(process.env['BENCH_RUNS'] ?? 21);
const dir = mkdtempSync(join(tmpdir(), 'lvmsnap-bench-'));
const sim = join(dir, 'system.json');
writeFileSync(sim, JSON.stringify({ simpleSystem: { vgFreeBytes: 0, fstype: 'xfs' } }));
const target = ['--vg', 'vg0', '--lv', 'root', '--size', '64M', '--tmp-file', '/var/space/cow.img', '--mountpoint', '/media/snap'];
const cases: { name: string; argv: string[]; env?: Record<string, string>; note: string }[] = [
  { name: 'node -e 0', argv: ['-e', '0'], note: 'the floor' },
  { name: 'lvmsnap --version', argv: [bin, '--version'], note: '' },
  { name: 'lvmsnap --help', argv: [bin, '--help'], note: 'target <= 2x' },
  { name: 'lvmsnap apply --help', argv: [bin, 'apply', '--help'], note: '' },
  { name: 'lvmsnap status (no-op, simulator)', argv: [bin, 'status', ...target], env: { LVMSNAP_SIMULATOR: sim }, note: 'also loads the simulator' },
];
// CPU time (user+sys) is what a slow or busy machine multiplies; timed() measures it per child, to the ms.
const wall = cases.map(() => [] as number[]);
const cpu = cases.map(() => [] as number[]);
for (let round = -1; round < runs; round++) {
  for (const [i, c] of cases.entries()) {
    const r = timed([process.execPath, ...c.argv], { ...startEnv(), ...c.env });
    if (r.status !== 0) throw new Error(`${c.argv.join(' ')} exited ${r.status}`);
    if (round < 0) continue; // warm-up round
    wall[i]!.push(r.wallMs);
    cpu[i]!.push(r.cpuMs);
  }
}
rmSync(dir, { recursive: true, force: true });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`CLI start-up (medians of ${runs} alternating runs, same run; ratio to node -e 0):`);
console.log(`  ${''.padEnd(36)}${'wall'.padStart(10)}${'cpu (user+sys)'.padStart(24)}`);
for (const [i, c] of cases.entries()) {
  const w = median(wall[i]!);
  const line = `  ${c.name.padEnd(36)}${w.toFixed(0).padStart(7)} ms ${(w / median(wall[0]!)).toFixed(2)}x`;
  const p = `${median(cpu[i]!).toFixed(0).padStart(10)} ms ${(median(cpu[i]!) / median(cpu[0]!)).toFixed(2)}x`;
  console.log(`${line}${p}   ${c.note}`);
}
const size = (f: string) => `${(statSync(new URL(`../dist/${f}`, import.meta.url)).size / 1024).toFixed(0)} KB`;
const chunks = readdirSync(new URL('../dist/chunks', import.meta.url)).filter((f) => f.endsWith('.cjs'));
console.log(`Loaded by apply/plan/status: dist/lvmsnap.cjs ${size('lvmsnap.cjs')} (one file); on demand: ${chunks.map((f) => `${f} ${size(`chunks/${f}`)}`).join(', ')}`);

benchExecutable(runs);

await benchRealHost(runs);
