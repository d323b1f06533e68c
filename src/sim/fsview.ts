// Pure queries over the simulated file tree: which mount holds a path, what a path is (stat), and how
// much room a filesystem has (df, ENOSPC). LV filesystems are derived from their SimLv.
import {
  DM_MAJOR, LOOP_MAJOR, dmName, dmPath, lvByDevice, lvDevSize, normPath,
  type SimLv, type SimMount, type SimSystem,
} from './state.js';
import { Memo } from './memo.js';

export interface FsInfo {
  id: string; source: string; fstype: string; majMin: string;
  size: number; used: number; avail: number;
  volatile: boolean; fallocate: boolean; rootIno: number;
  lv: SimLv | null;
}

const FALLOCATE_FS = new Set(['ext4', 'xfs', 'btrfs', 'tmpfs', 'f2fs', 'ocfs2']);

const allocMemo = new Memo<ReadonlyMap<string, number>>();
/** Bytes allocated by the modelled inodes of a filesystem (summed in s.inodes order, per filesystem). */
export function inodeBytes(s: SimSystem, fsId: string): number {
  const byFs = allocMemo.get([s.inodes], () => {
    const m = new Map<string, number>();
    for (const i of Object.values(s.inodes)) m.set(i.fs, (m.get(i.fs) ?? 0) + i.alloc);
    return m;
  });
  return byFs.get(fsId) ?? 0;
}

export function fsInfo(s: SimSystem, id: string): FsInfo | undefined {
  if (id.startsWith('lv:')) {
    const lv = s.lvs[id.slice(3)];
    if (!lv) return undefined;
    const size = lvDevSize(s, lv);
    const used = lv.fs.usedBytes + inodeBytes(s, id);
    return {
      id, source: `/dev/mapper/${dmName(lv.vg, lv.name)}`, fstype: lv.fs.type, majMin: `${DM_MAJOR}:${lv.minor ?? 0}`,
      size, used, avail: Math.max(0, size - used), volatile: false, fallocate: FALLOCATE_FS.has(lv.fs.type),
      rootIno: lv.fs.type === 'xfs' ? 128 : 2, lv,
    };
  }
  const f = s.filesystems[id];
  if (!f) return undefined;
  const used = f.baseUsed + inodeBytes(s, id);
  return {
    id, source: f.source, fstype: f.fstype, majMin: f.majMin, size: f.sizeBytes, used,
    avail: Math.max(0, f.sizeBytes - used), volatile: f.volatile, fallocate: f.fallocate, rootIno: f.rootIno, lv: null,
  };
}

const under = (path: string, target: string): boolean =>
  target === '/' || path === target || path.startsWith(`${target}/`);

/** The mount holding path: longest target that contains it; the latest of stacked mounts wins. */
export function mountAt(s: SimSystem, path: string): SimMount | undefined {
  const p = normPath(path);
  let best: SimMount | undefined;
  for (const m of s.mounts) if (under(p, m.target) && (!best || m.target.length >= best.target.length)) best = m;
  return best;
}
export const mountsOn = (s: SimSystem, target: string): SimMount[] => s.mounts.filter((m) => m.target === normPath(target));
export const mountsOfFs = (s: SimSystem, fsId: string): SimMount[] => s.mounts.filter((m) => m.fs === fsId);
export const lvMounted = (s: SimSystem, lv: SimLv): boolean => s.mounts.some((m) => m.fs === `lv:${lv.uuid}`);
export const optionList = (m: SimMount): string[] => m.options.split(',').filter((o) => o !== '');
export const readOnlyAt = (s: SimSystem, path: string): boolean => {
  const m = mountAt(s, path);
  return m ? optionList(m).includes('ro') : false;
};

export type NodeType = 'file' | 'directory' | 'block' | 'symlink';
export interface Node {
  path: string; type: NodeType; ino: number; size: number;
  /** Filesystem the node lives on, and the mount point (stat %m) and maj:min of that filesystem. */
  fs: string; mountPoint: string; majMin: string;
}

/** What stat would see at path, or undefined when it does not exist. */
export function lookup(s: SimSystem, path: string): Node | undefined {
  const p = normPath(path);
  const m = mountAt(s, p);
  const info = m ? fsInfo(s, m.fs) : undefined;
  const where = { mountPoint: m?.target ?? '/', majMin: info?.majMin ?? '0:0' };
  if (p.startsWith('/dev/') && (!m || m.target === '/' || m.target === '/dev')) {
    const dev = devNode(s, p, where);
    if (dev || info?.fstype === 'devtmpfs') return dev;
  }
  if (m && info && m.target === p) return { path: p, type: 'directory', ino: info.rootIno, size: 4096, fs: m.fs, ...where };
  const ino = s.paths[p];
  const node = ino !== undefined ? s.inodes[ino] : undefined;
  if (!node || !m || node.fs !== m.fs) return undefined;
  return { path: p, type: node.type, ino: node.ino, size: node.type === 'directory' ? 4096 : node.size, fs: node.fs, ...where };
}

function devNode(s: SimSystem, p: string, where: { mountPoint: string; majMin: string }): Node | undefined {
  const mk = (type: NodeType, ino: number, size = 0): Node => ({ path: p, type, ino, size, fs: 'devtmpfs', ...where });
  const loop = Object.values(s.loops).find((l) => l.name === p);
  if (loop) return mk('block', 300 + loop.minor + LOOP_MAJOR);
  const disk = s.disks[p];
  if (disk) return mk('block', 200 + disk.minor);
  if (p === '/dev/mapper') return mk('directory', 100);
  const links = s.links ?? {};
  const link = links[p];
  if (link !== undefined) return mk('symlink', 800 + Object.keys(links).indexOf(p), link.length);
  if (Object.keys(links).some((l) => l.startsWith(`${p}/`))) return mk('directory', 160);
  const active = Object.values(s.lvs).filter((l) => l.active);
  const dm = /^\/dev\/dm-(\d+)$/.exec(p);
  if (dm && active.some((l) => l.minor === Number(dm[1]))) return mk('block', 400 + Number(dm[1]));
  if (active.some((l) => p === `/dev/${l.vg}`)) return mk('directory', 150);
  // /dev/VG/LV is a symlink; /dev/mapper/NAME a block node (as on the project's VM; udev hosts link it).
  const lv = lvByDevice(s, p);
  // lvm (without udev) links /dev/VG/LV to /dev/mapper/NAME: the link's size is that target's length.
  if (lv) return p.startsWith('/dev/mapper/') ? mk('block', 600 + (lv.minor ?? 0)) : mk('symlink', 700 + (lv.minor ?? 0), dmPath(lv.vg, lv.name).length);
  return undefined;
}

/** Visible entries directly inside dir (files, directories and mount points). */
export function childrenOf(s: SimSystem, dir: string): string[] {
  const d = normPath(dir);
  const prefix = d === '/' ? '/' : `${d}/`;
  const names = new Set<string>();
  for (const p of Object.keys(s.paths)) {
    if (p.startsWith(prefix) && p !== d && !p.slice(prefix.length).includes('/') && lookup(s, p)) names.add(p);
  }
  for (const m of s.mounts) {
    if (m.target.startsWith(prefix) && m.target !== d && !m.target.slice(prefix.length).includes('/')) names.add(m.target);
  }
  return [...names].sort();
}

/** Loop devices whose backing inode lives on fsId (they keep the filesystem busy). */
export const loopsOnFs = (s: SimSystem, fsId: string): string[] =>
  Object.values(s.loops).filter((l) => l.ino !== null && s.inodes[l.ino]?.fs === fsId).map((l) => l.name);
