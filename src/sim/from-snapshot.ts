// systemFromSnapshot: a best-effort SimSystem rebuilt from one observation of a real host, to rehearse a
// plan on the model before running it for real.
//
// What an observation cannot tell, and what is assumed instead:
// - Extent placement: each LV's extents are re-allocated in order on the PVs its segments name (counts
//   per PV match the report when LVs were not interleaved; exact PE positions do not).
// - Device sizes: a PV's device is pv_size + 1 MiB (dev_size is not observed); disks get made-up
//   major:minor numbers; device nodes other than PVs and mount sources are not recreated.
// - Filesystems: sizes/free space are known only for the tmp file's filesystem (df); every other one
//   is given 1 TiB free. Filesystem type of an LV is known when it is mounted, or for the target's origin
//   (originFstype); other LVs get 'none'. Usage and dirty journals are guesses (a snapshot of a mounted
//   origin is dirty). fallocate support is inferred from the fstype.
// - fstab: LV snapshots and lvmsnap's own mounts are taken as not in fstab, everything else as in it.
// - Files: only the stat'ed paths exist (with their observed inode numbers); parents are created as
//   directories. Loop back-files get the observed size or the PV size + 1 MiB. Deleted back-files
//   live on only through their loop device. Files never attached to a loop carry no PV label.
// - A --cow-device that is no PV yet is a disk of its sysfs size and MAJ:MIN.
// - Loop devices: /dev/loop0..7 (more if a higher one was seen). Locks and other state files are not
//   observed; the journal is placed at journalPath(target) when a target is given.
import { castDraft, produce } from 'immer';
import { journalPath } from '../journal.js';
import type { ObservedLv, SystemSnapshot, Target } from '../types.js';
import { addDirs, emptySystem, fsUuidFor } from './build.js';
import { withSystemd } from './cmd-systemd.js';
import { allocate } from './cmd-lv.js';
import { inodeBytes, mountAt } from './fsview.js';
import { GiB, PE_START, lvFsId, normPath, parentOf, type SimFs, type SimLv, type SimSystem } from './state.js';

export interface FromSnapshotOptions {
  /** The target observed: its journal is stored at journalPath(target), its origin gets originFstype. */
  readonly target?: Pick<Target, 'vg' | 'lv' | 'stateDir' | 'snapshot'>;
  readonly stateFiles?: Readonly<Record<string, string>>;
}

const FALLOCATE_FS = new Set(['ext4', 'xfs', 'btrfs', 'tmpfs', 'f2fs']);
const VOLATILE_FS = new Set(['tmpfs', 'ramfs', 'devtmpfs', 'proc', 'sysfs', 'cgroup2']);
const ROOT_INO: Record<string, number> = { ext4: 2, ext3: 2, ext2: 2, xfs: 128, btrfs: 256 };
const UNKNOWN_FREE = 1024 * GiB;

