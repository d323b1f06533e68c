// A set's run: lock every member (sorted) -> observe and plan every member -> member and set pre-flight
// -> (rehearse | apply member by member, re-observing before each) -> on a failed present, roll back the
// members this run changed. The per-member steps are the single-target engine's (observe, makePlan,
// applyPlan), so a set member behaves exactly as the same target run alone.
import { applyPlan } from '../apply.js';
import { lockPath, takeLock, type EngineDeps, type OverallState, type StatusReport, runStatus } from '../engine.js';
import { LvmsnapError } from '../errors.js';
import { observe } from '../observe.js';
import { makePlan, mutatingChanges, type Planned } from '../plan.js';
import { RecordingHost } from '../recording-host.js';
import type { DesiredState, Target } from '../types.js';
import { setPreflight } from './preflight.js';

export interface SetApplyOptions {
  readonly state: DesiredState;
  readonly check: boolean;
  readonly waitSeconds: number;
  /** On a failed present, leave the members this run created in place (default: take them back to absent). */
  readonly keepPartial?: boolean;
}

type Commands = RecordingHost['commands'];

export interface SetMemberReport {
  readonly target: Target;
  /** The plan this member ran (made just before it ran), or the up-front plan when it did not run. */
  readonly planned: Planned;
  /** 'ran': applied to the end; 'failed'; 'not-run': an earlier member failed, or --check, or refused. */
  readonly outcome: 'ran' | 'failed' | 'not-run';
  readonly changed: boolean;
  readonly commands: Commands;
  readonly error?: string;
}

export interface SetRollback {
  /** Members taken back to absent, in the order it ran ("vg/snapshot"). */
  readonly members: readonly string[];
  readonly ok: boolean;
  readonly errors: readonly string[];
  readonly reports: readonly SetMemberReport[];
}

export interface SetApplyReport {
  readonly state: DesiredState;
  readonly check: boolean;
  readonly changed: boolean;
  /** In the order they ran (listed order for present, reversed for absent). */
  readonly members: readonly SetMemberReport[];
  /** Every refusal, each prefixed with its member ("vg/snapshot: ...") or from the set checks. */
  readonly refusals: readonly string[];
  readonly rehearsal: string | null;
  /** The member that failed and why. */
  readonly error?: { readonly member: string; readonly message: string };
  /** Present when a failed present was rolled back. */
  readonly rollback?: SetRollback;
  /** A failed present left the members it created in place (--keep-partial). */
  readonly keptPartial: boolean;
  readonly commands: Commands;
}

export const memberName = (t: Target): string => `${t.vg}/${t.snapshot}`;
const realSleep = (ms: number) => new Promise<void>((res) => setTimeout(res, ms));

export async function runSetApply(members: readonly Target[], opts: SetApplyOptions, deps: EngineDeps): Promise<SetApplyReport> {
  const host = new RecordingHost(deps.host, deps.log);
  const order = opts.state === 'present' ? [...members] : [...members].reverse();
  // Sorted: two runs over overlapping sets always take the shared locks in the same order.
  const locks = [...new Set(members.map((t) => lockPath(t, deps.lockDir)))].sort();
  const held: string[] = [];
  const base = { state: opts.state, check: opts.check, keptPartial: false, commands: host.commands };
  try {
    if (!opts.check) for (const l of locks) { await takeLock(host, l, opts.waitSeconds, deps.sleep ?? realSleep); held.push(l); }
    const planned: Planned[] = [];
    for (const t of order) planned.push(makePlan(opts.state, t, await observe(host, t)));
    const refusals = [
      ...planned.flatMap((p) => p.plan.refusals.map((r) => `${memberName(p.facts.target)}: ${r}`)),
      ...setPreflight(planned),
    ];
    const idle = (p: Planned): SetMemberReport => ({ target: p.facts.target, planned: p, outcome: 'not-run', changed: false, commands: [] });
    if (refusals.length > 0) return { ...base, changed: false, members: planned.map(idle), refusals, rehearsal: null };
    const willChange = planned.some((p) => mutatingChanges(p.plan).length > 0);
    if (opts.check) {
      let rehearsal: string | null = null;
      for (const p of planned) {
        if (rehearsal !== null || !deps.rehearse || mutatingChanges(p.plan).length === 0) continue;
        const r = await deps.rehearse(p.plan, p.facts.target, p.facts.snap);
        if (r !== null) rehearsal = `${memberName(p.facts.target)}: ${r}`;
      }
      return { ...base, changed: willChange, members: planned.map(idle), refusals: [], rehearsal };
    }
    const reports: SetMemberReport[] = [];
    let error: SetApplyReport['error'];
    for (const [i, first] of planned.entries()) {
      if (error) { reports.push(idle(first)); continue; }
      const r = await applyMember(host, first.facts.target, opts.state, i === 0 ? first : null, deps, true);
      reports.push(r);
      if (r.outcome === 'failed') error = { member: memberName(r.target), message: r.error! };
    }
    const changed = reports.some((r) => r.changed);
    if (!error || opts.state !== 'present') return { ...base, changed, members: reports, refusals: [], rehearsal: null, ...(error ? { error } : {}) };
    if (opts.keepPartial) return { ...base, changed, members: reports, refusals: [], rehearsal: null, error, keptPartial: true };
    return { ...base, changed, members: reports, refusals: [], rehearsal: null, error, rollback: await rollBack(host, reports, deps) };
  } finally {
    for (const l of held.reverse()) await host.unlock(l);
  }
}

