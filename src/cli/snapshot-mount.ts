// lvmsnap snapshot-mount: lvm_snaphot.py's snapshot-mount, unchanged command line, run as
// `apply --state present` (src/compat/lvm-snapshot.ts maps the flags).
import { ORIGINAL_REMOVED, snapshotTargetArgs, STATE_OF, type SnapshotAction } from '../compat/lvm-snapshot.js';
import { applyCommand } from './apply.js';
import { LVM_SNAPSHOT_GROUPS, originalSnapshotArgs } from './compat-flags.js';
import type { CliIo, CommandSpec, ParsedArgs } from './spec.js';

/** Both drop-in snapshot commands: map the original's flags, then the same path as `apply`. */
export function runSnapshotAction(action: SnapshotAction, args: ParsedArgs, io: CliIo): Promise<number> {
  const target = snapshotTargetArgs(originalSnapshotArgs(args), action);
  // The original removed whatever had the configured names: where lvmsnap will not, it says so (exit 3).
  return applyCommand({ ...target, _: [] }, io, STATE_OF[action], false, false, ORIGINAL_REMOVED);
}

export const snapshotMount: CommandSpec = {
  name: 'snapshot-mount',
  dropIn: 'lvm_snaphot.py',
  summary: 'drop-in for lvm_snaphot.py snapshot-mount (same flags): apply --state present',
  usage: 'snapshot-mount --source-lvm-vg VG --source-lvm-lv LV --lvm-snapshot-name NAME --mountpoint PATH [options]',
  description:
    'The original lvm_snaphot.py command line, unchanged (the action may also come last, as the original took it). It runs ' +
    '`lvmsnap apply --state present` with --vg, --lv, --snapshot, --size <MB>M, --mountpoint, and --tmp-file/--loop-device/--allocate ' +
    'from the tmp-file flags, so it converges like apply: a run after a crash resumes, a second run changes nothing, and an object ' +
    'lvmsnap did not create (an LV with the snapshot\'s name, a file at the tmp-file path) is refused with exit 3 instead of used.',
  groups: LVM_SNAPSHOT_GROUPS,
  examples: [
    ['snapshot-mount --source-lvm-vg vg0 --source-lvm-lv system --lvm-snapshot-name snap1 --mountpoint /media/system_snapshot', 'COW space from the VG\'s free space'],
    ['snapshot-mount --source-lvm-vg vg0 --source-lvm-lv system --lvm-snapshot-name snap1 --mountpoint /media/system_snapshot --lvm-snapshot-tmp-file /media/other/tmp_space.tmp --loop-device /dev/loop5', 'full VG: COW space from a 4 GiB file on /dev/loop5'],
  ],
  run: (args, io) => runSnapshotAction('snapshot-mount', args, io),
};
