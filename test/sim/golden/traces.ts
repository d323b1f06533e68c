// Engine-driven golden sequences: property-test scenarios (the benchmark's shape and the general one)
// run through the real engine once, at generation time, with every SimHost call recorded as a step.
// Replaying the steps needs no engine, so engine changes elsewhere in the tree cannot move the data.
import fc from 'fast-check';
import { runApply } from '../../../src/engine.js';
import { addFile, addFilesystem, simpleSystem } from '../../../src/sim/build.js';
import * as drift from '../../../src/sim/drift.js';
import { exec } from '../../../src/sim/exec.js';
import { SimHost, SimulatedCrash } from '../../../src/sim/host.js';
import { lvFsId, type SimSystem } from '../../../src/sim/state.js';
import type { CommandResult, FileStat, HostPort, LockResult, LvmShell, PipeResult, RunOptions, SysfsLoop } from '../../../src/port.js';
import type { DesiredState, Target } from '../../../src/types.js';
import {
  MOUNTPOINT, OTHER_FILE, TMP_FILE, applyOp, scenarioArb, targetOf, type Op, type Scenario,
} from '../../property/harness.js';
import { systemHash, type Sequence, type Step } from './replay.js';

const MiB = 1024 * 1024;

/** A HostPort that forwards to a SimHost and records each call as a replayable step. */
class Recorder implements HostPort {
  constructor(private readonly inner: SimHost, private readonly steps: Step[]) {}
  run(argv: readonly string[], opts: RunOptions): Promise<CommandResult> {
    this.steps.push({ op: 'run', argv: [...argv], mutating: opts.mutating });
    return this.inner.run(argv, opts);
  }
  lvmShell(): LvmShell {
    const shell = this.inner.lvmShell();
    return {
      run: (argv, opts) => {
        this.steps.push({ op: 'shellRun', argv: [...argv], mutating: opts.mutating });
        return shell.run(argv, opts);
      },
      close: () => { this.steps.push({ op: 'shellClose' }); return shell.close(); },
    };
  }
  readFile(path: string): Promise<string | null> { this.steps.push({ op: 'readFile', path }); return this.inner.readFile(path); }
  listDir(path: string): Promise<string[]> { return this.inner.listDir(path); }
  writeFile(path: string, data: string): Promise<void> { this.steps.push({ op: 'writeFile', path, data }); return this.inner.writeFile(path, data); }
  removeFile(path: string): Promise<void> { this.steps.push({ op: 'removeFile', path }); return this.inner.removeFile(path); }
  lock(path: string): Promise<LockResult> { this.steps.push({ op: 'lock', path }); return this.inner.lock(path); }
  unlock(path: string): Promise<void> { this.steps.push({ op: 'unlock', path }); return this.inner.unlock(path); }
  readMountinfo(): Promise<string> { this.steps.push({ op: 'readMountinfo' }); return this.inner.readMountinfo(); }
  readLoopSysfs(): Promise<SysfsLoop[]> { this.steps.push({ op: 'readLoopSysfs' }); return this.inner.readLoopSysfs(); }
  lstat(path: string): Promise<FileStat | null> { this.steps.push({ op: 'lstat', path }); return this.inner.lstat(path); }
  realpath(): Promise<string | null> { throw new Error('the golden traces resolve no symlinks (no --cow-device)'); }
  statfsAvail(path: string): Promise<number | null> { this.steps.push({ op: 'statfsAvail', path }); return this.inner.statfsAvail(path); }
  uid(): number { this.steps.push({ op: 'uid' }); return this.inner.uid(); }
  pipe(): Promise<PipeResult> { throw new Error('the golden traces run no pipelines'); }
}

/** Builds and runs steps as it goes (the engine needs the live system to decide its next call). */
class Trace {
  readonly steps: Step[] = [];
  system: SimSystem;
  constructor(private readonly nextPid: () => number, first: Step, start: SimSystem) { this.steps.push(first); this.system = start; }

  pure(step: Step, f: (s: SimSystem) => SimSystem): void { this.steps.push(step); this.system = f(this.system); }

  async apply(target: Target, state: DesiredState, crashAfter: number | null): Promise<void> {
    const pid = this.nextPid();
    this.steps.push({ op: 'host', pid, crashAfter });
    const host = new SimHost(this.system, crashAfter === null ? { pid } : { pid, crashAfterMutating: crashAfter });
    try {
      await runApply(target, { state, check: false, waitSeconds: 0 }, { host: new Recorder(host, this.steps) });
    } catch (err) {
      if (!(err instanceof SimulatedCrash)) throw err;
    }
    this.steps.push({ op: 'endHost' });
    this.system = host.system;
  }
}