/** One member, its lock already held: observe and plan now (earlier members changed the system), then apply. */
async function applyMember(host: RecordingHost, t: Target, state: DesiredState, planned: Planned | null, deps: EngineDeps, hooks: boolean): Promise<SetMemberReport> {
  const start = host.commands.length;
  const slice = () => host.commands.slice(start);
  const mutated = () => slice().some((c) => c.mutating);
  let p = planned;
  try {
    p ??= makePlan(state, t, await observe(host, t));
    if (p.plan.refusals.length > 0) {
      return { target: t, planned: p, outcome: 'failed', changed: false, commands: slice(), error: `refused once the members before it had run: ${p.plan.refusals.join('; ')}` };
    }
    const h = hooks ? { ...(deps.stopRequested ? { stopRequested: deps.stopRequested } : {}), ...(deps.onStep ? { onStep: deps.onStep } : {}) } : {};
    await applyPlan(p.plan, host, t, p.facts.snap.journal, h);
    return { target: t, planned: p, outcome: 'ran', changed: mutatingChanges(p.plan).length > 0, commands: slice() };
  } catch (err) {
    if (!(err instanceof LvmsnapError)) throw err;
    const fallback: Planned = p ?? { plan: { state, changes: [], refusals: [] }, views: [], facts: { target: t } as Planned['facts'] };
    return { target: t, planned: fallback, outcome: 'failed', changed: mutated(), commands: slice(), error: err.message };
  }
}

/** Takes every member this run changed back to absent, last first. Never stopped by a signal: it is the cleanup. */
async function rollBack(host: RecordingHost, reports: readonly SetMemberReport[], deps: EngineDeps): Promise<SetRollback> {
  const touched = reports.filter((r) => r.changed).reverse();
  const done: SetMemberReport[] = [];
  for (const r of touched) done.push(await applyMember(host, r.target, 'absent', null, deps, false));
  const errors = done.filter((d) => d.outcome === 'failed').map((d) => `${memberName(d.target)}: ${d.error!}`);
  return { members: touched.map((r) => memberName(r.target)), ok: errors.length === 0, errors, reports: done };
}

export interface SetStatusReport {
  readonly state: OverallState;
  readonly members: readonly { readonly target: Target; readonly report: StatusReport }[];
}

export function setOverallState(states: readonly OverallState[]): OverallState {
  if (states.every((s) => s === 'present')) return 'present';
  if (states.every((s) => s === 'absent')) return 'absent';
  return 'partial';
}

export async function runSetStatus(members: readonly Target[], deps: EngineDeps): Promise<SetStatusReport> {
  const out: { target: Target; report: StatusReport }[] = [];
  for (const t of members) out.push({ target: t, report: await runStatus(t, deps) });
  return { state: setOverallState(out.map((m) => m.report.state)), members: out };
}
