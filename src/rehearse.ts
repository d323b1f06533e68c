// --check rehearsal: replay the plan's steps on a simulated copy of the observed system, so a plan that
// would fail (no space, a name clash, a busy device) is reported before anything changes.
import { applyPlan } from './apply.js';
import { ApplyFailed } from './errors.js';
import type { Plan, SystemSnapshot, Target } from './types.js';

/** Returns null when every step succeeds on the model, else what the first failing step would say. */
export async function rehearse(plan: Plan, target: Target, snap: SystemSnapshot): Promise<string | null> {
  // The simulator is loaded only here: runs that rehearse nothing never load it.
  const { SimHost, systemFromSnapshot } = await import('./sim/lazy.js');
  const host = new SimHost(systemFromSnapshot(snap, { target }));
  try {
    await applyPlan(plan, host, target, snap.journal);
    return null;
  } catch (err) {
    if (err instanceof ApplyFailed) return (err.cause as Error | undefined)?.message ?? err.message;
    throw err;
  }
}
