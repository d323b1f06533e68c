// lvmsnap apply: make the snapshot chain present (mounted read-only) or absent (all of it gone).
import { runApply, type EngineDeps } from '../engine.js';
import type { SetApplyOptions } from '../set/index.js';
import type { DesiredState, ResourceKind, Target } from '../types.js';
import { EXIT } from './exit.js';
import { applyJson, renderApplyHuman } from './render.js';
import type { CliIo, CommandSpec, FlagSpec, ParsedArgs } from './spec.js';
import { makeLog, OUTPUT_GROUP, selectionFrom, TARGET_GROUP } from './target-flags.js';

export const KEEP_PARTIAL: FlagSpec = { name: 'keep-partial', type: 'boolean', default: false, describe: 'snapshot sets: when a member fails, keep the members this run created (default: take them back to absent)' };

export const DETAILED_EXITCODE: FlagSpec = { name: 'detailed-exitcode', type: 'boolean', default: false, describe: 'exit 2 when changes were made (or planned, with --check)' };

/** apply and plan: lock, observe, plan, then rehearse (--check) or apply; prints the report; returns the exit code. */
export async function applyCommand(args: ParsedArgs, io: CliIo, state: DesiredState, check: boolean, diff: boolean, foreignRefused: readonly ResourceKind[] = []): Promise<number> {
  const selection = await selectionFrom(args, io.host);
  const log = await makeLog(args);
  const deps: EngineDeps = { host: io.host, ...(log ? { log } : {}), ...io.deps };
  const waitSeconds = Number(args['wait'] ?? 0);
  if (selection.kind === 'set') return setCommand(args, io, selection.members, { state, check, waitSeconds, keepPartial: args['keep-partial'] === true }, deps, diff);
  const target = selection.target;
  const report = await runApply(target, { state, check, waitSeconds, foreignRefused }, deps);
  io.stdout(args['json'] ? `${JSON.stringify(applyJson(report, target), null, 2)}\n` : renderApplyHuman(report, target, diff));
  // With --json, stdout is for scripts; a person watching still sees why nothing happened.
  if (args['json']) {
    for (const r of report.planned.plan.refusals) io.stderr(`lvmsnap: refused: ${r}\n`);
    if (report.error) io.stderr(`lvmsnap: ${report.error.message}\n`);
    if (report.rehearsal) io.stderr(`lvmsnap: the plan would fail: ${report.rehearsal}\n`);
  }
  if (report.planned.plan.refusals.length > 0 || report.rehearsal) return EXIT.refused;
  if (report.error) return EXIT.failed;
  return args['detailed-exitcode'] && report.changed ? EXIT.changed : EXIT.ok;
}

async function setCommand(args: ParsedArgs, io: CliIo, members: readonly Target[], opts: SetApplyOptions, deps: EngineDeps, diff: boolean): Promise<number> {
  const { runSetApply } = await import('../set/index.js');
  const { renderSetApplyHuman, setApplyJson } = await import('./render-set.js');
  const r = await runSetApply(members, opts, deps);
  io.stdout(args['json'] ? `${JSON.stringify(setApplyJson(r), null, 2)}\n` : renderSetApplyHuman(r, diff));
  if (args['json']) {
    for (const x of r.refusals) io.stderr(`lvmsnap: refused: ${x}\n`);
    if (r.error) io.stderr(`lvmsnap: member ${r.error.member} failed: ${r.error.message}\n`);
    if (r.rehearsal) io.stderr(`lvmsnap: the plan would fail: ${r.rehearsal}\n`);
  }
  if (r.refusals.length > 0 || r.rehearsal) return EXIT.refused;
  if (r.error) return EXIT.failed;
  return args['detailed-exitcode'] && r.changed ? EXIT.changed : EXIT.ok;
}

export const apply: CommandSpec = {
  name: 'apply',
  summary: 'make the snapshot present (mounted read-only) or absent (all of it gone)',
  usage: 'apply --state present|absent TARGET [options]',
  description:
    'Observes the system, plans the difference to the desired state, checks everything, and only then changes it. ' +
    'Running it again on a converged system changes nothing; after a crash or Ctrl-C it resumes in either direction. ' +
    'TARGET is --vg NAME --lv NAME (or --config FILE) plus the optional target flags. A config holding targets: [...] is a ' +
    'snapshot set: every member is checked before the first change, then snapshotted one after another; if one fails, ' +
    'the members this run created are removed again (unless --keep-partial).',
  groups: [
    {
      title: 'Apply',
      flags: [
        { name: 'state', type: 'string', choices: ['present', 'absent'], required: true, describe: 'desired state' },
        { name: 'check', type: 'boolean', default: false, describe: 'plan and rehearse only; change nothing' },
        { name: 'diff', type: 'boolean', default: false, describe: 'show every command each change runs' },
        DETAILED_EXITCODE,
        { name: 'wait', type: 'number', default: 0, value: 'SECONDS', describe: 'seconds to wait for another run on this snapshot to finish' },
        KEEP_PARTIAL,
      ],
    },
    TARGET_GROUP,
    OUTPUT_GROUP,
  ],
  examples: [
    ['apply --state present --vg vg0 --lv root --mountpoint /mnt/snap', 'snapshot vg0/root and mount it read-only'],
    ['apply --state present --vg vg0 --lv root --tmp-file /var/tmp/cow.img --size 2G', 'full VG: borrow 2G from a file'],
    ['apply --state present --vg vg0 --lv root --cow-device /dev/sdb --size 8G', 'full VG: borrow 8G from a spare empty disk (absent gives it back without a label)'],
    ['apply --state present --vg vg0 --lv home --mountpoint /mnt/snap', 'a thin origin: a thin snapshot in its pool (no size)'],
    ['apply --state present --vg vg0 --lv home --size 4G', 'a thin origin, classic COW snapshot outside the pool'],
    ['apply --state present --config /etc/lvmsnap/root.yaml --check', 'show and rehearse what would change, change nothing'],
    ['apply --state absent --vg vg0 --lv root --mountpoint /mnt/snap', 'unmount and remove everything lvmsnap made'],
    ['apply --state present --config /etc/lvmsnap/set.yaml', 'a snapshot set (targets: [...]): all members, or none'],
  ],
  run: (args, io) => applyCommand(args, io, args['state'] as DesiredState, args['check'] === true, args['diff'] === true),
};
