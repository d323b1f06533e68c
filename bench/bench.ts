// npm run bench: simulated crash-injected scenarios per minute (one core), and CLI start-up time
// against a bare node start. Prints figures; asserts nothing (speed is shown, not tested).
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { applyOn, crashScenarioArb, initialSystem, runOps, targetOf } from '../test/property/harness.js';

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

function medianMs(argv: string[], runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(argv[0]!, argv.slice(1), { stdio: 'ignore' });
    times.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
console.log(`Simulated scenarios (crash injected, ${seconds} s on one core)...`);
const s = await scenariosPerMinute(seconds);
console.log(`  ${s.scenarios} scenarios, ${s.applies} lvmsnap runs: ${s.perMinute.toLocaleString('en')} scenarios/minute (target >= 10,000)`);

const bin = new URL('../bin/lvmsnap.mjs', import.meta.url).pathname;
const runs = Number(process.env['BENCH_RUNS'] ?? 21);
const bare = medianMs([process.execPath, '-e', '0'], runs);
const version = medianMs([process.execPath, bin, '--version'], runs);
const help = medianMs([process.execPath, bin, '--help'], runs);
console.log(`CLI start (median of ${runs}, same run):`);
console.log(`  node -e 0              ${bare.toFixed(1)} ms`);
console.log(`  lvmsnap --version      ${version.toFixed(1)} ms  (${(version / bare).toFixed(2)}x bare node; target < 2.5x)`);
console.log(`  lvmsnap --help         ${help.toFixed(1)} ms  (${(help / bare).toFixed(2)}x bare node; help layout: a separate chunk)`);
