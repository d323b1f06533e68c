// Pre-flight checks over the observation and the planned changes. All run before the first mutation;
// each returns a message that says what is wrong and what to do next.
import { posix } from 'node:path';
import { mountOptions } from '../resources/mountpoint.js';
import { missingOurPv } from '../resources/pv-in-vg.js';
import { cowDeviceChecks, cowDeviceExtents } from './cow-device/checks.js';
import { DEFAULT_THIN_POOL_THRESHOLD, extentsOnFile, isMountOf, mountAt, type Facts } from './facts.js';
import type { PlanContext } from './plan.js';
import type { DesiredState, PlannedChange, ResourceKind, ResourceView } from './types.js';

const fmt = (bytes: number): string => {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
};

export function preflight(state: DesiredState, f: Facts, views: readonly ResourceView[], changes: readonly PlannedChange[], ctx: PlanContext = {}): string[] {
  const t = f.target;
  const out: string[] = [];
  const will = (kind: ResourceKind, action: 'create' | 'destroy') => changes.some((c) => c.kind === kind && c.action === action);

  if (f.snap.uid !== 0) out.push('lvmsnap must run as root (LVM, losetup and mount need it): run it with sudo');
  if (!f.vg) {
    out.push(`volume group "${t.vg}" not found: check the name with "vgs"`);
    return out;
  }
  const rec = f.snap.journal?.tmpFile;
  if (rec && rec.path !== t.tmpFile)
    out.push(`lvmsnap's journal records a tmp file at ${rec.path}, but this run names ${t.tmpFile ?? 'none'}: run "lvmsnap apply --state absent" with --tmp-file ${rec.path} first`);
  const mnt = f.snap.journal?.createdMountpoint;
  if (mnt && mnt !== t.mountpoint)
    out.push(`lvmsnap's journal records a mountpoint it created at ${mnt}, but this run names ${t.mountpoint ?? 'none'}: pass --mountpoint ${mnt}`);

  const pending = f.snap.journal?.reactivateOrigin;
  if (pending && pending !== t.lv)
    out.push(`lvmsnap's journal records that ${t.vg}/${pending} is to be reactivated, but this run names --lv ${t.lv}: run "lvmsnap apply --state absent" with --lv ${pending} first`);
  if (state === 'present' && views[2]?.status === 'degraded' && !missingOurPv(f))
    out.push(`an interrupted recovery after a reboot is unfinished (${views[2]!.reason}): run "lvmsnap apply --state absent" with this target first; it finishes it`);
  else if (state === 'present' && views[2]?.status === 'degraded' && t.cowDevice !== undefined)
    out.push(`lvmsnap's PV on the spare device of ${t.vg} is missing (was ${t.cowDevice} removed?): run "lvmsnap apply --state absent" with this target first; it removes the snapshot and the missing PV without --force and reactivates ${t.vg}/${t.lv}`);
  else if (state === 'present' && views[2]?.status === 'degraded')
    out.push(`lvmsnap's loop PV of ${t.vg} is missing (was the host rebooted?): run "lvmsnap apply --state absent" with this target first; it removes the snapshot and the missing PV without --force and reactivates ${t.vg}/${t.lv}`);
  if (state === 'present') {
    if (!f.origin) out.push(`logical volume "${t.vg}/${t.lv}" not found: check the name with "lvs ${t.vg}"`);
    else if (f.origin.isSnapshot) out.push(`"${t.vg}/${t.lv}" is itself a snapshot; lvmsnap snapshots origin volumes only`);
  }

  if (will('Snapshot', 'create') && f.snapshotKind === 'thin') out.push(...thinPoolChecks(f));
  else if (will('Snapshot', 'create') && f.snapshotBytes !== null) {
    const need = f.snapshotBytes;
    // A rebuild (invalid snapshot) removes the old snapshot first: its extents are free again by then.
    const old = will('Snapshot', 'destroy') && f.snapshotLv ? f.snapshotLv : undefined;
    const freedOn = (dev: string | null): number =>
      old && (dev === null || old.devices.every((d) => d === dev)) ? Math.ceil(old.sizeBytes / f.vg!.extentSize) : 0;
    if (t.cowDevice !== undefined) {
      const extents = cowDeviceExtents(f, freedOn, views[2]?.status === 'absent' || will('PvInVg', 'destroy'));
      if (extents * f.vg.extentSize < need)
        out.push(`snapshot needs ${fmt(need)} but ${t.cowDevice} provides ${fmt(extents * f.vg.extentSize)}: use a smaller --size or a larger spare device`);
    } else if (t.tmpFile === undefined) {
      const free = (f.vg.freeExtents + freedOn(null)) * f.vg.extentSize;
      if (free < need)
        out.push(`snapshot needs ${fmt(need)} but volume group ${t.vg} has ${fmt(free)} free: use a smaller --size, or --tmp-file PATH to borrow the space from a file`);
    } else {
      // An orphan PV reports no extents yet, and a PV this plan re-creates starts empty: count what the
      // file will give once it is in the VG.
      const pv = f.loopPv && f.loopPv.vg === t.vg && views[2]?.status !== 'absent' && !will('PvInVg', 'destroy') ? f.loopPv : undefined;
      const extents = pv ? pv.peCount - pv.peAllocCount + freedOn(pv.name) : extentsOnFile(f.tmpFileBytes ?? 0, f.vg.extentSize);
      if (extents * f.vg.extentSize < need)
        out.push(`snapshot needs ${fmt(need)} but the tmp file provides ${fmt(extents * f.vg.extentSize)}: raise --tmp-file-size or leave it at its default`);
    }
  }

  if (t.tmpFile !== undefined) out.push(...tmpFileChecks(f, will('TmpFile', 'create')));
  if (state === 'present' && t.cowDevice !== undefined && views[2]?.status !== 'degraded') out.push(...cowDeviceChecks(f, views[2]!));
  const g = f.snap.guard;
  if (state === 'present' && t.tmpFile !== undefined && g?.running && g.load !== 'loaded')
    out.push(`systemd runs but lvmsnap's shutdown guard ${g.unit} cannot be loaded (${g.load}): run "lvmsnap systemd install" first, so that a normal shutdown removes the loop PV (a loop PV must never survive a reboot)`);
  if (will('LoopDevice', 'create') && f.loopName === null) out.push('no free loop device (losetup --find found none): free one or pass --loop-device');
  if (will('Mountpoint', 'create')) out.push(...mountChecks(f));
  if (will('Snapshot', 'destroy') && f.snapshotLv) {
    const elsewhere = f.snap.mounts.filter((m) => isMountOf(m, f.snapshotLv!) && m.target !== t.mountpoint);
    for (const m of elsewhere) out.push(`${t.vg}/${t.snapshot} is also mounted at ${m.target}, which lvmsnap did not do: unmount it first`);
  }
  if (will('PvInVg', 'destroy')) out.push(...pvRemovalChecks(f, views[2]!, ctx));
  return out;
}