export function systemFromSnapshot(snap: SystemSnapshot, opts: FromSnapshotOptions = {}): SimSystem {
  const maxLoop = Math.max(7, ...snap.loops.map((l) => Number(/(\d+)$/.exec(l.name)?.[1] ?? 0)));
  const mkMaj = (i: number): [number, number] => [254, i * 16];
  let s = produce(emptySystem({ uid: snap.uid, loops: maxLoop + 1 }), (d) => {
    d.mounts = [];
    d.filesystems = {};
    d.paths = {};
    d.inodes = {};
    d.disks = {};
    d.counters.ino = Math.max(1000, ...Object.values(snap.paths).map((p) => p.ino)) + 1000;
  });

  // LVM: VGs, PVs on disks or loop-backed inodes, LVs re-allocated on their devices.
  s = produce(s, (d) => {
    let diskNo = 0;
    for (const vg of snap.vgs) d.vgs[vg.name] = { name: vg.name, uuid: vg.uuid, extentSize: vg.extentSize };
    for (const pv of snap.pvs) {
      if (pv.vg !== null) d.pvs[pv.uuid] = { uuid: pv.uuid, vg: pv.vg, peCount: pv.peCount, tags: [...pv.tags], lastDevice: pv.missing ? 'unknown device' : pv.name };
      if (pv.missing) continue;
      const size = pv.vg === null ? pv.sizeBytes : pv.sizeBytes + PE_START;
      if (/^\/dev\/loop\d+$/.test(pv.name)) {
        const loop = snap.loops.find((l) => l.name === pv.name);
        const seen = loop && !loop.backFileDeleted ? snap.paths[loop.backFile] : undefined;
        const ino = seen?.ino ?? (d.counters.ino += 1);
        const fsize = seen?.size ?? size;
        d.inodes[ino] = { ino, fs: 'root', type: 'file', size: fsize, alloc: fsize, label: pv.uuid };
        d.loops[pv.name] = { ...d.loops[pv.name]!, ino, file: loop?.backFile ?? null, size: fsize };
      } else {
        const [major, minor] = mkMaj(diskNo++);
        d.disks[pv.name] = { name: pv.name, major, minor, size, label: pv.uuid, fstype: null };
      }
    }
    // A spare --cow-device that is no PV yet: a disk of its observed size (its signatures are not modelled:
    // pre-flight refuses any before a plan is rehearsed).
    // Named by a /dev/disk/by-* link: the disk under the kernel's name, and the link to it.
    const cow = snap.cowDevice;
    if (cow?.type === 'block' && cow.sizeBytes !== null && !d.disks[cow.device]) {
      const [major, minor] = (cow.majMin ?? '').split(':').map(Number);
      d.disks[cow.device] = { name: cow.device, major: major ?? 0, minor: minor ?? 0, size: cow.sizeBytes, label: null, fstype: null };
    }
    if (cow && cow.device !== cow.path) d.links = { ...d.links, [cow.path]: cow.device };
  });
  // Pools first, then origins, then snapshots (classic or thin). lvm2's hidden sub-LVs ([pool_tdata] ...)
  // are not modelled: the pool holds their extents itself.
  const rank = (l: ObservedLv): number => (l.thin?.kind === 'pool' ? 0 : l.origin !== null ? 2 : 1);
  const lvs = [...snap.lvs].filter((l) => !l.name.startsWith('[')).sort((a, b) => rank(a) - rank(b));
  for (const lv of lvs) {
    const es = s.vgs[lv.vg]?.extentSize;
    if (es === undefined) continue;
    if (lv.thin) { s = addThinFromSnapshot(s, snap, lv, es); continue; }
    const missing = Object.values(s.pvs).filter((p) => p.vg === lv.vg && !snap.pvs.find((o) => o.uuid === p.uuid && !o.missing));
    const pvs = lv.devices.flatMap((name) => (name === '[unknown]' ? missing
      : Object.values(s.pvs).filter((p) => snap.pvs.find((o) => o.uuid === p.uuid)?.name === name)));
    const segs = allocate(s, pvs.length ? pvs : Object.values(s.pvs).filter((p) => p.vg === lv.vg), Math.ceil(lv.sizeBytes / es)) ?? [];
    const mount = snap.mounts.find((m) => (lv.majMin !== null && m.majMin === lv.majMin) || m.source === lv.dmPath || m.source === lv.path);
    const isTargetOrigin = opts.target?.vg === lv.vg && opts.target.lv === lv.name;
    const origin = lv.origin !== null ? Object.values(s.lvs).find((o) => o.vg === lv.vg && o.name === lv.origin) : undefined;
    const originMounted = origin ? snap.mounts.some((m) => m.majMin === `253:${origin.minor}`) : false;
    const type = mount?.fstype ?? origin?.fs.type ?? (isTargetOrigin ? snap.originFstype : null) ?? 'none';
    const tmpFsHere = mount && snap.tmpFs?.target === mount.target ? snap.tmpFs : null;
    const simLv: SimLv = {
      uuid: lv.uuid, name: lv.name, vg: lv.vg, segs, tags: [...lv.tags], active: lv.active,
      minor: lv.majMin !== null ? Number(lv.majMin.split(':')[1]) : null, origin: lv.origin,
      cowPercent: lv.snapshotInvalid ? 100 : lv.snapPercent ?? 0, invalid: lv.snapshotInvalid,
      fs: origin ? { ...origin.fs, dirty: originMounted }
        : { type, uuid: fsUuidFor(s.counters.uuid + lvs.indexOf(lv)), usedBytes: tmpFsHere ? Math.max(0, lv.sizeBytes - tmpFsHere.availBytes) : 0, dirty: false },
      time: '2026-01-01 00:00:00 +0000',
    };
    s = produce(s, (d) => { d.lvs[lv.uuid] = castDraft(simLv); });
  }

  // Mounts in order, each on a directory of the filesystem below it.
  if (!snap.mounts.some((m) => m.target === '/')) s = emptySystemRoot(s);
  snap.mounts.forEach((m, i) => {
    const lv = snap.lvs.find((l) => (l.majMin !== null && l.majMin === m.majMin) || l.dmPath === m.source || l.path === m.source);
    const target = normPath(m.target);
    if (target !== '/') s = addDirs(s, [target]);
    const tmp = snap.tmpFs?.target === m.target ? snap.tmpFs : null;
    const fs: SimFs | null = lv ? null : {
      id: `m${i}`, source: m.source, fstype: m.fstype, majMin: m.majMin, sizeBytes: tmp ? tmp.availBytes : UNKNOWN_FREE, baseUsed: 0,
      volatile: VOLATILE_FS.has(m.fstype), fallocate: FALLOCATE_FS.has(m.fstype), rootIno: ROOT_INO[m.fstype] ?? 1,
    };
    s = produce(s, (d) => {
      if (fs) d.filesystems[fs.id] = fs;
      const ours = lv?.isSnapshot === true || lv?.tags.includes('lvmsnap') === true;
      d.mounts.push({ target, fs: fs ? fs.id : lvFsId(lv!.uuid), options: m.options.join(','), fstab: !ours });
      if (fs && m.source.startsWith('/dev/') && !d.disks[m.source] && !/^\/dev\/loop/.test(m.source)) {
        d.disks[m.source] = { name: m.source, major: Number(m.majMin.split(':')[0]), minor: Number(m.majMin.split(':')[1]), size: fs.sizeBytes, label: null, fstype: m.fstype };
      }
    });
  });

  // Files and directories that were stat'ed, with their inode numbers; loop back-files on their fs.
  for (const p of Object.values(snap.paths).sort((a, b) => a.path.length - b.path.length)) {
    if (p.type !== 'file' && p.type !== 'directory') continue;
    const path = normPath(p.path);
    if (path === '/' || s.mounts.some((m) => m.target === path)) continue;
    s = addDirs(s, [parentOf(path)]);
    const fsId = mountAt(s, path)!.fs;
    s = produce(s, (d) => {
      const loopIno = Object.values(d.loops).find((l) => l.file === path && l.ino !== null)?.ino;
      if (p.type === 'file' && loopIno !== undefined && loopIno !== null) { d.paths[path] = loopIno; return; }
      d.inodes[p.ino] = { ino: p.ino, fs: fsId, type: p.type as 'file' | 'directory', size: p.type === 'file' ? p.size : 0, alloc: p.type === 'file' ? p.size : 0, label: null };
      d.paths[path] = p.ino;
    });
  }
  for (const l of Object.values(s.loops)) {
    if (l.ino === null) continue;
    const deleted = l.file === null || snap.loops.find((o) => o.name === l.name)?.backFileDeleted === true;
    if (!deleted) s = addDirs(s, [parentOf(l.file!)]);
    const fsId = l.file !== null ? mountAt(s, l.file)?.fs ?? 'root' : 'root';
    s = produce(s, (d) => {
      d.inodes[l.ino!]!.fs = fsId;
      if (!deleted && d.paths[l.file!] === undefined) d.paths[l.file!] = l.ino!;
    });
  }
  s = produce(s, (d) => {
    // df's free space of the tmp file's filesystem is what is left after the files modelled on it.
    const tmpMount = snap.tmpFs ? d.mounts.find((m) => m.target === normPath(snap.tmpFs!.target)) : undefined;
    const tmpFs = tmpMount ? d.filesystems[tmpMount.fs] : undefined;
    if (tmpFs) tmpFs.sizeBytes = snap.tmpFs!.availBytes + inodeBytes(s, tmpFs.id);
    if (opts.target && snap.journal) d.stateFiles[journalPath(opts.target)] = `${JSON.stringify(snap.journal, null, 2)}\n`;
    Object.assign(d.stateFiles, opts.stateFiles ?? {});
  });
  // systemd as observed through the shutdown guard (only its own unit is known).
  const g = snap.guard;
  if (g?.running) s = withSystemd(s, g.load === 'loaded' ? ['lvmsnap-guard@.service'] : [], g.active === 'active' ? [g.unit] : []);
  return s;
}

