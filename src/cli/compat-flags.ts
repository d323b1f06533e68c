// Flags of the drop-in commands (src/compat/): lvm_snaphot.py's for snapshot-mount/-unmount and
// manage_backups.py's for generate-name/auto-clean/remove-unsuccessful, named and defaulted exactly as
// the originals did, and reading them into the compat mappers' inputs.
import type { CleanFlags, NameFlags } from '../compat/manage-backups.js';
import type { OriginalSnapshotArgs } from '../compat/lvm-snapshot.js';
import { UsageError } from '../errors.js';
import type { FlagGroup, ParsedArgs } from './spec.js';

export const LVM_SNAPSHOT_GROUPS: readonly FlagGroup[] = [
  {
    title: 'LVM snapshot (lvm_snaphot.py\'s flags)',
    flags: [
      { name: 'source-lvm-vg', type: 'string', value: 'VG', required: true, complete: 'vg', describe: 'volume group of the origin LV (lvmsnap: --vg)' },
      { name: 'source-lvm-lv', type: 'string', value: 'LV', required: true, complete: 'lv', describe: 'origin LV (lvmsnap: --lv)' },
      { name: 'lvm-snapshot-name', type: 'string', value: 'NAME', required: true, describe: 'snapshot LV name (lvmsnap: --snapshot)' },
      { name: 'lvm-volume-size-mb', type: 'number', value: 'MB', default: 4096, describe: 'copy-on-write space in MiB (lvmsnap: --size NM)' },
      { name: 'lvm-snapshot-tmp-file', type: 'string', value: 'PATH', complete: 'file', describe: 'borrow the COW space from this file via a loop PV; with --loop-device (lvmsnap: --tmp-file)' },
      { name: 'loop-device', type: 'string', value: 'DEV', complete: 'file', describe: 'loop device for the tmp file; with --lvm-snapshot-tmp-file' },
      { name: 'use-fallocate', type: 'boolean', describe: 'snapshot-mount: allocate the tmp file with fallocate instead of writing zeros (lvmsnap: --allocate fallocate; default zero)' },
    ],
  },
  {
    title: 'Mounting',
    flags: [
      { name: 'mountpoint', type: 'string', value: 'PATH', required: true, complete: 'dir', describe: 'mount the snapshot read-only here (created when missing)' },
      { name: 'remove-mountpoint', type: 'boolean', describe: 'snapshot-unmount: also remove the mountpoint directory (one lvmsnap created goes anyway)' },
      { name: 'verbose', alias: 'v', type: 'boolean', describe: 'log every command (argv, exit code, stderr, duration) to stderr as JSON lines' },
    ],
  },
];

export function originalSnapshotArgs(args: ParsedArgs): OriginalSnapshotArgs {
  const str = (k: string): string | undefined => (args[k] === undefined ? undefined : String(args[k]));
  return {
    'source-lvm-vg': String(args['source-lvm-vg']),
    'source-lvm-lv': String(args['source-lvm-lv']),
    'lvm-snapshot-name': String(args['lvm-snapshot-name']),
    mountpoint: String(args['mountpoint']),
    'lvm-volume-size-mb': Number(args['lvm-volume-size-mb']),
    ...(str('lvm-snapshot-tmp-file') !== undefined ? { 'lvm-snapshot-tmp-file': str('lvm-snapshot-tmp-file')! } : {}),
    ...(str('loop-device') !== undefined ? { 'loop-device': str('loop-device')! } : {}),
    'use-fallocate': args['use-fallocate'] === true,
    'remove-mountpoint': args['remove-mountpoint'] === true,
    verbose: args['verbose'] === true,
  };
}

export const BACKUP_NAME_GROUP: FlagGroup = {
  title: 'Backup files (manage_backups.py\'s flags)',
  flags: [
    { name: 'backup-dest-dir', type: 'string', value: 'DIR', required: true, complete: 'dir', describe: 'directory holding the backups' },
    { name: 'prefix', type: 'string', value: 'P', required: true, describe: 'backup file names start with P__' },
    { name: 'extension', type: 'string', value: 'EXT', required: true, describe: 'and end with EXT (a leading dot is added when missing: tar.gz = .tar.gz)' },
    { name: 'verbose', alias: 'v', type: 'boolean', describe: 'accepted for compatibility; prints nothing more' },
  ],
};

export const nameFlags = (args: ParsedArgs): NameFlags => ({
  dir: String(args['backup-dest-dir']), prefix: String(args['prefix']), extension: String(args['extension']),
});

export const AUTO_CLEAN_GROUP: FlagGroup = {
  title: 'Limits (each keeps the newest backup of each of its N most recent periods that hold one)',
  flags: [
    { name: 'daily-backups-max-count', type: 'number', value: 'N', default: 5, describe: 'days (lvmsnap: backups prune --keep-daily)' },
    { name: 'weekly-backups-max-count', type: 'number', value: 'N', default: 3, describe: 'ISO weeks (--keep-weekly)' },
    { name: 'monthly-backups-max-count', type: 'number', value: 'N', default: 6, describe: 'months (--keep-monthly)' },
    { name: 'yearly-backups-max-count', type: 'number', value: 'N', default: 0, describe: 'years (--keep-yearly)' },
    { name: 'dry-mode', type: 'boolean', describe: 'only show what would be removed (a value after it, as the original required, is accepted)' },
  ],
};

export function cleanFlags(args: ParsedArgs): CleanFlags {
  const n = (bucket: string): number => {
    const v = args[`${bucket}-backups-max-count`];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new UsageError(`--${bucket}-backups-max-count ${String(v)}: give a whole number >= 0`);
    return v;
  };
  return { ...nameFlags(args), keep: { daily: n('daily'), weekly: n('weekly'), monthly: n('monthly'), yearly: n('yearly') }, dry: args['dry-mode'] === true };
}
