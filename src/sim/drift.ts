// Things that happen to a host behind lvmsnap's back, as pure functions on a SimSystem.
import { produce } from 'immer';
import { withSystemd } from './cmd-systemd.js';
import { loopOpen, settle } from './ops.js';
import { lvFsId, lvPartial, normPath, type SimSystem } from './state.js';

/** Someone ran `umount -l target` (the latest mount there goes, busy or not). */
export function unmount(s: SimSystem, target: string): SimSystem {
  const t = normPath(target);
  const idx = s.mounts.map((m) => m.target).lastIndexOf(t);
  if (idx < 0) return s;
  return produce(s, (d) => { d.mounts.splice(idx, 1); });
}

/**
 * Someone ran `losetup -d dev`. Like the kernel, a device held by an active LV is only marked
 * autoclear; with `force` it vanishes at once (as if its driver went away): its PV goes missing and
 * the LVs that lose extents are torn down, their mounts with them.
 */
export function detachLoop(s: SimSystem, dev: string, force = false): SimSystem {
  const name = normPath(dev);
  const loop = s.loops[name];
  if (!loop || loop.ino === null) return s;
  if (!force && loopOpen(s, name)) return produce(s, (d) => { d.loops[name]!.autoclear = true; });
  const gone = produce(s, (d) => { d.loops[name] = { ...d.loops[name]!, ino: null, file: null, size: 0, autoclear: false }; });
  const broken = Object.values(gone.lvs).filter((lv) => lv.active && lvPartial(gone, lv)).map((lv) => lv.uuid);
  return settle(produce(gone, (d) => {
    for (const uuid of broken) { d.lvs[uuid]!.active = false; d.lvs[uuid]!.minor = null; }
    d.mounts = d.mounts.filter((m) => !broken.some((u) => m.fs === lvFsId(u)));
  }));
}

/** The snapshot's COW filled up (or was corrupted): dm-snapshot marks it invalid. */
export function invalidateSnapshot(s: SimSystem, vg: string, name: string): SimSystem {
  const lv = Object.values(s.lvs).find((l) => l.vg === vg && l.name === name && l.origin !== null);
  if (!lv) return s;
  return produce(s, (d) => { d.lvs[lv.uuid]!.invalid = true; d.lvs[lv.uuid]!.cowPercent = 100; });
}

/** COW usage grows (writes to the origin); at 100 % the snapshot becomes invalid. */
export function fillCow(s: SimSystem, vg: string, name: string, percent: number): SimSystem {
  const lv = Object.values(s.lvs).find((l) => l.vg === vg && l.name === name && l.origin !== null);
  if (!lv) return s;
  return percent >= 100 ? invalidateSnapshot(s, vg, name) : produce(s, (d) => { d.lvs[lv.uuid]!.cowPercent = percent; });
}

/** Someone ran `rm path` (a loop device keeps the inode alive). */
/** Writes to thin LVs filled their pool to these percentages of data and metadata. */
export function fillPool(s: SimSystem, vg: string, pool: string, dataPercent: number, metadataPercent?: number): SimSystem {
  return produce(s, (d) => {
    const lv = Object.values(d.lvs).find((l) => l.vg === vg && l.name === pool && l.thinPool);
    if (!lv?.thinPool) return;
    lv.thinPool.dataPercent = dataPercent;
    if (metadataPercent !== undefined) lv.thinPool.metadataPercent = metadataPercent;
  });
}

export function deleteFile(s: SimSystem, path: string): SimSystem {
  const p = normPath(path);
  if (s.paths[p] === undefined) return s;
  return settle(produce(s, (d) => { delete d.paths[p]; }));
}

/**
 * Power cycle: processes and their locks die, loop devices are all detached, only fstab mounts come
 * back (tmpfs empty), state files on tmpfs vanish, PVs whose device is gone turn missing, and LVs that
 * are partial (extents on a missing PV, or origin/snapshot of one) or flagged activation-skip stay inactive.
 * Minors renumber.
 */
export function reboot(s: SimSystem): SimSystem {
  const volatileFs = new Set(Object.values(s.filesystems).filter((f) => f.volatile).map((f) => f.id));
  const stateOnTmpfs = Object.keys(s.stateFiles).filter((p) => {
    let best = '';
    let fs = '';
    for (const m of s.mounts) if ((p.startsWith(`${m.target}/`) || m.target === '/') && m.target.length >= best.length) { best = m.target; fs = m.fs; }
    return volatileFs.has(fs);
  });
  const down = produce(s, (d) => {
    for (const l of Object.values(d.loops)) Object.assign(l, { ino: null, file: null, size: 0, autoclear: false });
    for (const [p, ino] of Object.entries(d.paths)) if (volatileFs.has(d.inodes[ino]?.fs ?? '')) delete d.paths[p];
    for (const p of stateOnTmpfs) delete d.stateFiles[p];
    d.locks = {};
    for (const lv of Object.values(d.lvs)) { lv.active = false; lv.minor = null; }
  });
  const up = produce(down, (d) => {
    let minor = 0;
    for (const lv of Object.values(down.lvs)) {
      // Autoactivation skips LVs with the activation-skip flag (thin snapshots made without -kn).
      if (lvPartial(down, lv) || lv.thin?.skip) continue;
      d.lvs[lv.uuid]!.active = true;
      d.lvs[lv.uuid]!.minor = minor++;
    }
  });
  const booted = settle(produce(up, (d) => {
    d.mounts = d.mounts.filter((m) => m.fstab && (!m.fs.startsWith('lv:') || up.lvs[m.fs.slice(3)]?.active === true));
  }));
  // systemd comes up again with no unit of lvmsnap's active (and its /run directory recreated).
  return booted.systemd ? withSystemd(booted, booted.systemd.unitFiles) : booted;
}
