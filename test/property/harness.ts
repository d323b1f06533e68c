// Model-based scenarios for the property tests: random systems (free space or not, ext4/xfs, foreign
// objects at lvmsnap's names) and random sequences of apply present/absent, crashes and outside drift,
// all run through the real engine against the simulator.
import fc from 'fast-check';
import { runApply, type ApplyReport } from '../../src/engine.js';
import { addFile, addFilesystem, simpleSystem, type SimpleSystemOptions } from '../../src/sim/build.js';
import { detachLoop, invalidateSnapshot, unmount } from '../../src/sim/drift.js';
import { exec } from '../../src/sim/exec.js';
import { SimHost, SimulatedCrash, type SimCall } from '../../src/sim/host.js';
import { lvFsId, type SimSystem } from '../../src/sim/state.js';
import type { DesiredState, Target } from '../../src/types.js';

const MiB = 1024 * 1024;
export const TMP_FILE = '/var/space/cow.img';
export const MOUNTPOINT = '/media/snap';
export const OTHER_FILE = '/var/space/other.img';

export interface Foreign { readonly lv: boolean; readonly file: boolean; readonly loop: boolean; readonly mount: boolean }

export type Op =
  | { readonly kind: 'apply'; readonly state: DesiredState; readonly crashAfter: number | null }
  | { readonly kind: 'drift'; readonly what: 'unmount' | 'detach' | 'invalidate' };

export interface Scenario {
  readonly sys: SimpleSystemOptions;
  readonly useTmp: boolean;
  readonly useMount: boolean;
  readonly sizeMiB: number | null; // null: default 20%ORIGIN
  readonly pinLoop: boolean; // pass --loop-device /dev/loop0
  readonly foreign: Foreign;
  readonly ops: readonly Op[];
}