/** A thin snapshot takes its space from the origin's pool: refuse while the pool is (nearly) full. */
function thinPoolChecks(f: Facts): string[] {
  const t = f.target;
  const pool = f.pool;
  const poolName = `${t.vg}/${f.origin?.thin?.pool ?? '?'}`;
  const limit = t.thinPoolThreshold ?? DEFAULT_THIN_POOL_THRESHOLD;
  const classic = 'or pass --size (or --tmp-file) for a classic COW snapshot outside the pool';
  if (!pool) return [`thin pool ${poolName} of ${t.vg}/${t.lv} not found in the LVM report: check it with "lvs -a ${t.vg}"`];
  const data = pool.thin?.dataPercent ?? null;
  const meta = pool.thin?.metadataPercent ?? null;
  if (data === null || meta === null)
    return [`cannot read the usage of thin pool ${poolName} (is it active?): activate it ("lvchange --activate y ${poolName}"), ${classic}`];
  const over = [data > limit ? `data ${data}%` : '', meta > limit ? `metadata ${meta}%` : ''].filter(Boolean);
  if (over.length === 0) return [];
  return [`thin pool ${poolName} is above the ${limit}% threshold (${over.join(', ')} used): a thin snapshot would fill it further; extend the pool ("lvextend --size +1G ${poolName}"${meta > limit ? `, "lvextend --poolmetadatasize +64M ${poolName}"` : ''}), raise --thin-pool-threshold, ${classic}`];
}

