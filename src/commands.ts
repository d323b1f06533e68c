// Every argv lvmsnap runs, built in one place. The simulator (src/sim) answers exactly these shapes,
// so adding a command here means teaching the simulator too.

export const OWNER_TAG = 'lvmsnap';
/** Second PV tag naming the snapshot a loop PV serves, so a missing PV can be traced after a reboot. */
export const pvForTag = (snapshot: string): string => `lvmsnap_for_${snapshot}`;

// ---- read-only observation (mounts, loop bindings, stat and free space come from the kernel: HostPort) ----
/**
 * lvm2's default fullreport columns (report/*_cols_full) spelled out: the same report forked (checked in
 * the VM: identical) and inside the lvm shell, whose lvmdbusd profile has other defaults. The shell's
 * profile also prints lv_time as epoch seconds, which lvmsnap does not read.
 */
export const FULLREPORT_COLUMNS: readonly string[] = [
  '--configreport', 'vg', '-o', 'vg_all', '--configreport', 'pv', '-o', 'pv_all', '--configreport', 'lv', '-o', 'lv_all',
  '--configreport', 'pvseg', '-o', 'pvseg_all,pv_uuid,lv_uuid', '--configreport', 'seg', '-o', 'seg_all,lv_uuid',
];
export const fullreportArgv = (): string[] => ['lvm', 'fullreport', '--units', 'b', '--nosuffix', '--reportformat', 'json', ...FULLREPORT_COLUMNS];
/** Only when the kernel shows no unbound loop device (LOOP_CTL_GET_FREE then adds one). */
export const losetupFindArgv = (): string[] => ['losetup', '--find'];
/** State of systemd units (the shutdown guard); one KEY=VALUE block per unit. */
export const systemctlShowArgv = (units: readonly string[]): string[] => ['systemctl', 'show', '--property=Id,LoadState,ActiveState', '--', ...units];
export const blkidTypeArgv = (device: string): string[] => ['blkid', '--probe', '--output', 'value', '--match-tag', 'TYPE', '--', device];
/** Every signature on a spare --cow-device: filesystem/RAID/LVM (TYPE) and partition table (PTTYPE). */
export const blkidSignaturesArgv = (device: string): string[] =>
  ['blkid', '--probe', '--output', 'value', '--match-tag', 'TYPE', '--match-tag', 'PTTYPE', '--', device];

// ---- tools whose answers the kernel reads replaced: lvmsnap no longer runs them, but the real tier's
// state capture (test/real/lib.sh) and the differential check compare the simulator's answers to these ----
export const losetupListArgv = (): string[] => ['losetup', '--list', '--json'];
/** util-linux's default columns lack MAJ:MIN, which matches a mount to an LV reliably. */
export const findmntArgv = (): string[] => ['findmnt', '--json', '--output', 'TARGET,SOURCE,FSTYPE,OPTIONS,MAJ:MIN'];
/** One line per existing path: name, type, dev, ino, size, mount point. Missing paths go to stderr. */
export const STAT_FORMAT = '%n\t%F\t%d\t%i\t%s\t%m\n';
export const statArgv = (paths: readonly string[]): string[] => ['stat', '--printf', STAT_FORMAT, '--', ...paths];
export const dfArgv = (dir: string): string[] => ['df', '--block-size=1', '--output=source,fstype,avail,target', '--', dir];

// ---- mutating ----
export const fallocateArgv = (path: string, bytes: number): string[] => ['fallocate', '--length', String(bytes), '--', path];
const MIB = 1024 * 1024;
/** Writes zeros (never sparse); bytes must be a multiple of 1 MiB. */
export const zeroFillArgv = (path: string, bytes: number): string[] =>
  ['dd', 'if=/dev/zero', `of=${path}`, `bs=${MIB}`, `count=${Math.ceil(bytes / MIB)}`, 'conv=fsync,excl', 'status=progress'];
export const rmFileArgv = (path: string): string[] => ['rm', '--', path];
/** Removes a file that may already be gone (exit 0 then). */
export const rmForceArgv = (path: string): string[] => ['rm', '--force', '--', path];
export const losetupAttachArgv = (device: string, file: string): string[] => ['losetup', device, '--', file];
export const losetupDetachArgv = (device: string): string[] => ['losetup', '--detach', device];
/** The PV gets a UUID derived from the target, so lvmsnap recognises its PV in every crash window. */
export const pvcreateArgv = (device: string, uuid: string): string[] => ['pvcreate', '--yes', '--uuid', uuid, '--norestorefile', device];
export const vgextendArgv = (vg: string, device: string): string[] => ['vgextend', '--yes', vg, device];
export const pvTagArgv = (device: string, snapshot: string): string[] =>
  ['pvchange', '--addtag', OWNER_TAG, '--addtag', pvForTag(snapshot), device];
