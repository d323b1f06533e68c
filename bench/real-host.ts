// A converged apply on a real host, against a bare `node -e 0` (issue 11's goal): the self-contained
// executable runs `apply --state absent` on a throwaway real VG, so the real-host code path runs
// (RealHost, lvm2's own lvm, its lvm shell where lvm2's lvmdbusd profile is installed, the lock, the
// journal and kernel reads), not the simulator. `lvm fullreport` alone (the report lvmsnap asks lvm for,
// argv taken from the apply's own --json) shows what part of that is LVM's own time.
//
// The VG: a sparse file in a fresh temp dir, `losetup --find --show`, pvcreate, vgcreate
// lvmsnapbench<pid>, and an origin LV made without activation. This machine has lvm2 and loop devices
// but no device-mapper in its kernel: lvcreate refuses ("striped: Required device-mapper target(s) not
// detected") unless told `global { activation = 0 }`, so the bench's own lvm commands get that config;
// lvmsnap's apply gets nothing special (its report still runs; lvm prints a warning about the missing
// device-mapper on stderr and exits 0). A converged absent needs nothing activated: the snapshot is
// absent, nothing to do, one LVM report.
//
// Start-up of the apply: a static marker (bench/start-mark.c, built with gcc into the temp dir) first in
// PATH as `lvm` notes the wall clock when lvmsnap starts its first LVM command and execs the real lvm, so
// "start" is the time from lvmsnap's exec to that moment (issue 11's goal is about the start: what comes
// after is LVM's own work, shown by `lvm fullreport` alone). Without gcc that figure is missing, loudly.
//
// Safety: refuses to start if the VG name exists; touches only the loop device it made (checked against
// its backing file before losetup -d), that PV and that VG; tears all of it down at the end, on an error
// and on SIGINT/SIGTERM. argv arrays only. Without lvm2, losetup or a free loop device the figure is
// missing and the bench says so in capitals (it does not fall back to the simulator).
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEnv, timed } from './executable.js';

const root = new URL('..', import.meta.url).pathname;
/** For the bench's own lvm commands only (see the top): lvcreate/vgremove without device-mapper. */
const NO_DM = ['--config', 'global { activation = 0 }'];
const LVM_ENV = { LC_ALL: 'C', LANG: 'C', LVM_SUPPRESS_FD_WARNINGS: '1' };

interface Bed { dir: string; img: string; loop?: string; pv?: boolean; vg?: string }

