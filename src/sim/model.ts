// The simulated Linux host with LVM: an immutable model (immer) of VGs, PVs, LVs, loop devices, a small
// file tree, filesystems, mounts, state files and locks, plus `exec(system, argv)` answering exactly the
// argv shapes of src/commands.ts (anything else exits 127, so gaps are loud). This file is the public
// face; the pieces live in state.ts (types in basics.ts, LVM queries), fsview.ts (paths, mounts, df),
// report-*.ts (read-only tools), cmd-*.ts (mutating tools), exec.ts, build.ts, drift.ts, host.ts,
// from-snapshot.ts; edit.ts (draft-free produce) and memo.ts (caches keyed by frozen sub-objects) keep
// the hot paths fast. test/sim/golden.test.ts pins every output byte and resulting system.
//
// What the model does NOT model (each is a place where the real host can differ):
// - LVM: linear LVs, thick (old-style) snapshots, thin pools, thin LVs and thin snapshots (cmd-lv.ts); no RAID, mirrors, cache, pvmove,
//   merging snapshots, VG/LV renames, lvextend of anything but a snapshot's COW, lvresize/lvreduce,
//   pvresize shrinking a PV or of an orphan PV, activation commands other than lvchange --activate y, --restoremissing,
//   pvremove of a loop device or with --force, pvcreate without --uuid, clustered/shared VGs, lvm.conf filters, devices file, duplicate PVs, metadata
//   areas, VG seqno history (vg_seqno is a made-up count), or the hidden -real/-cow dm devices (so dm
//   minors differ from a real host: the sim takes the lowest free one). Allocation is "first free
//   extents on the PVs in VG order" (lvm's normal policy can pick differently). Orphan PVs carry no tags
//   (pvchange on one exits 127). A PV label whose PV was dropped from the VG (vgreduce --removemissing
//   while absent) reads as a plain orphan, not as lvm's "outdated PV". After an autoactivation failure
//   nothing retries. lvm's interactive prompts are answered "n" unless --yes.
// - Thin pools: one LV whose segments hold data + metadata + spare (no hidden _tdata/_tmeta/_pmspare LVs in
//   the report), usage stored rather than derived from writes (drift.fillPool changes it; a thin snapshot
//   adds 0.1 % metadata), no autoextend, no overprovisioning warnings, no thin_check at activation.
// - COW usage never grows by itself (drift.fillCow does it); mounting a dirty snapshot without
//   noload/norecovery adds 0.05 %. Snapshot data are not modelled, only the filesystem's type, UUID,
//   usage and whether its journal/log needs recovery.
// - sysfs: /sys/class/block/NAME of disks only (size, dev, partitions as SimDisk.parent, holders = dm-N of
//   active LVs on its PV); blkid's PTTYPE is SimDisk.pttype (no partition-table contents).
// - Kernel: loop devices /dev/loop0..N-1 only (no loop-control creating more), no partitions on loops,
//   no offsets/sizelimit/direct-io/read-only loops; loop capacity is fixed at attach until
//   losetup --set-capacity re-reads the file's size.
//   "Open" means held by an active LV's dm table or by a mount; nothing else opens devices. Device
//   nodes: /dev/loopN, disks, /dev/dm-N and /dev/mapper/NAME (block), /dev/VG/LV (symlink) and the
//   symlinks a test adds (SimSystem.links, build.addDevLink: /dev/disk/by-id/NAME); no other udev links,
//   and nothing moves those links when disks come and go. Directory sizes are always 4096 (tmpfs reports small entry-based sizes).
// - Files: no permissions, owners, symlinks (outside /dev), hard links, sparse files, mtime or file
//   contents (a loop-backed file carries only its PV label). One path maps to one inode: a file hidden
//   under a mount point at the same path as a file on the mounted filesystem is not representable.
//   Filesystem contents of LVs are not modelled beyond files created through the simulator.
// - Mounts: only LV sources can be mounted (others exit 127); overmounting an occupied target and
//   mounting an already mounted device are refused (Linux would allow both; lvmsnap must not do
//   them); no bind mounts, propagation, namespaces or remounts. Mount options are normalised roughly
//   like /proc/mounts. umount -l is only available as drift.unmount.
// - Space: tmpfs undoes a failed fallocate, other filesystems keep the partial allocation; dd writes
//   whole pages up to the free space; there are no reserved blocks, quotas or inode limits.
// - State files (HostPort.writeFile) live outside the file tree: they are not visible to stat/df and do
//   not use space; reboot drops those whose path lies on a tmpfs. Locks are per SimHost process id.
// - systemd: only `systemctl show` (Id/LoadState/ActiveState) and `systemctl start`, unit files and active
//   state (SimSystem.systemd); starting or stopping a unit runs nothing, dependencies (RequiresMountsFor)
//   and shutdown ordering are not modelled; a reboot leaves every unit inactive (a crash, no clean stop).
// - Time: commands take no time (CommandResult.ms is 0); progress output is not drawn.
import type { SimSystem } from './state.js';

export * from './state.js';
export { exec, SIMULATED_COMMANDS } from './exec.js';
export type { ExecOutput, ExecResult } from './ops.js';
export { fsInfo, lookup, mountAt, childrenOf, type FsInfo, type Node } from './fsview.js';
export {
  emptySystem, simpleSystem, addDirs, addDevLink, addDisk, addFile, addFilesystem, addLv, addThinLv, addThinPool, addVg, fsUuidFor,
  type EmptySystemOptions, type SimpleSystemOptions, type AddLvOptions,
} from './build.js';
export { cowMaxBytes } from './cmd-lv.js';
export { withSystemd } from './cmd-systemd.js';
export * as drift from './drift.js';

/** The system without its monotonic counters: for comparing states across create/destroy cycles. */
export function withoutCounters(s: SimSystem): Omit<SimSystem, 'counters'> {
  const { counters: _ignored, ...rest } = s;
  return rest;
}