export const vgreduceArgv = (vg: string, device: string): string[] => ['vgreduce', '--yes', vg, device];
/** Wipes the PV label lvmsnap wrote on a --cow-device (an orphan PV by then), nothing else. */
export const pvremoveArgv = (device: string): string[] => ['pvremove', '--yes', device];
/** Never with --force: that removes partial LVs, the origin among them. */
export const vgreduceMissingArgv = (vg: string): string[] => ['vgreduce', '--yes', '--removemissing', vg];
/** A plain linear LV of exactly `bytes` (a multiple of the extent size) with `tags` (backup --format lv's copy target). */
export const lvcreateLinearArgv = (vg: string, name: string, bytes: number, tags: readonly string[]): string[] => [
  'lvcreate', '--yes', '--size', `${bytes}b`, '--name', name, ...tags.flatMap((t) => ['--addtag', t]), vg,
];
/** The identity stage of a block copy (backup --format lv, restore of a backup LV): 4 MiB reads and writes. */
export const blockCopyStage: readonly string[] = ['dd', 'bs=4M', 'status=none'];
export const lvcreateSnapshotArgv = (vg: string, lv: string, snapshot: string, bytes: number, pv?: string): string[] => [
  'lvcreate', '--yes', '--snapshot', '--size', `${bytes}b`, '--name', snapshot, '--addtag', OWNER_TAG, `${vg}/${lv}`,
  ...(pv ? [pv] : []),
];
/**
 * A thin snapshot of a thin origin: no size (it shares the origin's pool), and without the activation-skip
 * flag thin snapshots get by default, so lvcreate activates it and it comes up like any LV after a reboot.
 */
export const lvcreateThinSnapshotArgv = (vg: string, lv: string, snapshot: string): string[] => [
  'lvcreate', '--yes', '--snapshot', '--setactivationskip', 'n', '--name', snapshot, '--addtag', OWNER_TAG, `${vg}/${lv}`,
];
/** Brings the origin back after a reboot left it inactive (partial) because of a missing loop PV. */
export const lvActivateArgv = (vg: string, lv: string): string[] => ['lvchange', '--activate', 'y', `${vg}/${lv}`];
export const lvremoveArgv = (vg: string, lv: string): string[] => ['lvremove', '--yes', `${vg}/${lv}`];
/** Starts lvmsnap's shutdown guard, whose stop (at shutdown) runs `lvmsnap recover`. */
export const systemctlStartArgv = (unit: string): string[] => ['systemctl', 'start', '--', unit];
export const mkdirArgv = (path: string): string[] => ['mkdir', '--', path];
export const rmdirArgv = (path: string): string[] => ['rmdir', '--', path];
export const mountArgv = (fstype: string, options: string, source: string, target: string): string[] =>
  ['mount', '-t', fstype, '-o', options, '--', source, target];
export const umountArgv = (target: string): string[] => ['umount', '--', target];

// ---- growing a snapshot while a backup reads it (src/backup/grow.ts) ----
/** Appends zeros to an existing file, from byte `from` to `to` (both multiples of 1 MiB), in place (same inode). */
export const zeroGrowArgv = (path: string, from: number, to: number): string[] =>
  ['dd', 'if=/dev/zero', `of=${path}`, `bs=${MIB}`, `seek=${from / MIB}`, `count=${(to - from) / MIB}`, 'conv=fsync,notrunc', 'status=progress'];
/** The loop device re-reads its backing file's size (losetup -c). */
export const losetupCapacityArgv = (device: string): string[] => ['losetup', '--set-capacity', device];
/** The PV grows to its device's size. */
export const pvresizeArgv = (device: string): string[] => ['pvresize', '--yes', device];
/** A snapshot's COW grows to `bytes` (absolute, so a replanned step never grows twice), from the given PVs only. */
export const lvextendArgv = (vg: string, lv: string, bytes: number, pvs: readonly string[] = []): string[] =>
  ['lvextend', '--yes', '--size', `${bytes}b`, `${vg}/${lv}`, ...pvs];

// ---- backups (src/backup/; pipelines of archivers are in src/backup/formats.ts) ----
/** One line per entry of dir: name, type letter (f d l ...), size. */
export const FIND_FORMAT = '%f\\t%y\\t%s\\n';
export const listDirArgv = (dir: string): string[] => ['find', dir, '-mindepth', '1', '-maxdepth', '1', '-printf', FIND_FORMAT];
export const sha256Argv = (path: string): string[] => ['sha256sum', '-b', '--', path];
/** Makes a file's data durable (fdatasync) before it is renamed into place; the writer flushes as it goes. */
export const syncDataArgv = (path: string): string[] => ['sync', '--data', '--', path];
/** Rename within a directory (atomic); -T: never into an existing directory of that name. */
export const renameArgv = (from: string, to: string): string[] => ['mv', '-T', '--', from, to];
export const dfUsedArgv = (dir: string): string[] => ['df', '--block-size=1', '--output=used', '--', dir];
/** Is TOOL installed? Exit 127 (not found) means no. */
export const versionProbeArgv = (tool: string): string[] => [tool, '--version'];
