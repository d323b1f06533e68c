// lvmsnap check reboot: is it safe to reboot now? System-wide (no target), read-only, takes no lock.
import { posix } from 'node:path';
import { LvmsnapError, UsageError } from '../errors.js';
import { EXIT } from './exit.js';
import type { CommandSpec, FlagSpec, ParsedArgs } from './spec.js';
import { makeLog, OUTPUT_GROUP } from './target-flags.js';

export const STATE_DIR_FLAG: FlagSpec = {
  name: 'state-dir', type: 'string', value: 'DIR', complete: 'dir', default: '/var/lib/lvmsnap', describe: 'where lvmsnap records what it created (its journals)',
};

/**
 * An error thrown by the reboot bundle (src/reboot is a separate on-demand bundle with its own copies of
 * the error classes, so instanceof does not work across it): its exit code by class name, and its message.
 */
export function fromRebootBundle(err: unknown): { exit: number; message: string } {
  const e = err as Error | undefined;
  if (e instanceof Error && (e.name === 'UsageError' || e.name === 'LockHeld')) return { exit: EXIT.refused, message: e.message };
  if (e instanceof Error && e.name !== 'Error' && e.name !== 'TypeError' && e.name !== 'RangeError') return { exit: EXIT.failed, message: e.message };
  return { exit: EXIT.failed, message: `unexpected error: ${String(e?.stack ?? err)}` };
}

/** --state-dir as an absolute, normalized directory. */
export function stateDirOf(args: ParsedArgs): string {
  const dir = String(args['state-dir']);
  if (!dir.startsWith('/') || (dir !== '/' && posix.normalize(dir) !== dir) || (dir.length > 1 && dir.endsWith('/')))
    throw new UsageError(`--state-dir "${dir}" must be an absolute, normalized path (like /var/lib/lvmsnap)`);
  return dir;
}

export const checkReboot: CommandSpec = {
  name: 'check reboot',
  summary: 'whether a reboot is safe now: every hazard, with the command that removes it',
  usage: 'check reboot [--json] [--state-dir DIR]',
  description:
    'Looks at the whole host (no target) and lists every reboot hazard with a severity (block or warn) and the exact ' +
    'command that removes it: a PV on a loop device in any VG (lvmsnap\'s, naming its snapshot, or "not lvmsnap\'s"); ' +
    'an lvmsnap chain whose shutdown guard is not active (only when systemd runs); a VG already missing a PV; ' +
    'lvmsnap snapshots (blocking when their copy-on-write space is on a loop PV; a spare disk of --cow-device survives a reboot and only warns); a snapshot more than 80 % full. ' +
    '--json prints { "safe": bool, "hazards": [ { "severity", "kind", "vg", "object", "owner", "fix" } ] }.',
  groups: [{ title: 'Check', flags: [STATE_DIR_FLAG] }, OUTPUT_GROUP],
  examples: [
    ['check reboot', 'exit 0: safe (warnings printed), 1: something blocks a reboot, 3: could not check'],
    ['check reboot --json', 'for a reboot wrapper, a package hook or a molly-guard run.d script'],
    ['check reboot && systemctl reboot', 'reboot only when nothing blocks it'],
  ],
  exitCodes: [
    [0, 'nothing blocks a reboot (warnings are printed)'],
    [1, 'something blocks a reboot'],
    [3, 'could not check (bad input, a failed command): never reported as safe'],
  ],
  run: async (args, io) => {
    const log = await makeLog(args);
    try {
      const stateDir = stateDirOf(args);
      const { runCheckReboot } = await import('../reboot/index.js');
      const { checkRebootJson, renderCheckRebootHuman } = await import('./render-reboot.js');
      const r = await runCheckReboot({ stateDir }, { host: io.host, ...(log ? { log } : {}) });
      io.stdout(args['json'] ? `${JSON.stringify(checkRebootJson(r), null, 2)}\n` : renderCheckRebootHuman(r));
      return r.safe ? EXIT.ok : EXIT.failed;
    } catch (err) {
      const message = err instanceof LvmsnapError ? err.message : fromRebootBundle(err).message;
      io.stderr(`lvmsnap: could not check: ${message}\n`);
      if (args['json']) io.stdout(`${JSON.stringify({ safe: false, hazards: [], error: message }, null, 2)}\n`);
      return EXIT.refused;
    }
  },
};
