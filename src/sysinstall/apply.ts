// The installers' one applier: runs an InstallPlan's steps in order through the host port.
import { ApplyFailed, CommandFailed } from '../errors.js';
import type { HostPort } from '../port.js';
import { installFileArgv } from './commands.js';
import type { InstallPlan, InstallStep } from './types.js';

export const stepArgv = (s: InstallStep): readonly string[] => (s.type === 'install' ? installFileArgv(s.mode, s.source, s.dest) : s.argv);

function stateLeft(plan: InstallPlan, done: number): string {
  const name = (s: InstallStep) => (s.type === 'install' ? s.dest : s.argv.join(' '));
  const rest = plan.steps.slice(done + 1).map(name);
  // Commands are planned only when a file changed; once the files are in place a rerun plans none.
  const byHand = plan.steps.slice(done).filter((s) => s.type === 'exec').map((s) => s.argv.join(' '));
  return [
    `state left: done: ${plan.steps.slice(0, done).map(name).join(', ') || 'nothing'}; failed: ${name(plan.steps[done]!)}; not run: ${rest.join(', ') || 'nothing'}.`,
    `Fix the cause and run 'lvmsnap ${plan.what} install' again: it installs what is not in place yet.`,
    ...(byHand.length > 0 ? [`Files already in place are not installed again, so then also run by hand: ${byHand.join('; ')}`] : []),
  ].join('\n');
}

export interface InstallHooks {
  readonly stopRequested?: () => boolean;
}

export async function applyInstallPlan(plan: InstallPlan, host: HostPort, hooks: InstallHooks = {}): Promise<void> {
  for (const [i, step] of plan.steps.entries()) {
    if (hooks.stopRequested?.()) throw new ApplyFailed('stopped by signal before finishing', stateLeft(plan, i));
    const argv = stepArgv(step);
    const r = await host.run(argv, { mutating: true, progress: step.type === 'exec' && step.progress === true });
    if (r.exitCode !== 0) {
      const err = new CommandFailed(argv, r.exitCode, r.stderr);
      throw new ApplyFailed(err.message, stateLeft(plan, i), { cause: err });
    }
  }
}
