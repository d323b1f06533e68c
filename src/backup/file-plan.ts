// A backup's changes to its destination directory as plans (data) run by the applier, like the chain's:
// the removal of leftovers of interrupted runs, the commit (.sha256 and manifest written, the archive's
// data synced, `<name>.partial` renamed to its name), and the removal of pruned archives with their
// .sha256 and .json. So `--check` shows the exact steps, and the simulator answers them.
import { applyPlan } from '../apply.js';
import { renameArgv, rmFileArgv, rmForceArgv, syncDataArgv } from '../commands.js';
import { ApplyFailed, BackupFailed } from '../errors.js';
import type { HostPort } from '../port.js';
import type { Plan, PlannedChange, Step } from '../types.js';

const plan = (changes: PlannedChange[]): Plan => ({ state: 'present', changes, refusals: [] });

/**
 * The commit point of a backup: only after the rename does a complete-looking name exist. The data are
 * made durable first, so a power loss never leaves the final name on a file whose blocks were not written.
 */
export const commitPlan = (partial: string, final: string, companions: readonly { path: string; content: string }[]): Plan => plan([{
  kind: 'Archive', id: final, action: 'create', before: 'partial', after: 'present', reason: 'complete, checksummed and tested',
  steps: [
    ...companions.map((f): Step => ({ type: 'writeFile', path: f.path, content: f.content })),
    { type: 'exec', argv: syncDataArgv(partial) }, { type: 'exec', argv: renameArgv(partial, final) },
  ],
}]);

/** Leftovers of interrupted runs (.partial files, companions without their archive); -f: one already gone is fine. */
export const leftoverPlan = (dir: string, names: readonly string[]): Plan => plan(names.map((name) => ({
  kind: 'Archive', id: `${dir}/${name}`, action: 'destroy', before: 'present', after: 'absent', reason: 'left by an interrupted backup',
  steps: [{ type: 'exec', argv: rmForceArgv(`${dir}/${name}`) }],
})));

/** Removes each archive (first: a crash in between leaves companions, which the next backup cleans up)
 *  and those of its companions the listing shows. */
export const removalPlan = (dir: string, archives: readonly string[], present: ReadonlySet<string>): Plan => plan(archives.map((name) => ({
  kind: 'Archive', id: `${dir}/${name}`, action: 'destroy', before: 'present', after: 'absent', reason: 'not kept by any rule',
  steps: [name, `${name}.sha256`, `${name}.json`].filter((f) => f === name || present.has(f)).map((f) => ({ type: 'exec', argv: rmFileArgv(`${dir}/${f}`) })),
})));

/** The argv of every exec step, in order (for --check and --json; file writes are listed by name). */
export const planCommands = (p: Plan): string[][] => p.changes.flatMap((c) => c.steps.flatMap((s) => (s.type === 'exec' ? [[...s.argv]] : [])));

/** Runs a file plan through the applier; a failed step becomes a BackupFailed saying what is left. */
export async function runFilePlan(host: HostPort, p: Plan, what: string): Promise<void> {
  try {
    await applyPlan(p, host, null, null);
  } catch (err) {
    if (!(err instanceof ApplyFailed)) throw err;
    throw new BackupFailed(`${what}: ${err.message.split('\n')[0]}`, `state left: ${err.stateLeft.split('\n')[0]!.replace(/^state left: /, '')}`, { cause: err });
  }
}