function tmpFileChecks(f: Facts, creating: boolean): string[] {
  const t = f.target;
  const out: string[] = [];
  const dir = posix.dirname(t.tmpFile!);
  const dirStat = f.snap.paths[dir];
  if (!dirStat || dirStat.type !== 'directory') return [`the tmp file's directory ${dir} does not exist: create it or choose another --tmp-file`];
  const holder = mountAt(f.snap, dirStat.mountPoint);
  const onVg = holder && f.snap.lvs.find((lv) => lv.vg === t.vg && isMountOf(holder, lv));
  if (onVg)
    out.push(`the tmp file ${t.tmpFile} would live on ${onVg.vg}/${onVg.name} (mounted at ${holder!.target}), inside the volume group it extends; that deadlocks the system: put it on a filesystem outside ${t.vg}`);
  if (creating && f.snap.tmpFs && f.tmpFileBytes !== null) {
    const existing = f.snap.paths[t.tmpFile!]?.size ?? 0;
    if (f.snap.tmpFs.availBytes + existing < f.tmpFileBytes)
      out.push(`the tmp file needs ${fmt(f.tmpFileBytes)} but ${f.snap.tmpFs.target} has ${fmt(f.snap.tmpFs.availBytes)} free: free space there or choose another --tmp-file`);
  }
  return out;
}

function mountChecks(f: Facts): string[] {
  const t = f.target;
  const parent = posix.dirname(t.mountpoint!);
  const out: string[] = [];
  if (!f.snap.paths[t.mountpoint!] && f.snap.paths[parent]?.type !== 'directory')
    out.push(`the mountpoint's parent directory ${parent} does not exist: create it first`);
  const fstype = f.snap.originFstype;
  if (fstype === null) out.push(`cannot tell the filesystem type of ${t.vg}/${t.lv} (blkid found none): is there a filesystem on it?`);
  else if (mountOptions(t, fstype) === null)
    out.push(`lvmsnap knows no safe read-only mount options for ${fstype} (it knows ext2/3/4 and xfs): pass --mount-options to mount it anyway`);
  return out;
}

function pvRemovalChecks(f: Facts, v: ResourceView, ctx: PlanContext): string[] {
  const t = f.target;
  const lvs = f.snap.lvs.filter((lv) => lv.vg === t.vg && lv.name !== t.snapshot);
  if (v.status === 'degraded') {
    const pv = missingOurPv(f);
    // Only the origin's reactivation is left (an interrupted recovery): no vgreduce will run.
    if (!pv) return [];
    const out: string[] = [];
    // recover removes other chains' missing PVs in the same run: they are not "other" PVs here.
    const others = f.snap.pvs.filter((p) => p.vg === t.vg && p.missing && p.uuid !== pv.uuid && !ctx.siblingPvs?.has(p.uuid));
    if (others.length > 0)
      out.push(`volume group ${t.vg} is missing ${others.length + 1} PVs, not only lvmsnap's ${pv.uuid}: lvmsnap will not run vgreduce --removemissing; restore the other PVs first`);
    const users = lvs.filter((lv) => lv.devices.includes('[unknown]') && !ctx.siblingSnapshots?.has(lv.name));
    if (users.length > 0)
      out.push(`LVs ${users.map((l) => l.name).join(', ')} have extents on a missing PV; removing it would delete them: lvmsnap will not do that`);
    return out;
  }
  const dev = t.cowDevice !== undefined ? f.cowPv?.name : f.boundLoop?.name;
  const users = lvs.filter((lv) => dev !== undefined && lv.devices.includes(dev));
  return users.length === 0
    ? []
    : [`PV ${dev} holds extents of ${users.map((l) => `${t.vg}/${l.name}`).join(', ')}; lvmsnap will not remove it: move them off first (pvmove ${dev})`];
}