function sh(argv: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: { ...process.env, ...LVM_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
}

function must(argv: readonly string[]): string {
  const r = sh(argv);
  if (r.error || r.status !== 0) throw new Error(`bench: ${argv.join(' ')} failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ''}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** Why this machine cannot build the throwaway VG, or null if it can. */
function missing(): string | null {
  if (process.getuid?.() !== 0) return 'not root (losetup, pvcreate, vgcreate need root)';
  for (const tool of ['lvm', 'losetup']) {
    const r = sh([tool, '--version']);
    if (r.error) return `${tool} is not installed (${r.error.message})`;
  }
  if (!existsSync('/dev/loop-control')) return 'no loop devices (/dev/loop-control is missing)';
  return null;
}

/** Builds the start marker as DIR/lvm; null and why when it cannot. */
function buildMarker(dir: string): { dir: string } | { missing: string } {
  const out = join(dir, 'mark');
  must(['mkdir', '-p', out]);
  const r = sh(['gcc', '-O2', '-static', '-o', join(out, 'lvm'), join(root, 'bench/start-mark.c')]);
  if (r.error || r.status !== 0) return { missing: `cannot build bench/start-mark.c with gcc -static (${r.error?.message ?? r.stderr.trim()})` };
  return { dir: out };
}

function vgNames(): string[] {
  const out = must(['vgs', '--reportformat', 'json', '-o', 'vg_name']);
  return (JSON.parse(out) as { report: { vg: { vg_name: string }[] }[] }).report.flatMap((r) => r.vg.map((v) => v.vg_name));
}

function setUp(bed: Bed, vg: string, lv: string): void {
  if (vgNames().includes(vg)) throw new Error(`bench: VG ${vg} exists already; refusing to touch it`);
  writeFileSync(bed.img, '');
  truncateSync(bed.img, 64 * 1048576); // sparse
  bed.loop = must(['losetup', '--find', '--show', bed.img]).trim();
  if (!/^\/dev\/loop\d+$/.test(bed.loop)) throw new Error(`bench: losetup gave ${JSON.stringify(bed.loop)}`);
  must(['pvcreate', ...NO_DM, '--yes', bed.loop]);
  bed.pv = true;
  must(['vgcreate', ...NO_DM, '--yes', vg, bed.loop]);
  bed.vg = vg;
  must(['lvcreate', ...NO_DM, '--yes', '--activate', 'n', '--zero', 'n', '-L', '16M', '-n', lv, vg]);
}

/** Undoes setUp, only what it made; reports (not throws) what it could not undo. */
function tearDown(bed: Bed): void {
  const problems: string[] = [];
  const step = (argv: readonly string[]) => {
    const r = sh(argv);
    if (r.error || r.status !== 0) problems.push(`${argv.join(' ')}: exit ${r.status} ${r.stderr.trim()}`);
  };
  if (bed.vg) step(['vgremove', ...NO_DM, '--yes', '--force', bed.vg]);
  if (bed.loop && bed.pv) step(['pvremove', ...NO_DM, '--yes', bed.loop]);
  if (bed.loop) {
    // Only if the loop device is still ours (its backing file is our image).
    const back = `/sys/block/${bed.loop.slice('/dev/'.length)}/loop/backing_file`;
    const file = existsSync(back) ? readFileSync(back, 'utf8').trim() : '';
    if (file === bed.img) step(['losetup', '-d', bed.loop]);
    else problems.push(`${bed.loop} no longer backs ${bed.img} (it backs ${JSON.stringify(file)}): left alone`);
  }
  rmSync(bed.dir, { recursive: true, force: true });
  if (problems.length > 0) console.log(`  TEARDOWN INCOMPLETE, check by hand:\n    ${problems.join('\n    ')}`);
}

export async function benchRealHost(runs: number): Promise<void> {
  const title = `Converged apply on a real host (dist/lvmsnap apply --state absent on a throwaway loop-device VG, real lvm2; median of ${runs}, alternating, same run)`;
  const why = missing();
  if (why) {
    console.log(`${title}:\n  REAL-HOST FIGURE MISSING: this machine cannot build the throwaway VG: ${why}.`);
    return;
  }
  const exe = join(root, 'dist/lvmsnap');
  if (!existsSync(exe)) throw new Error('bench: dist/lvmsnap is missing (npm run package builds it)');
  const vg = `lvmsnapbench${process.pid}`;
  const lv = 'origin';
  const dir = mkdtempSync(join(tmpdir(), 'lvmsnap-bench-host-'));
  const bed: Bed = { dir, img: join(dir, 'pv.img') };
  let stop: string | null = null;
  const onSignal = (sig: NodeJS.Signals) => { stop = sig; };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    setUp(bed, vg, lv);
    const env = startEnv();
    const apply = [exe, 'apply', '--state', 'absent', '--vg', vg, '--lv', lv];
    // Check once that it runs, converged: exit 0, nothing changed, the one command is the LVM report.
    const first = spawnSync(apply[0]!, [...apply.slice(1), '--json'], { env, encoding: 'utf8' });
    if (first.status !== 0) throw new Error(`bench: ${apply.join(' ')} --json exited ${first.status}: ${first.stderr}`);
    const report = JSON.parse(first.stdout) as { changed: boolean; commands: { argv: string[]; mutating: boolean }[] };
    if (report.changed !== false || report.commands.some((c) => c.mutating)) throw new Error(`bench: the apply on ${vg} was not converged: ${first.stdout}`);
    const fullreport = report.commands.find((c) => c.argv[0] === 'lvm' && c.argv[1] === 'fullreport')?.argv;
    if (!fullreport) throw new Error(`bench: the apply ran no lvm fullreport: ${first.stdout}`);
    const shell = existsSync(`${process.env['LVM_SYSTEM_DIR'] ?? '/etc/lvm'}/profile/lvmdbusd.profile`);

    const cases: [string, string[], NodeJS.ProcessEnv][] = [
      ['node -e 0', [process.execPath, '-e', '0'], env],
      ['lvm fullreport (alone, the same argv)', fullreport, { ...env, ...LVM_ENV }],
      ['dist/lvmsnap apply --state absent (converged)', apply, env],
    ];
    // The same apply with the start marker as its lvm: its wall time up to lvmsnap's first LVM command.
    const marker = buildMarker(dir);
    const markFile = join(dir, 'mark.times');
    const lvmPath = sh(['sh', '-c', 'command -v lvm']).stdout.trim();
    const START = cases.length;
    if ('dir' in marker) {
      cases.push(['  its start: exec until its first LVM command', apply,
        { ...env, PATH: `${marker.dir}:${env['PATH'] ?? ''}`, LVMSNAP_MARK_FILE: markFile, LVMSNAP_MARK_REAL: realpathSync(lvmPath) }]);
    }
    const loadBefore = loadAverage();
    const wall = cases.map((): number[] => []);
    const cpu = cases.map((): number[] => []);
    for (let i = -1; i < runs; i++) {
      for (const [k, [name, argv, caseEnv]] of cases.entries()) {
        rmSync(markFile, { force: true });
        const r = timed(argv, caseEnv);
        if (r.status !== 0) throw new Error(`bench: ${name} exited ${r.status}`);
        let w = r.wallMs;
        if (k === START) {
          const marks = existsSync(markFile) ? readFileSync(markFile, 'utf8').trim().split('\n') : [];
          if (marks.length !== 1) throw new Error(`bench: the start marker saw ${marks.length} lvm starts (expected the one lvm shell)`);
          w = (Number(marks[0]) - r.startedS) * 1000;
          if (!(w > 0 && w < r.wallMs)) throw new Error(`bench: start ${w} ms is outside the run (${r.wallMs} ms)`);
        }
        if (i >= 0) { wall[k]!.push(w); cpu[k]!.push(r.cpuMs); } // i = -1: warm-up round
      }
      await new Promise((resolve) => setImmediate(resolve)); // lets a SIGINT/SIGTERM handler run
      if (stop) throw new Error(`bench: stopped by ${stop}`);
    }
    const median = (t: number[]) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)]!;
    console.log(`${title}; load average before/after ${loadBefore} / ${loadAverage()}; lvm shell ${shell ? 'used (lvmdbusd profile installed)' : 'not used (no lvmdbusd profile): the report is a process of its own'}; goal: within 1.5x of node -e 0):`);
    console.log(`  ${''.padEnd(50)} ${'wall'.padStart(9)}          CPU (user+sys, children included)`);
    cases.forEach(([name], k) => {
      const ratio = (v: number, base: number) => (k === 0 ? '       ' : `(${(v / base).toFixed(2)}x)`);
      const w = median(wall[k]!);
      const c = median(cpu[k]!);
      const cpuText = k === START ? '     (not separable)' : `${c.toFixed(1).padStart(6)} ms ${ratio(c, median(cpu[0]!))}`;
      console.log(`  ${name.padEnd(50)} ${w.toFixed(1).padStart(7)} ms ${ratio(w, median(wall[0]!))}  ${cpuText}`);
    });
    if ('missing' in marker) console.log(`  START FIGURE MISSING: ${marker.missing}.`);
    else {
      const r = median(wall[START]!) / median(wall[0]!);
      console.log(`  goal (issue 11): the converged apply starts within 1.5x of node -e 0: ${r.toFixed(2)}x, ${r <= 1.5 ? 'MET' : 'NOT MET'}`);
    }
    const own = (xs: number[][]) => median(xs[2]!) - median(xs[1]!);
    console.log(`  ${'  lvmsnap itself, about (apply - fullreport)'.padEnd(50)} ${own(wall).toFixed(1).padStart(7)} ms (${(own(wall) / median(wall[0]!)).toFixed(2)}x)  ${own(cpu).toFixed(1).padStart(6)} ms (${(own(cpu) / median(cpu[0]!)).toFixed(2)}x)`);
  } finally {
    tearDown(bed);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

const loadAverage = (): string => (existsSync('/proc/loadavg') ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : '?');
