// Every lvmsnap command, in the order --help lists them: the one source for parsing, --help, the man
// page and the shell completions. Add a command = one file src/cli/<command>.ts + one line here.
import { apply } from './apply.js';
import { autoClean } from './auto-clean.js';
import { backup } from './backup.js';
import { backupsList, backupsPrune, backupsRestore, backupsVerify } from './backups.js';
import { checkReboot } from './check-reboot.js';
import { generateName } from './generate-name.js';
import { initramfsInstall } from './initramfs-install.js';
import { plan } from './plan.js';
import { recover } from './recover.js';
import { removeUnsuccessful } from './remove-unsuccessful.js';
import { snapshotMount } from './snapshot-mount.js';
import { snapshotUnmount } from './snapshot-unmount.js';
import type { CommandSpec, FlagSpec } from './spec.js';
import { status } from './status.js';
import { systemdInstall } from './systemd-install.js';

export const REGISTRY: readonly CommandSpec[] = [
  apply, plan, status, checkReboot, recover, systemdInstall, initramfsInstall, backup, backupsList, backupsPrune, backupsVerify, backupsRestore,
  // Drop-ins for the original tools' command lines (src/compat/).
  snapshotMount, snapshotUnmount, generateName, autoClean, removeUnsuccessful,
];

/** Flags every invocation understands, before or after the command. */
export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: 'help', alias: 'h', type: 'boolean', describe: 'show help (lvmsnap <command> --help: that command\'s flags and examples)' },
  { name: 'version', alias: 'V', type: 'boolean', describe: 'print the version' },
];

export const PROGRAM = {
  name: 'lvmsnap',
  summary: 'consistent, idempotent LVM snapshots for backups',
  usage: '<command> TARGET [options]',
  description: 'Consistent, idempotent LVM snapshots for backups: state what you want, lvmsnap makes it so.',
  notes: 'lvmsnap only ever removes what it created: LVs and PVs it tagged "lvmsnap", files it journaled.',
  examples: [
    ['apply --state present --vg vg0 --lv root --mountpoint /mnt/snap', 'snapshot vg0/root, mounted read-only at /mnt/snap'],
    ['apply --state absent --vg vg0 --lv root --mountpoint /mnt/snap', 'all of it gone again'],
    ['plan --config /etc/lvmsnap/root.yaml', 'what would change, rehearsed; nothing changed'],
    ['backup --vg vg0 --lv root --dest /backup --keep-daily 7 --keep-weekly 4', 'snapshot, archive (tar.zst), verify, remove the snapshot, rotate'],
  ] as const,
  /** For the man page (FILES, ENVIRONMENT, SEE ALSO). */
  files: [
    ['/var/lib/lvmsnap/VG/SNAPSHOT.json', 'the journal: what lvmsnap created for this snapshot (the tmp file with its device and inode, a mountpoint directory); removed when all of it is gone (--state-dir changes the directory)'],
    ['/run/lock/lvmsnap/VG-SNAPSHOT.lock', 'held while a run changes this snapshot; a second run exits 3 or waits (--wait)'],
    ['/usr/sbin/lvmsnap', 'with the package: a small launcher that, for an apply or a status, starts lvm\'s shell and asks it for the report before it runs the self-contained executable /usr/libexec/lvmsnap/lvmsnap (Node\'s start and lvm\'s then overlap); every other command it hands over unchanged'],
    ['/usr/libexec/lvmsnap/lvmsnap-sys.node', 'with the package: the executable\'s native add-on, which unmounts (umount2) and detaches a loop device (LOOP_CLR_FD) without starting umount or losetup; when a call fails, nothing has changed and the tool itself runs and reports why (--json marks the commands it made "inProcess": true)'],
    ['/etc/lvmsnap/*.yaml', 'target files for --config, by convention (YAML or JSON, field names in camelCase: vg, lv, size, mountpoint, tmpFile, ...); a file holding targets: [...] is a snapshot set (top-level fields are defaults for every member)'],
  ] as const,
  environment: [
    ['LVMSNAP_SIMULATOR', 'run against the built-in simulated LVM host kept in this JSON file instead of the real system (demos and tests; no root needed)'],
    ['LVMSNAP_PREFETCH', '0: an apply starts lvm\'s shell and asks it for the report only after reading its arguments and taking the lock (status forks its report), and the package\'s launcher starts nothing (to measure what starting it early saves)'],
    ['LVMSNAP_BACKUP_WATCH_MS', 'how often backup polls the snapshot usage while archiving, in milliseconds (100 to 3600000, default 5000); a shorter interval lets --grow-snapshot keep up with a small snapshot of a busy origin'],
  ] as const,
  seeAlso: ['lvm(8)', 'lvcreate(8)', 'lvmsnapshot(7)', 'losetup(8)', 'mount(8)'] as const,
} as const;