function emptySystemRoot(s: SimSystem): SimSystem {
  const base = emptySystem();
  return produce(s, (d) => {
    d.filesystems.root = base.filesystems.root!;
    d.mounts.unshift({ target: '/', fs: 'root', options: 'rw,relatime', fstab: true });
  });
}

/** ext4's stripe=N as the kernel shows it for a mounted thin LV (see SimLvFs.stripe). */
const stripeOf = (options: readonly string[] | undefined): { stripe?: number } => {
  const n = options?.map((o) => /^stripe=(\d+)$/.exec(o)?.[1]).find((x) => x !== undefined);
  return n === undefined ? {} : { stripe: Number(n) };
};

/** A thin pool (its data extents plus a metadata and a spare extent) or a thin LV (no extents of its own). */
function addThinFromSnapshot(s: SimSystem, snap: SystemSnapshot, lv: ObservedLv, es: number): SimSystem {
  const t = lv.thin!;
  const base = {
    uuid: lv.uuid, name: lv.name, vg: lv.vg, tags: [...lv.tags], active: lv.active,
    minor: lv.majMin !== null ? Number(lv.majMin.split(':')[1]) : null, origin: lv.origin, cowPercent: 0, invalid: false,
    time: '2026-01-01 00:00:00 +0000',
  };
  if (t.kind === 'pool') {
    const segs = allocate(s, Object.values(s.pvs).filter((p) => p.vg === lv.vg), Math.ceil(lv.sizeBytes / es) + 2) ?? [];
    const pool: SimLv = { ...base, segs, fs: { type: 'none', uuid: '', usedBytes: 0, dirty: false },
      thinPool: { dataBytes: lv.sizeBytes, dataPercent: t.dataPercent ?? 0, metadataPercent: t.metadataPercent ?? 0 } };
    return produce(s, (d) => { d.lvs[lv.uuid] = castDraft(pool); });
  }
  const origin = lv.origin !== null ? Object.values(s.lvs).find((o) => o.vg === lv.vg && o.name === lv.origin) : undefined;
  const mount = snap.mounts.find((m) => (lv.majMin !== null && m.majMin === lv.majMin) || m.source === lv.dmPath || m.source === lv.path);
  const originMounted = origin ? snap.mounts.some((m) => m.majMin === `253:${origin.minor}`) : false;
  const type = mount?.fstype ?? origin?.fs.type ?? (snap.originFstype ?? 'none');
  const thin: SimLv = {
    ...base, segs: [],
    fs: origin ? { ...origin.fs, dirty: originMounted } : {
      type, uuid: fsUuidFor(s.counters.uuid + 1 + Object.keys(s.lvs).length), usedBytes: 0, dirty: false,
      ...stripeOf(mount?.options),
    },
    thin: { pool: t.pool ?? '', virtualBytes: lv.sizeBytes, mappedPercent: t.dataPercent ?? 0, skip: lv.activationSkip === true },
  };
  return produce(s, (d) => { d.lvs[lv.uuid] = castDraft(thin); });
}
