// `lvmsnap recover`: every lvmsnap chain on the host (or in one VG) taken to absent through the same
// observe -> plan -> apply path as `apply --state absent`, with Targets built by discovery. Works on live
// chains (before a reboot) and after one (missing loop PV: lvremove the snapshot, vgreduce
// --removemissing without --force, reactivate the origin).
//
// Order: chains sharing a VG can each have lost a PV. vgreduce --removemissing (never --force) only
// succeeds once no LV uses any missing PV, so recovery runs in two stages: first every chain's
// Mountpoint and Snapshot changes, then, re-observed, each chain's full absent plan. Every chain is
// locked and planned (and every refusal found) before the first change.
import { applyPlan } from '../apply.js';
import { ApplyFailed, LockHeld, UsageError } from '../errors.js';
import { lockPath, type EngineDeps } from '../engine.js';
import { observe } from '../observe.js';
import { makePlan, mutatingChanges, type Planned } from '../plan.js';
import type { HostPort } from '../port.js';
import { RecordingHost } from '../recording-host.js';
import type { Plan, PlannedChange, Target } from '../types.js';
import { discoverChains, type Chain, type DiscoveryScope } from './discover.js';
import { observeHost } from './observe-host.js';

export interface RecoverOptions {
  readonly vg?: string;
  /** Only the chains of these targets (a config's target or set members): their VGs' missing PVs count, no other VG's. */
  readonly members?: readonly Target[];
  readonly check: boolean;
  readonly stateDir: string;
}

export interface ChainReport {
  readonly chain: Chain;
  /** The chain's full absent plan as planned before anything changed. */
  readonly planned: Planned;
}

export interface RecoverReport {
  readonly check: boolean;
  readonly chains: readonly ChainReport[];
  /** Discovery and planner refusals; non-empty means nothing was changed. */
  readonly refusals: readonly string[];
  readonly changed: boolean;
  readonly commands: RecordingHost['commands'];
  readonly error?: ApplyFailed;
}

/** Resources whose removal must precede any vgreduce --removemissing in the VG. */
const FIRST_STAGE: ReadonlySet<PlannedChange['kind']> = new Set(['Mountpoint', 'Snapshot']);
const stageOne = (plan: Plan): Plan => ({ ...plan, changes: plan.changes.filter((c) => FIRST_STAGE.has(c.kind)) });

export async function runRecover(opts: RecoverOptions, deps: EngineDeps): Promise<RecoverReport> {
  const host = new RecordingHost(deps.host, deps.log);
  let view = await observeHost(host, opts.stateDir);
  if (opts.vg !== undefined && !view.vgs.some((v) => v.name === opts.vg))
    throw new UsageError(`volume group "${opts.vg}" not found: check the name with "vgs"`);
  const scope = scopeOf(opts);
  let found = discoverChains(view, scope);
  const locks: string[] = [];
  try {
    if (!opts.check) {
      // Lock every chain, then look again: a run that finished meanwhile may have changed what exists.
      for (;;) {
        const missing = found.chains.map((c) => lockPath(c.target, deps.lockDir)).filter((l) => !locks.includes(l));
        if (missing.length === 0) break;
        for (const l of missing) {
          const r = await host.lock(l);
          if (!r.acquired) throw new LockHeld(l, r.holder);
          locks.push(l);
        }
        view = await observeHost(host, opts.stateDir);
        found = discoverChains(view, scope);
      }
    }
    const chains: ChainReport[] = [];
    for (const chain of found.chains) chains.push({ chain, planned: makePlan('absent', chain.target, await observe(host, chain.target), siblingsOf(chain, found.chains)) });
    const refusals = [...found.refusals, ...chains.flatMap((c) => c.planned.plan.refusals.map((r) => `${c.chain.key}: ${r}`))];
    const willChange = chains.some((c) => mutatingChanges(c.planned.plan).length > 0);
    const base = { check: opts.check, chains, refusals, commands: host.commands };
    if (refusals.length > 0 || opts.check) return { ...base, changed: refusals.length === 0 && willChange };

    const hooks = { ...(deps.stopRequested ? { stopRequested: deps.stopRequested } : {}), ...(deps.onStep ? { onStep: deps.onStep } : {}) };
    try {
      for (const c of chains) await applyPlan(stageOne(c.planned.plan), host, c.chain.target, c.planned.facts.snap.journal, hooks);
      for (const c of chains) {
        // Re-observed: the first stage and other chains' vgreduce --removemissing changed the system.
        const snap = await observe(host, c.chain.target);
        const again = makePlan('absent', c.chain.target, snap, siblingsOf(c.chain, found.chains));
        if (again.plan.refusals.length > 0)
          throw new ApplyFailed(`${c.chain.key}: refused after the first stage: ${again.plan.refusals.join('; ')}`, 'state left: the snapshots are removed; the loop PVs, loop devices and tmp files are not. Run "lvmsnap recover" again after fixing the cause.');
        await applyPlan(again.plan, host, c.chain.target, snap.journal, hooks);
      }
    } catch (err) {
      if (!(err instanceof ApplyFailed)) throw err;
      return { ...base, changed: host.commands.some((x) => x.mutating), error: err };
    }
    return { ...base, changed: willChange };
  } finally {
    for (const l of locks) await host.unlock(l);
  }
}

/** --vg, the members' VGs and chains, or both (the members in --vg). */
function scopeOf(opts: RecoverOptions): DiscoveryScope {
  if (opts.members === undefined) return opts.vg === undefined ? {} : { vgs: new Set([opts.vg]) };
  const members = opts.members.filter((t) => opts.vg === undefined || t.vg === opts.vg);
  return { vgs: new Set(members.map((t) => t.vg)), keys: new Set(members.map((t) => `${t.vg}/${t.snapshot}`)) };
}

/** Other chains' PVs and snapshots in the same VG: recovery removes them too, in the right order. */
function siblingsOf(chain: Chain, all: readonly Chain[]) {
  const others = all.filter((c) => c !== chain && c.vg === chain.vg);
  return { siblingPvs: new Set(others.flatMap((c) => c.pvs.map((p) => p.uuid))), siblingSnapshots: new Set(others.map((c) => c.snapshot)) };
}