export const applyOp = (state: DesiredState, crashAfter: number | null = null): Op => ({ kind: 'apply', state, crashAfter });

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('apply' as const), state: fc.constantFrom<DesiredState>('present', 'absent'), crashAfter: fc.option(fc.integer({ min: 1, max: 14 }), { freq: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drift' as const), what: fc.constantFrom('unmount' as const, 'detach' as const, 'invalidate' as const) }) },
);

const rare = fc.constantFrom(false, false, false, false, true);
const noForeign: Foreign = { lv: false, file: false, loop: false, mount: false };

export const scenarioArb = (o: { foreign?: boolean; ops?: fc.Arbitrary<readonly Op[]> } = {}): fc.Arbitrary<Scenario> =>
  fc.record({
    sys: fc.record({
      vgFreeBytes: fc.constantFrom(0, 8 * MiB, 300 * MiB),
      originBytes: fc.constantFrom(40 * MiB, 100 * MiB, 200 * MiB),
      fstype: fc.constantFrom<'ext4' | 'xfs'>('ext4', 'xfs'),
      originMounted: fc.boolean(),
      tmpDirFs: fc.constantFrom<'tmpfs' | 'ext4' | 'vfat'>('tmpfs', 'ext4', 'vfat'),
      tmpDirBytes: fc.constantFrom(30 * MiB, 200 * MiB),
    }),
    useTmp: fc.boolean(),
    useMount: fc.boolean(),
    sizeMiB: fc.option(fc.constantFrom(8, 20, 64), { freq: 2 }),
    pinLoop: fc.boolean(),
    // Each foreign object in about one scenario of five, so most scenarios still get to run.
    foreign: o.foreign === false ? fc.constant(noForeign) : fc.record({ lv: rare, file: rare, loop: rare, mount: rare }),
    ops: o.ops ?? fc.array(opArb, { minLength: 1, maxLength: 6 }),
  });

export function targetOf(s: Scenario): Target {
  return {
    vg: 'vg0', lv: 'root', snapshot: 'root-lvmsnap',
    size: s.sizeMiB === null ? { kind: 'percentOrigin', percent: 20 } : { kind: 'bytes', bytes: s.sizeMiB * MiB },
    ...(s.useTmp ? { tmpFile: TMP_FILE, ...(s.pinLoop ? { loopDevice: '/dev/loop0' } : {}) } : {}),
    ...(s.useMount ? { mountpoint: MOUNTPOINT } : {}),
    allocate: 'auto', removeMountpoint: false, stateDir: '/var/lib/lvmsnap',
  };
}

function run(system: SimSystem, argv: string[]): SimSystem {
  const r = exec(system, argv);
  if (r.result.exitCode !== 0) throw new Error(`setup failed: ${argv.join(' ')}: ${r.result.stderr}`);
  return r.system;
}

/** The starting system, with foreign objects planted at lvmsnap's names. */
export function initialSystem(s: Scenario): SimSystem {
  let sys = simpleSystem(s.sys);
  // The user's own snapshot of the origin, by chance at lvmsnap's default name (untagged).
  if (s.foreign.lv && s.sys.vgFreeBytes! >= 8 * MiB) sys = run(sys, ['lvcreate', '--yes', '--snapshot', '--size', `${4 * MiB}b`, '--name', 'root-lvmsnap', 'vg0/root']);
  if (s.foreign.file) sys = addFile(sys, TMP_FILE, MiB);
  if (s.foreign.loop) sys = run(addFile(sys, OTHER_FILE, MiB), ['losetup', '/dev/loop0', '--', OTHER_FILE]);
  if (s.foreign.mount) {
    sys = run(sys, ['mkdir', '--', MOUNTPOINT]);
    sys = addFilesystem(sys, { id: 'usb', source: '/dev/sdc1', fstype: 'vfat', majMin: '8:33', sizeBytes: 64 * MiB, baseUsed: 0, volatile: false, fallocate: false, rootIno: 1 }, MOUNTPOINT);
  }
  return sys;
}

export interface RunResult {
  readonly system: SimSystem;
  readonly report: ApplyReport | null;
  readonly crashed: boolean;
  readonly calls: readonly SimCall[];
}

export async function applyOn(system: SimSystem, target: Target, state: DesiredState, crashAfter: number | null = null): Promise<RunResult> {
  const host = new SimHost(system, crashAfter === null ? {} : { crashAfterMutating: crashAfter });
  try {
    const report = await runApply(target, { state, check: false, waitSeconds: 0 }, { host });
    return { system: host.system, report, crashed: false, calls: host.calls };
  } catch (err) {
    if (!(err instanceof SimulatedCrash)) throw err;
    return { system: host.system, report: null, crashed: true, calls: host.calls };
  }
}

/** Per-property timeout: 10 min for the default runs, scaled up for PROPERTY_RUNS long runs. */
// Generous: a busy CI machine runs these several times slower; a real hang still fails.
export const PROPERTY_TIMEOUT = 600_000 * Math.max(1, Number(process.env['PROPERTY_RUNS'] ?? 2000) / 2000);
export const originLv = (s: SimSystem) => Object.values(s.lvs).find((l) => l.vg === 'vg0' && l.name === 'root')!;
export const snapshotLv = (s: SimSystem) => Object.values(s.lvs).find((l) => l.vg === 'vg0' && l.name === 'root-lvmsnap');
/** lvmsnap's own snapshot (tagged), not a user's LV that merely has the name. */
const ourSnapshot = (s: SimSystem) => { const lv = snapshotLv(s); return lv?.tags.includes('lvmsnap') ? lv : undefined; };

/** The crash property's shape: maybe a warm present, then an apply killed after its k-th mutation. */
export const crashScenarioArb = (): fc.Arbitrary<Scenario> => scenarioArb({
  foreign: false,
  ops: fc.tuple(fc.constantFrom<DesiredState>('present', 'absent'), fc.integer({ min: 1, max: 16 }), fc.boolean())
    .map(([state, k, warm]) => [...(warm ? [applyOp('present')] : []), applyOp(state, k)]),
});

export function drift(system: SimSystem, what: 'unmount' | 'detach' | 'invalidate'): SimSystem {
  switch (what) {
    case 'unmount': {
      // Someone unmounts lvmsnap's snapshot (a foreign mount there is the user's own business).
      const top = system.mounts.filter((m) => m.target === MOUNTPOINT).at(-1);
      const snap = ourSnapshot(system);
      return top && snap && top.fs === lvFsId(snap.uuid) ? unmount(system, MOUNTPOINT) : system;
    }
    case 'detach': return Object.values(system.loops).filter((l) => l.file === TMP_FILE).reduce((s, l) => detachLoop(s, l.name), system);
    case 'invalidate': {
      // lvmsnap's snapshot fills up (drift on the user's own objects is not lvmsnap's doing).
      return ourSnapshot(system) ? invalidateSnapshot(system, 'vg0', 'root-lvmsnap') : system;
    }
  }
}

export interface Step { readonly op: Op; readonly before: SimSystem; readonly result: RunResult | null }

/** Runs every op in order; returns each step with the system before it. */
export async function runOps(start: SimSystem, target: Target, ops: readonly Op[]): Promise<{ steps: Step[]; system: SimSystem }> {
  let system = start;
  const steps: Step[] = [];
  for (const op of ops) {
    if (op.kind === 'drift') {
      steps.push({ op, before: system, result: null });
      system = drift(system, op.what);
      continue;
    }
    const r = await applyOn(system, target, op.state, op.crashAfter);
    steps.push({ op, before: system, result: r });
    system = r.system;
  }
  return { steps, system };
}

/** The system without what legitimately changes between runs (id counters, stale locks). */
export const comparable = (s: SimSystem): Omit<SimSystem, 'counters' | 'locks'> => {
  const { counters: _c, locks: _l, ...rest } = s;
  return rest;
};

export const mutatingRuns = (calls: readonly SimCall[]): SimCall[] => calls.filter((c) => c.op === 'run' && c.mutating);

/** fast-check settings: PROPERTY_RUNS / PROPERTY_SEED / PROPERTY_PATH replay or scale a run. */
export function fcParams(defaultRuns = 2000): fc.Parameters<unknown> {
  const env = process.env;
  return {
    numRuns: Number(env['PROPERTY_RUNS'] ?? defaultRuns),
    ...(env['PROPERTY_SEED'] ? { seed: Number(env['PROPERTY_SEED']) } : {}),
    ...(env['PROPERTY_PATH'] ? { path: env['PROPERTY_PATH'] } : {}),
    endOnFailure: true,
  };
}
