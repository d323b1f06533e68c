// lvm_snaphot.py's command line onto lvmsnap's target (see argv.ts for what this folder owns). Pure:
// the flag values in, the lvmsnap target flags for `apply --state present|absent` out, or a UsageError
// for what the original refused too. The engine then does the work, with lvmsnap's ownership rules:
// where lvm_snaphot.py would `lvremove --force` an LV or `rm` a file that merely has the configured
// name, lvmsnap refuses and names it.
import { UsageError } from '../errors.js';
import type { DesiredState, ResourceKind } from '../types.js';

export type SnapshotAction = 'snapshot-mount' | 'snapshot-unmount';

/** The action's desired state: mount = present, unmount = absent. */
export const STATE_OF: Readonly<Record<SnapshotAction, DesiredState>> = { 'snapshot-mount': 'present', 'snapshot-unmount': 'absent' };

/**
 * What lvm_snaphot.py's unmount removed whatever it was: any LV with the snapshot's name (lvremove
 * --force), the loop device's PV in the VG (vgreduce, pvremove), any regular file at the tmp-file path.
 * snapshot-unmount refuses such an object when lvmsnap did not create it, rather than report success
 * while it is still there. (A loop device bound to another file, or something else mounted at the
 * mountpoint, the original left alone too; so does lvmsnap.)
 */
export const ORIGINAL_REMOVED: readonly ResourceKind[] = ['Snapshot', 'PvInVg', 'TmpFile'];

/** lvm_snaphot.py's flags, as parsed (kebab-case keys, as in lvmsnap's ParsedArgs). */
export interface OriginalSnapshotArgs {
  readonly 'source-lvm-vg': string;
  readonly 'source-lvm-lv': string;
  readonly 'lvm-snapshot-name': string;
  readonly mountpoint: string;
  readonly 'lvm-volume-size-mb': number;
  readonly 'lvm-snapshot-tmp-file'?: string;
  readonly 'loop-device'?: string;
  readonly 'use-fallocate'?: boolean;
  readonly 'remove-mountpoint'?: boolean;
  readonly verbose?: boolean;
}

/** The original's default snapshot size: 4096 MB. */
export const DEFAULT_SIZE_MB = 4096;

/** lvmsnap target flags (ParsedArgs keys of `apply`) for the original's flags and action. */
export function snapshotTargetArgs(a: OriginalSnapshotArgs, action: SnapshotAction): Record<string, string | boolean> {
  const mb = a['lvm-volume-size-mb'];
  if (!Number.isInteger(mb) || mb <= 0) throw new UsageError(`--lvm-volume-size-mb ${mb}: give a whole number of megabytes > 0`);
  const tmp = a['lvm-snapshot-tmp-file'];
  const loop = a['loop-device'];
  if ((tmp === undefined) !== (loop === undefined)) {
    throw new UsageError('--lvm-snapshot-tmp-file and --loop-device are used together (as with lvm_snaphot.py): give both or neither');
  }
  if (action === 'snapshot-mount' && a['remove-mountpoint']) {
    throw new UsageError('--remove-mountpoint applies to snapshot-unmount only (lvm_snaphot.py refuses it with snapshot-mount too)');
  }
  if (action === 'snapshot-unmount' && a['use-fallocate']) {
    throw new UsageError('--use-fallocate applies to snapshot-mount only (lvm_snaphot.py refuses it with snapshot-unmount too)');
  }
  const out: Record<string, string | boolean> = {
    vg: a['source-lvm-vg'],
    lv: a['source-lvm-lv'],
    snapshot: a['lvm-snapshot-name'],
    // The original's megabytes are lvcreate's "m": MiB.
    size: `${mb}M`,
    mountpoint: a.mountpoint,
    // Without --use-fallocate the original writes the file with dd: lvmsnap's "zero".
    allocate: a['use-fallocate'] ? 'fallocate' : 'zero',
    'remove-mountpoint': a['remove-mountpoint'] === true,
    verbose: a.verbose === true,
  };
  if (tmp !== undefined && loop !== undefined) {
    out['tmp-file'] = tmp;
    out['loop-device'] = loop;
  }
  return out;
}
