// npm run bench:backup: the same data set (made here: many small files and a few large ones) archived
// in one run, alternating, by lvmsnap's archive step (RealHost.pipe with the tar.zst format's own
// argv), the same plus the `sync --data` its commit runs (lvmsnap+sync: the bare pipeline makes nothing
// durable), by the bare pipeline `tar -cf - . | zstd -T0`, and by `fsarchiver savedir` when installed.
// Prints throughput and ratios; asserts nothing (speed is shown, not tested). Goal: lvmsnap >= 0.9x bare.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORMAT_DEFS, tarCreateArgv } from '../src/backup/formats.js';
import { syncDataArgv } from '../src/commands.js';
import { RealHost } from '../src/host-real.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const SMALL = Number(process.env['BENCH_SMALL_FILES'] ?? 20_000);
const LARGE_MIB = Number(process.env['BENCH_LARGE_MIB'] ?? 64);
const MiB = 1024 * 1024;

/** Deterministic, half-compressible bytes (text-like runs and noise), so zstd does real work. */
function content(seed: number, bytes: number): Buffer {
  const b = Buffer.alloc(bytes);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    b[i] = (i >> 6) % 2 === 0 ? 97 + ((i >> 3) % 26) : x & 0xff;
  }
  return b;
}

function makeDataSet(dir: string): number {
  let total = 0;
  for (let i = 0; i < SMALL; i++) {
    const sub = join(dir, 'small', String(i % 100));
    if (i < 100) mkdirSync(sub, { recursive: true });
    const data = content(i + 1, 512 + ((i * 7919) % 8192));
    writeFileSync(join(sub, `f${i}.txt`), data);
    total += data.length;
  }
  mkdirSync(join(dir, 'large'));
  const block = content(99, 4 * MiB);
  for (let f = 0; f < 3; f++) {
    const parts = Array.from({ length: LARGE_MIB / 4 }, (_, k) => (k % 3 === f ? content(1000 + k + f, 4 * MiB) : block));
    writeFileSync(join(dir, 'large', `big${f}.bin`), Buffer.concat(parts));
    total += LARGE_MIB * MiB;
  }
  return total;
}

const have = (tool: string): boolean => spawnSync(tool, ['--version'], { stdio: 'ignore' }).error === undefined;

interface Sample { seconds: number; bytes: number }

async function lvmsnapStep(src: string, out: string, durable = false): Promise<Sample> {
  const host = new RealHost();
  const call = FORMAT_DEFS['tar.zst'].create(src, out, 3, { present: new Set(['tar', 'zstd']), cores: availableParallelism() });
  const t0 = performance.now();
  const r = await host.pipe(call.stages, call.input, call.output, { mutating: true });
  // What a backup adds before its commit rename (the bare pipeline has no counterpart): the data made durable.
  if (durable && (await host.run(syncDataArgv(out), { mutating: true })).exitCode !== 0) throw new Error('sync --data failed');
  const seconds = (performance.now() - t0) / 1000;
  if (r.openError || r.stages.some((s) => s.exitCode !== 0)) throw new Error(`lvmsnap pipeline failed: ${JSON.stringify(r.stages)}`);
  return { seconds, bytes: statSync(out).size };
}

function shellStep(cmd: string, cwd: string, out: string): Sample {
  const t0 = performance.now();
  // The bare pipeline as a user would type it (the benchmark's baseline, not lvmsnap code).
  const r = spawnSync('bash', ['-c', cmd], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr.toString()}`);
  return { seconds, bytes: statSync(out).size };
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'lvmsnap-bench-backup-'));
  try {
    const src = join(root, 'data');
    mkdirSync(src);
    const total = makeDataSet(src);
    const fsa = have('fsarchiver');
    console.log(`data set: ${SMALL} small files + 3 x ${LARGE_MIB} MiB = ${(total / MiB).toFixed(0)} MiB in ${src}; ${ROUNDS} alternating rounds, ${availableParallelism()} cores; fsarchiver ${fsa ? 'installed' : 'NOT installed'}`);
    const results: Record<string, Sample[]> = { lvmsnap: [], 'lvmsnap+sync': [], bare: [], 'bare+flags': [], fsarchiver: [] };
    // The same pipeline from a shell with lvmsnap's tar flags: tells the flags' cost from the plumbing's.
    const flags = tarCreateArgv('.').slice(1).filter((a, i, all) => a !== '--directory' && all[i - 1] !== '--directory').map((a) => `'${a}'`).join(' ');
    // Warm the page cache so every contender reads from memory.
    shellStep('tar -cf - . >/dev/null', src, '/dev/null');
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? ['lvmsnap', 'bare', 'lvmsnap+sync', 'bare+flags', 'fsarchiver'] : ['fsarchiver', 'bare+flags', 'lvmsnap+sync', 'bare', 'lvmsnap'];
      for (const who of order) {
        const out = join(root, `${who}-${round}.out`);
        if (who === 'lvmsnap') results['lvmsnap']!.push(await lvmsnapStep(src, out));
        if (who === 'lvmsnap+sync') results['lvmsnap+sync']!.push(await lvmsnapStep(src, out, true));
        if (who === 'bare') results['bare']!.push(shellStep(`tar -cf - . | zstd -T0 -3 -q -c > ${out}`, src, out));
        if (who === 'bare+flags') results['bare+flags']!.push(shellStep(`tar ${flags} | zstd -T0 -3 -q -c > ${out}`, src, out));
        if (who === 'fsarchiver' && fsa) results['fsarchiver']!.push(shellStep(`fsarchiver savedir -j ${availableParallelism()} -Z3 ${out}.fsa ${src} >/dev/null && mv ${out}.fsa ${out}`, root, out));
        rmSync(out, { force: true });
      }
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const rate = (who: string): number => total / MiB / median(results[who]!.map((s) => s.seconds));
    console.log('contender      median s   MiB/s   archive MiB   vs bare');
    for (const who of ['bare', 'bare+flags', 'lvmsnap', 'lvmsnap+sync', ...(fsa ? ['fsarchiver'] : [])]) {
      const s = results[who]!;
      console.log(`${who.padEnd(14)} ${median(s.map((x) => x.seconds)).toFixed(2).padStart(8)} ${rate(who).toFixed(1).padStart(7)} ${(median(s.map((x) => x.bytes)) / MiB).toFixed(1).padStart(13)}   ${(rate(who) / rate('bare')).toFixed(2)}x`);
    }
    console.log(`lvmsnap / bare throughput: ${(rate('lvmsnap') / rate('bare')).toFixed(2)}x (goal >= 0.90x); with its sync --data: ${(rate('lvmsnap+sync') / rate('bare')).toFixed(2)}x${fsa ? `; lvmsnap / fsarchiver: ${(rate('lvmsnap') / rate('fsarchiver')).toFixed(2)}x` : ''}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