async function record(name: string, scn: Scenario, nextPid: () => number, tail: readonly DesiredState[]): Promise<Sequence & { recorded: string }> {
  const t = new Trace(nextPid, { op: 'simple', opts: scn.sys }, simpleSystem(scn.sys));
  const run = (argv: string[]): void => t.pure({ op: 'exec', argv }, (s) => exec(s, argv).system);
  // harness.initialSystem, spelled out as steps.
  if (scn.foreign.lv && scn.sys.vgFreeBytes! >= 8 * MiB) run(['lvcreate', '--yes', '--snapshot', '--size', `${4 * MiB}b`, '--name', 'root-lvmsnap', 'vg0/root']);
  if (scn.foreign.file) t.pure({ op: 'addFile', path: TMP_FILE, bytes: MiB }, (s) => addFile(s, TMP_FILE, MiB));
  if (scn.foreign.loop) {
    t.pure({ op: 'addFile', path: OTHER_FILE, bytes: MiB }, (s) => addFile(s, OTHER_FILE, MiB));
    run(['losetup', '/dev/loop0', '--', OTHER_FILE]);
  }
  if (scn.foreign.mount) {
    run(['mkdir', '--', MOUNTPOINT]);
    const fs = { id: 'usb', source: '/dev/sdc1', fstype: 'vfat', majMin: '8:33', sizeBytes: 64 * MiB, baseUsed: 0, volatile: false, fallocate: false, rootIno: 1 };
    t.pure({ op: 'addFilesystem', fs, target: MOUNTPOINT, options: 'rw,relatime', fstab: true }, (s) => addFilesystem(s, fs, MOUNTPOINT));
  }
  const target = targetOf(scn);
  for (const op of [...scn.ops, ...tail.map((st) => applyOp(st))]) {
    if (op.kind === 'apply') { await t.apply(target, op.state, op.crashAfter); continue; }
    // harness.drift, spelled out as steps.
    const s = t.system;
    if (op.what === 'unmount') {
      const top = s.mounts.filter((m) => m.target === MOUNTPOINT).at(-1);
      const snap = Object.values(s.lvs).find((l) => l.name === 'root-lvmsnap' && l.tags.includes('lvmsnap'));
      if (top && snap && top.fs === lvFsId(snap.uuid)) t.pure({ op: 'drift', fn: 'unmount', path: MOUNTPOINT }, (x) => drift.unmount(x, MOUNTPOINT));
    } else if (op.what === 'detach') {
      for (const l of Object.values(s.loops).filter((l) => l.file === TMP_FILE)) {
        t.pure({ op: 'drift', fn: 'detachLoop', path: l.name, force: false }, (x) => drift.detachLoop(x, l.name));
      }
    } else if (Object.values(s.lvs).some((l) => l.name === 'root-lvmsnap' && l.tags.includes('lvmsnap'))) {
      t.pure({ op: 'drift', fn: 'invalidateSnapshot', vg: 'vg0', lv: 'root-lvmsnap' }, (x) => drift.invalidateSnapshot(x, 'vg0', 'root-lvmsnap'));
    }
  }
  return { name, steps: t.steps, recorded: systemHash(t.system) };
}

/** The benchmark's scenarios (bench/bench.ts) and general ones with foreign objects and drift. */
export async function engineTraces(bench: number, general: number, seed: number): Promise<(Sequence & { recorded: string })[]> {
  let pid = 70000;
  const nextPid = (): number => pid++;
  const benchArb = scenarioArb({
    foreign: false,
    ops: fc.tuple(fc.constantFrom<'present' | 'absent'>('present', 'absent'), fc.integer({ min: 1, max: 16 }), fc.boolean())
      .map(([state, k, warm]): Op[] => [...(warm ? [applyOp('present')] : []), applyOp(state, k)]),
  });
  const out: (Sequence & { recorded: string })[] = [];
  const benchScns = fc.sample(benchArb, { numRuns: bench, seed });
  for (const [i, scn] of benchScns.entries()) out.push(await record(`bench scenario ${i}`, scn, nextPid, ['absent', 'present']));
  const genScns = fc.sample(scenarioArb(), { numRuns: general, seed: seed + 1 });
  for (const [i, scn] of genScns.entries()) out.push(await record(`general scenario ${i}`, scn, nextPid, ['present', 'absent']));
  return out;
}
