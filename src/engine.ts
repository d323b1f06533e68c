// One path for apply, --check, plan and status: lock -> observe -> plan -> (rehearse | apply) -> report.
import { applyPlan } from './apply.js';
import { ApplyFailed, LockHeld } from './errors.js';
import { observe } from './observe.js';
import { makePlan, mutatingChanges, type Planned } from './plan.js';
import type { HostPort } from './port.js';
import { RecordingHost, type CommandLog } from './recording-host.js';
import type { DesiredState, Plan, PlannedChange, ResourceKind, ResourceView, Step, SystemSnapshot, Target } from './types.js';

export interface EngineDeps {
  readonly host: HostPort;
  readonly log?: CommandLog;
  readonly lockDir?: string;
  readonly stopRequested?: () => boolean;
  readonly onStep?: (change: PlannedChange, step: Step) => void;
  /** Replays a plan on a model of the observed system; returns the error it would meet, or null. */
  readonly rehearse?: (plan: Plan, target: Target, snap: SystemSnapshot) => Promise<string | null>;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface ApplyOptions {
  readonly state: DesiredState;
  readonly check: boolean;
  /** Seconds to wait for another run's lock; 0 refuses at once. */
  readonly waitSeconds: number;
  /** absent refuses a foreign object of these kinds at the target's names instead of leaving it alone (PlanContext). */
  readonly foreignRefused?: readonly ResourceKind[];
}

export interface ApplyReport {
  readonly planned: Planned;
  readonly check: boolean;
  readonly changed: boolean;
  readonly commands: RecordingHost['commands'];
  readonly rehearsal: string | null;
  readonly error?: ApplyFailed;
}

export const lockPath = (t: Target, dir = '/run/lock/lvmsnap'): string => `${dir}/${t.vg}-${t.snapshot}.lock`;

export async function takeLock(host: HostPort, path: string, waitSeconds: number, sleep: (ms: number) => Promise<void>): Promise<void> {
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    const r = await host.lock(path);
    if (r.acquired) return;
    if (Date.now() >= deadline) throw new LockHeld(path, r.holder);
    await sleep(200);
  }
}

const realSleep = (ms: number) => new Promise<void>((res) => setTimeout(res, ms));

export async function runApply(target: Target, opts: ApplyOptions, deps: EngineDeps): Promise<ApplyReport> {
  const host = new RecordingHost(deps.host, deps.log);
  const lock = lockPath(target, deps.lockDir);
  // The real launcher's lvm shell, started and asked for the report before the bundle was compiled (if no
  // lock was held then), is taken now; the host uses that answer only if nothing took a lock meanwhile.
  const early = opts.check ? null : (host.prefetchedLvmShell?.() ?? null);
  // --check changes nothing, so it needs no lock and never waits on a running apply.
  try {
    if (!opts.check) await takeLock(host, lock, opts.waitSeconds, deps.sleep ?? realSleep);
  } catch (err) {
    await early?.close();
    throw err;
  }
  // An apply asks one lvm shell for the report and then the plan's LVM commands: one lvm start, not two.
  // --check and status fork the report (nothing else would use the shell).
  const shell = early ?? (opts.check ? null : (host.lvmShell?.() ?? null));
  try {
    const snap = await observe(host, target, { shell });
    const planned = makePlan(opts.state, target, snap, { foreignRefused: opts.foreignRefused ?? [] });
    // Refused: nothing runs; the caller reports planned.plan.refusals and exits 3.
    if (planned.plan.refusals.length > 0) return { planned, check: opts.check, changed: false, commands: host.commands, rehearsal: null };
    const willChange = mutatingChanges(planned.plan).length > 0;
    if (opts.check) {
      const rehearsal = willChange && deps.rehearse ? await deps.rehearse(planned.plan, target, snap) : null;
      return { planned, check: true, changed: willChange, commands: host.commands, rehearsal };
    }
    try {
      const hooks = { shell, ...(deps.stopRequested ? { stopRequested: deps.stopRequested } : {}), ...(deps.onStep ? { onStep: deps.onStep } : {}) };
      await applyPlan(planned.plan, host, target, snap.journal, hooks);
    } catch (err) {
      if (!(err instanceof ApplyFailed)) throw err;
      return { planned, check: false, changed: host.commands.some((c) => c.mutating), commands: host.commands, rehearsal: null, error: err };
    }
    return { planned, check: false, changed: willChange, commands: host.commands, rehearsal: null };
  } finally {
    await shell?.close();
    if (!opts.check) await host.unlock(lock);
  }
}

export type OverallState = 'present' | 'absent' | 'partial';

export interface StatusReport {
  readonly state: OverallState;
  readonly views: readonly ResourceView[];
  readonly snap: SystemSnapshot;
  readonly commands: RecordingHost['commands'];
  /** What present would make, with the thin pool for a thin snapshot (see facts.ts). */
  readonly facts?: Planned['facts'];
}

export function overallState(views: readonly ResourceView[]): OverallState {
  const used = views.filter((v) => v.status !== 'unused');
  if (used.every((v) => v.status === 'present')) return 'present';
  if (used.every((v) => v.status === 'absent' || v.status === 'foreign')) return 'absent';
  return 'partial';
}

export async function runStatus(target: Target, deps: EngineDeps): Promise<StatusReport> {
  const host = new RecordingHost(deps.host, deps.log);
  // The launcher's early shell, if any: status takes no lock, so a report it already asked is used as it
  // is (the same as a status started a moment earlier); otherwise the report is forked as before.
  const early = host.prefetchedLvmShell?.(true) ?? null;
  try {
    const snap = await observe(host, target, { shell: early });
    const { views, facts } = makePlan('present', target, snap);
    return { state: overallState(views), views, snap, commands: host.commands, facts };
  } finally {
    await early?.close();
  }
}
