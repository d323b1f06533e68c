// Pre-flight refusals for a --cow-device before anything changes: the device must be a spare whole
// block device (nothing mounted, no partitions, nothing stacked on it, no signature of any kind) unless
// it already is lvmsnap's own PV for this target, and large enough for the snapshot. A /dev/disk/by-*
// link stands for the device it points to (observe.ts followed it): messages show both names. Pure.
import { posix } from 'node:path';
import { extentsOnFile, isOurPv, type Facts } from '../facts.js';
import type { ResourceView } from '../types.js';

export type Fmt = (bytes: number) => string;

/** Why the spare device cannot take a new PV (empty: it can). Only while no PV of ours is on it. */
export function cowDeviceChecks(f: Facts, pvView: ResourceView): string[] {
  const t = f.target;
  const given = t.cowDevice!;
  // The kernel's name (a by-id link followed), and how messages show the device.
  const kdev = f.cowDevicePath ?? given;
  const dev = kdev === given ? given : `${given} (${kdev})`;
  const pv = f.cowPv;
  if (pv && isOurPv(t, pv)) {
    if (pv.name !== kdev)
      return [`lvmsnap's PV for ${t.vg}/${t.snapshot} is on ${pv.name}, not on ${dev} (device names can change across a reboot): pass --cow-device ${pv.name} or its stable /dev/disk/by-id/ name, or take the chain down with "lvmsnap apply --state absent"`];
    return [];
  }
  // Another PV on the device is refused by PvInVg itself (foreign); its signature says nothing more.
  if (pvView.status === 'foreign') return [];
  const d = f.snap.cowDevice;
  const spare = `${dev} must be a spare disk`;
  const link = d !== undefined && d.device !== d.path;
  if (!d || d.type === null) {
    return [link
      ? `${given} is a symlink to ${d.device}, which does not exist (a dangling link: the disk is gone or the link is stale): check the names with "ls -l ${posix.dirname(given)}" and "lsblk", and pass the spare disk's current /dev/disk/by-id/ name or /dev/sdX`
      : `${given} does not exist: check the name with "lsblk"`];
  }
  if (d.type !== 'block') {
    return [link
      ? `${given} is a symlink to ${d.device}, which is not a block device: pass a whole spare disk, by a /dev/disk/by-id/ name that points to one or as /dev/sdb`
      : `${given} is not a block device: pass a whole spare disk like /dev/sdb (or its /dev/disk/by-id/ name)`];
  }
  const out: string[] = [];
  const mounted = f.snap.mounts.filter((m) =>
    m.source === kdev || m.source === given || (d.majMin !== null && m.majMin === d.majMin) ||
    d.partitions.some((p) => m.source === `/dev/${p.name}` || (p.majMin !== null && m.majMin === p.majMin)));
  for (const m of mounted) out.push(`${m.source} is mounted at ${m.target}: ${spare}; lvmsnap never takes a device in use`);
  if (d.partitions.length > 0)
    out.push(`${dev} has partitions (${d.partitions.map((p) => p.name).join(', ')}): ${spare} without a partition table; lvmsnap wipes nothing`);
  if (d.holders.length > 0)
    out.push(`${dev} is in use by ${d.holders.join(', ')} (device-mapper, RAID, ...): ${spare} that nothing uses`);
  const sigs = d.signatures.filter((s) => !(d.partitions.length > 0 && ['gpt', 'dos'].includes(s)));
  if (sigs.length > 0)
    out.push(`${dev} carries a signature lvmsnap did not write (${sigs.join(', ')}): lvmsnap will not overwrite it; if its data is not needed, wipe it yourself ("wipefs --all ${kdev}") and run again`);
  if (d.sizeBytes === null) out.push(`cannot read the size of ${dev} from /sys/class/block: ${spare}`);
  return out;
}

/** Extents the spare device gives once it is a PV of the VG (a PV of ours already in it: its free extents). */
export function cowDeviceExtents(f: Facts, freed: (dev: string) => number, pvRecreated: boolean): number {
  const pv = f.cowPv;
  if (pv && pv.vg === f.target.vg && isOurPv(f.target, pv) && !pvRecreated) return pv.peCount - pv.peAllocCount + freed(pv.name);
  return extentsOnFile(f.snap.cowDevice?.sizeBytes ?? 0, f.vg!.extentSize);
}
