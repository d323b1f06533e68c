// Runs a plan's steps in order. The only module with side effects on the system (through the host port).
import { ApplyFailed, CommandFailed, LvmsnapError } from './errors.js';
import { journalPath } from './journal.js';
import { lvmShellLine } from './lvm-shell/protocol.js';
import type { CommandResult, HostPort, LvmShell, RunOptions } from './port.js';
import type { Journal, Plan, PlannedChange, Step, Target } from './types.js';
import { mutatingChanges } from './plan.js';

export interface ApplyHooks {
  /** Polled between steps; true once SIGINT/SIGTERM arrived. */
  readonly stopRequested?: () => boolean;
  readonly onStep?: (change: PlannedChange, step: Step) => void;
  /**
   * The caller's lvm shell (the one the observation's report came from): every LVM command of the plan
   * goes through it, and it stays open across the other commands (an idle lvm holds no device open and
   * rescans before each command). After the plan's last LVM command apply ends its input, so lvm exits
   * while the rest of the plan runs; the caller still awaits close().
   */
  readonly shell?: LvmShell | null;
}

type StepRunner<T extends Step['type']> = (step: Extract<Step, { type: T }>, ctx: ApplyCtx) => Promise<void>;
interface ApplyCtx {
  readonly host: HostPort;
  /** null for plans without a target (a backup's file steps): they hold exec steps only. */
  readonly target: Target | null;
  journal: Journal | null;
  /** The lvm shell of the current run of consecutive LVM commands; 'none' once the host had none. */
  shell: LvmShell | null | 'none';
  /** The shell is the caller's: kept open between LVM commands, closed here only after the last one. */
  shared: boolean;
  /** The caller's shell, ending (no LVM command left in the plan): awaited before apply returns. */
  ending: Promise<void> | null;
}

/**
 * Consecutive LVM commands (journal writes between them included) go through one lvm shell: one lvm
 * start instead of one per command. Any other command closes it first (unless it is the caller's), so
 * LVM commands never overlap a losetup or mount (lvm rescans devices before each command anyway). Still
 * one command at a time, each awaited with its own exit code: the journal is on disk before the next
 * command is even sent.
 */
async function runCommand(ctx: ApplyCtx, argv: readonly string[], opts: RunOptions): Promise<CommandResult> {
  if (lvmShellLine(argv) !== null && ctx.shell !== 'none') {
    ctx.shell ??= ctx.host.lvmShell?.() ?? 'none';
    if (ctx.shell !== 'none') return ctx.shell.run(argv, opts);
  } else await closeShell(ctx);
  return ctx.host.run(argv, opts);
}

async function closeShell(ctx: ApplyCtx): Promise<void> {
  if (ctx.shared || ctx.shell === null || ctx.shell === 'none') return;
  const shell = ctx.shell;
  ctx.shell = null;
  await shell.close();
}

function targetOf(ctx: ApplyCtx): Target {
  if (!ctx.target) throw new LvmsnapError('internal error: a journal step in a plan without a target');
  return ctx.target;
}

async function writeJournal(ctx: ApplyCtx, next: Journal): Promise<void> {
  const path = journalPath(targetOf(ctx));
  const empty = next.tmpFile === undefined && next.createdMountpoint === undefined && next.reactivateOrigin === undefined;
  if (empty) await ctx.host.removeFile(path);
  else await ctx.host.writeFile(path, `${JSON.stringify(next, null, 2)}\n`);
  ctx.journal = empty ? null : next;
}

const base = (t: Target): Journal => ({ version: 1, vg: t.vg, snapshot: t.snapshot, lv: t.lv });

// Exhaustive: adding a Step type without a runner is a type error.
const RUNNERS: { [T in Step['type']]: StepRunner<T> } = {
  async exec(step, ctx) {
    const r = await runCommand(ctx, step.argv, { mutating: true, progress: step.progress ?? false });
    if (r.exitCode !== 0) throw new CommandFailed(step.argv, r.exitCode, r.stderr);
  },
  async journal(step, ctx) {
    const next: Record<string, unknown> = { ...(ctx.journal ?? base(targetOf(ctx))), ...step.set };
    for (const k of step.clear ?? []) delete next[k];
    await writeJournal(ctx, next as unknown as Journal);
  },
  async writeFile(step, ctx) {
    await closeShell(ctx);
    await ctx.host.writeFile(step.path, step.content);
  },
  async recordFileIdentity(step, ctx) {
    const st = await ctx.host.lstat(step.path);
    if (!st) throw new LvmsnapError(`the tmp file ${step.path} vanished right after it was created`);
    await writeJournal(ctx, { ...(ctx.journal ?? base(targetOf(ctx))), tmpFile: { path: step.path, dev: st.dev, ino: st.ino } });
  },
};

function describeLeft(done: readonly PlannedChange[], failed: PlannedChange, rest: readonly PlannedChange[], state: Plan['state']): string {
  const names = (cs: readonly PlannedChange[]) => cs.map((c) => `${c.kind} ${c.action}`).join(', ') || 'none';
  return [
    `state left: completed: ${names(done)}; interrupted: ${failed.kind} ${failed.action} (${failed.id}); not started: ${names(rest)}.`,
    `Everything lvmsnap created is tagged or journaled: fix the cause and rerun "lvmsnap apply --state ${state}", or run "--state absent" to remove it.`,
  ].join('\n');
}

export async function applyPlan(plan: Plan, host: HostPort, target: Target | null, journal: Journal | null, hooks: ApplyHooks = {}): Promise<number> {
  const ctx: ApplyCtx = { host, target, journal, shell: hooks.shell ?? null, shared: (hooks.shell ?? null) !== null, ending: null };
  try {
    return await runChanges(plan, ctx, hooks);
  } finally {
    await closeShell(ctx);
    await ctx.ending;
  }
}

const isLvmStep = (s: Step): boolean => s.type === 'exec' && lvmShellLine(s.argv) !== null;

/** After the plan's last LVM command: the caller's shell gets end of input now, not after the whole plan. */
function endSharedShell(ctx: ApplyCtx): void {
  if (!ctx.shared || ctx.shell === null || ctx.shell === 'none') return;
  ctx.ending = ctx.shell.close();
  ctx.shell = null;
  ctx.shared = false;
}

async function runChanges(plan: Plan, ctx: ApplyCtx, hooks: ApplyHooks): Promise<number> {
  const changes = mutatingChanges(plan);
  const steps = changes.flatMap((c) => c.steps);
  const lastLvm = steps.map(isLvmStep).lastIndexOf(true);
  let stepsRun = 0;
  for (const [i, change] of changes.entries()) {
    for (const step of change.steps) {
      if (hooks.stopRequested?.()) {
        throw new ApplyFailed('stopped by signal before finishing', describeLeft(changes.slice(0, i), change, changes.slice(i + 1), plan.state));
      }
      hooks.onStep?.(change, step);
      try {
        await (RUNNERS[step.type] as StepRunner<Step['type']>)(step, ctx);
      } catch (err) {
        if (!(err instanceof LvmsnapError)) throw err;
        throw new ApplyFailed(err.message, describeLeft(changes.slice(0, i), change, changes.slice(i + 1), plan.state), { cause: err });
      }
      if (stepsRun++ === lastLvm) endSharedShell(ctx);
    }
  }
  return stepsRun;
}
