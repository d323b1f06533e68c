// Observation + desired state -> an ordered plan (data). Pure: no I/O, so plan, --check and apply agree.
import { CHAIN } from '../resources/index.js';
import { systemctlStartArgv } from './commands.js';
import { deriveFacts, type Facts } from './facts.js';
import { preflight } from './preflight.js';
import type { DesiredState, Plan, PlannedChange, ResourceKind, ResourceStatus, ResourceView, SystemSnapshot, Target } from './types.js';

const EXISTS: ReadonlySet<ResourceStatus> = new Set(['present', 'partial', 'degraded']);

function destroyChange(f: Facts, i: number, v: ResourceView, reason: string): PlannedChange {
  const steps = CHAIN[i]!.destroy(f, v);
  // e.g. an orphan PV label on our loop device: it goes away with the file, nothing to run for it.
  if (steps.length === 0) return { ...keep(v, `nothing to undo here (${v.reason ?? v.status})`), after: 'absent' };
  return { kind: v.kind, id: v.id, action: 'destroy', before: v.status, after: 'absent', reason, steps };
}

function keep(v: ResourceView, reason: string): PlannedChange {
  return { kind: v.kind, id: v.id, action: 'ok', before: v.status, after: v.status, reason, steps: [] };
}

function planPresent(f: Facts, views: readonly ResourceView[]): PlannedChange[] {
  // The first degraded resource forces everything downstream of it to be rebuilt.
  const firstBroken = views.findIndex((v) => v.status === 'degraded');
  const rebuildFrom = firstBroken === -1 ? views.length : firstBroken;
  const destroys: PlannedChange[] = [];
  const after = views.map((v) => v.status);
  for (let i = views.length - 1; i >= rebuildFrom; i--) {
    const v = views[i]!;
    if (!EXISTS.has(v.status)) continue;
    destroys.push(destroyChange(f, i, v, i === firstBroken ? `rebuild: ${v.reason ?? 'degraded'}` : `rebuild: depends on ${views[firstBroken]!.kind}`));
    after[i] = 'absent';
  }
  const creates = views.map((v, i): PlannedChange => {
    const status = after[i]!;
    if (status === 'unused') return keep(v, 'not used by this target');
    if (status === 'present') return keep(v, 'already present');
    if (status === 'foreign') return { kind: v.kind, id: v.id, action: 'refuse', before: status, after: status, reason: v.reason ?? 'not created by lvmsnap', steps: [] };
    const from = { ...v, status };
    const reason = status === 'partial' ? `complete an interrupted create (${v.reason ?? 'partial'})` : 'missing';
    return { kind: v.kind, id: v.id, action: 'create', before: status, after: 'present', reason, steps: CHAIN[i]!.create(f, from, status !== v.status) };
  });
  return [...destroys, ...creates];
}

/**
 * With a tmp file and systemd as PID 1, present first starts the shutdown guard for the file's directory,
 * so a normal shutdown tears the chain down (its stop runs `lvmsnap recover`) before that filesystem is
 * unmounted. Started before anything exists, so it covers every crash window. absent leaves it active:
 * stopping it would run `lvmsnap recover` for every chain, and an idle guard's stop finds nothing to do.
 * Without systemd (or without a tmp file) there is no such change at all.
 */
function guardChange(f: Facts): PlannedChange | null {
  const g = f.snap.guard;
  if (f.target.tmpFile === undefined || !g?.running) return null;
  const base = { kind: 'ShutdownGuard' as const, id: g.unit };
  if (g.active === 'active') return { ...base, action: 'ok', before: 'present', after: 'present', reason: 'already active', steps: [] };
  return {
    ...base, action: 'create', before: 'absent', after: 'present',
    reason: `not active (${g.active}): a normal shutdown must tear the chain down`, steps: [{ type: 'exec', argv: systemctlStartArgv(g.unit) }],
  };
}

function planAbsent(f: Facts, views: readonly ResourceView[], foreignRefused: readonly ResourceKind[]): PlannedChange[] {
  const changes: PlannedChange[] = [];
  for (let i = views.length - 1; i >= 0; i--) {
    const v = views[i]!;
    if (EXISTS.has(v.status)) changes.push(destroyChange(f, i, v, v.reason ?? 'created by lvmsnap'));
    else if (v.status === 'foreign' && foreignRefused.includes(v.kind)) {
      const reason = `${v.reason ?? 'not created by lvmsnap'}; lvmsnap removes only what it created: remove it yourself if it is not needed`;
      changes.push({ kind: v.kind, id: v.id, action: 'refuse', before: v.status, after: v.status, reason, steps: [] });
    } else if (v.status === 'foreign') changes.push(keep(v, `left alone: ${v.reason ?? 'not created by lvmsnap'}`));
    else changes.push(keep(v, v.status === 'unused' ? 'not used by this target' : 'already absent'));
  }
  return changes;
}

export interface Planned {
  readonly plan: Plan;
  readonly views: readonly ResourceView[];
  readonly facts: Facts;
}

/**
 * What `recover` knows beyond one target: the other lvmsnap chains of the same VG that it removes too
 * (their snapshots first), so their missing PVs and snapshots do not block this chain's vgreduce.
 */
export interface PlanContext {
  readonly siblingPvs?: ReadonlySet<string>;
  readonly siblingSnapshots?: ReadonlySet<string>;
  /**
   * absent refuses (instead of leaving alone) an object of these kinds at the target's names that
   * lvmsnap did not create: for callers whose users expect that object gone (the drop-in
   * snapshot-unmount, whose original removed it).
   */
  readonly foreignRefused?: readonly ResourceKind[];
}

export function makePlan(state: DesiredState, target: Target, snap: SystemSnapshot, ctx: PlanContext = {}): Planned {
  const f = deriveFacts(target, snap);
  const views = CHAIN.map((r) => r.observe(f));
  const guard = state === 'present' ? guardChange(f) : null;
  const changes = state === 'present' ? [...(guard ? [guard] : []), ...planPresent(f, views)] : planAbsent(f, views, ctx.foreignRefused ?? []);
  const refusals = [
    ...preflight(state, f, views, changes, ctx),
    ...changes.filter((c) => c.action === 'refuse').map((c) => `${c.kind} ${c.id}: ${c.reason}`),
  ];
  return { plan: { state, changes, refusals }, views, facts: f };
}

/** Changes that run steps, in order. */
export const mutatingChanges = (plan: Plan): readonly PlannedChange[] => plan.changes.filter((c) => c.action === 'create' || c.action === 'destroy' || c.action === 'grow');
