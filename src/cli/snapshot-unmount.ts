// lvmsnap snapshot-unmount: lvm_snaphot.py's snapshot-unmount, unchanged command line, run as
// `apply --state absent` (src/compat/lvm-snapshot.ts maps the flags).
import { LVM_SNAPSHOT_GROUPS } from './compat-flags.js';
import { runSnapshotAction } from './snapshot-mount.js';
import type { CommandSpec } from './spec.js';

export const snapshotUnmount: CommandSpec = {
  name: 'snapshot-unmount',
  dropIn: 'lvm_snaphot.py',
  summary: 'drop-in for lvm_snaphot.py snapshot-unmount (same flags): apply --state absent',
  usage: 'snapshot-unmount --source-lvm-vg VG --source-lvm-lv LV --lvm-snapshot-name NAME --mountpoint PATH [options]',
  description:
    'The original lvm_snaphot.py command line, unchanged. It runs `lvmsnap apply --state absent` with the same target: unmounts, ' +
    'removes the snapshot and, given the tmp-file flags, the loop PV, the loop device and the file. Unlike the original it removes ' +
    'only what lvmsnap created: an LV, PV or file at those names that lvmsnap did not create (which the original removed) is ' +
    'refused (exit 3, nothing changed) and named; something else mounted at the mountpoint is left alone, as before. A mountpoint ' +
    'directory lvmsnap created is removed; one it did not create only with --remove-mountpoint.',
  groups: LVM_SNAPSHOT_GROUPS,
  examples: [
    ['snapshot-unmount --source-lvm-vg vg0 --source-lvm-lv system --lvm-snapshot-name snap1 --mountpoint /media/system_snapshot --remove-mountpoint', 'unmount and remove it all'],
  ],
  run: (args, io) => runSnapshotAction('snapshot-unmount', args, io),
};
