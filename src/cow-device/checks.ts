// Pre-flight refusals for a --cow-device before anything changes: the device must be a spare whole
// block device (nothing mounted, no partitions, nothing stacked on it, no signature of any kind) unless
// it already is lvmsnap's own PV for this target, and large enough for the snapshot. Pure.
import { extentsOnFile, isOurPv, type Facts } from '../facts.js';
import type { ResourceView } from '../types.js';

export type Fmt = (bytes: number) => string;

/** Why the spare device cannot take a new PV (empty: it can). Only while no PV of ours is on it. */
export function cowDeviceChecks(f: Facts, pvView: ResourceView): string[] {
  const t = f.target;
  const dev = t.cowDevice!;
  const pv = f.cowPv;
  if (pv && isOurPv(t, pv)) {
    if (pv.name !== dev)
      return [`lvmsnap's PV for ${t.vg}/${t.snapshot} is on ${pv.name}, not on ${dev} (device names can change across a reboot): pass --cow-device ${pv.name}, or take the chain down with "lvmsnap apply --state absent"`];
    return [];
  }
  // Another PV on the device is refused by PvInVg itself (foreign); its signature says nothing more.
  if (pvView.status === 'foreign') return [];
  const d = f.snap.cowDevice;
  const spare = `${dev} must be a spare disk`;
  if (!d || d.type === null) return [`${dev} does not exist: check the name with "lsblk"`];
  if (d.type !== 'block') return [`${dev} is not a block device: pass a whole spare disk like /dev/sdb`];
  const out: string[] = [];
  const mounted = f.snap.mounts.filter((m) =>
    m.source === dev || (d.majMin !== null && m.majMin === d.majMin) ||
    d.partitions.some((p) => m.source === `/dev/${p.name}` || (p.majMin !== null && m.majMin === p.majMin)));
  for (const m of mounted) out.push(`${m.source} is mounted at ${m.target}: ${spare}; lvmsnap never takes a device in use`);
  if (d.partitions.length > 0)
    out.push(`${dev} has partitions (${d.partitions.map((p) => p.name).join(', ')}): ${spare} without a partition table; lvmsnap wipes nothing`);
  if (d.holders.length > 0)
    out.push(`${dev} is in use by ${d.holders.join(', ')} (device-mapper, RAID, ...): ${spare} that nothing uses`);
  const sigs = d.signatures.filter((s) => !(d.partitions.length > 0 && ['gpt', 'dos'].includes(s)));
  if (sigs.length > 0)
    out.push(`${dev} carries a signature lvmsnap did not write (${sigs.join(', ')}): lvmsnap will not overwrite it; if its data is not needed, wipe it yourself ("wipefs --all ${dev}") and run again`);
  if (d.sizeBytes === null) out.push(`cannot read the size of ${dev} from /sys/class/block: ${spare}`);
  return out;
}

/** Extents the spare device gives once it is a PV of the VG (a PV of ours already in it: its free extents). */
export function cowDeviceExtents(f: Facts, freed: (dev: string) => number, pvRecreated: boolean): number {
  const pv = f.cowPv;
  if (pv && pv.vg === f.target.vg && isOurPv(f.target, pv) && !pvRecreated) return pv.peCount - pv.peAllocCount + freed(pv.name);
  return extentsOnFile(f.snap.cowDevice?.sizeBytes ?? 0, f.vg!.extentSize);
}
