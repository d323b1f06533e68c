// What the simulated kernel exposes without a process, for HostPort.readMountinfo / readLoopSysfs /
// lstat / statfsAvail: /proc/self/mountinfo, /sys/block/loopN, lstat(2) and statfs(2). Pure, and
// consistent with the simulated tools (findmnt, losetup, stat, df) that show the same model.
import type { FileStat, SysfsLoop } from '../port.js';
import { fsInfo, lookup, mountAt, type Node } from './fsview.js';
import { Memo } from './memo.js';
import { loopBackFile } from './report-host.js';
import { LOOP_MAJOR, dmPath, encodeDev, lvByDevice, normPath, parentOf, type SimSystem } from './state.js';

/** Options the kernel keeps per mount (mountinfo field 6); everything else belongs to the superblock. */
const PER_MOUNT = new Set(['rw', 'ro', 'nosuid', 'nodev', 'noexec', 'noatime', 'nodiratime', 'relatime', 'nosymfollow']);

/** The kernel's \ooo escapes of space, tab, newline and backslash in paths. */
const escape = (field: string): string => field.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);

const FIRST_ID = 21;
const mountinfoMemo = new Memo<string>();
/** One line per mount, in mount order; a mount's parent is the latest earlier mount holding its target. */
export const mountinfo = (s: SimSystem): string =>
  mountinfoMemo.get([s.mounts, s.lvs, s.filesystems, s.vgs, s.inodes], () => mountinfoText(s));
function mountinfoText(s: SimSystem): string {
  return s.mounts.map((m, i) => {
    let parent = -1;
    for (let j = 0; j < i; j++) {
      const t = s.mounts[j]!.target;
      const holds = t === '/' || m.target === t || m.target.startsWith(`${t}/`);
      if (holds && (parent < 0 || t.length >= s.mounts[parent]!.target.length)) parent = j;
    }
    const f = fsInfo(s, m.fs);
    const opts = m.options.split(',').filter((o) => o !== '');
    const perMount = opts.filter((o) => PER_MOUNT.has(o));
    const sb = [opts.includes('ro') ? 'ro' : 'rw', ...opts.filter((o) => !PER_MOUNT.has(o))];
    return [
      FIRST_ID + i, parent < 0 ? 1 : FIRST_ID + parent, f?.majMin ?? '0:0', '/', escape(m.target), perMount.join(','),
      '-', escape(f?.fstype ?? 'none'), escape(f?.source ?? 'none'), sb.join(','),
    ].join(' ');
  }).map((l) => `${l}\n`).join('');
}

const SECTOR = 512;

/** /sys/block/loopN for every loop device; loop/ only for bound ones (as the kernel does). */
export function sysfsLoops(s: SimSystem): SysfsLoop[] {
  return Object.values(s.loops).map((l) => {
    const files: Record<string, string> = { dev: `${LOOP_MAJOR}:${l.minor}\n`, size: `${l.ino === null ? 0 : Math.floor(l.size / SECTOR)}\n` };
    if (l.ino !== null) {
      Object.assign(files, {
        'loop/backing_file': `${loopBackFile(s, l.name) ?? ''}\n`, 'loop/offset': '0\n', 'loop/sizelimit': '0\n',
        'loop/autoclear': `${l.autoclear ? 1 : 0}\n`, 'loop/partscan': '0\n', 'loop/dio': '0\n',
      });
    }
    return { name: l.name.replace(/^\/dev\//, ''), files };
  });
}

const TYPES: Readonly<Record<Node['type'], FileStat['type']>> = { file: 'file', directory: 'directory', block: 'block', symlink: 'other' };

/** lstat(2): what `stat` (which does not follow symlinks either) shows, or null when missing. */
export function lstat(s: SimSystem, path: string): FileStat | null {
  const n = lookup(s, path);
  if (!n) return null;
  const [maj, min] = n.majMin.split(':').map(Number);
  return { type: TYPES[n.type], dev: encodeDev(maj ?? 0, min ?? 0), ino: n.ino, size: n.size };
}

/** What readlink -f shows (HostPort.realpath): /dev links (SimSystem.links, /dev/VG/LV -> /dev/mapper/NAME)
 *  followed; a dangling link gives the missing path it ends at; null when path itself does not exist. */
export function realpath(s: SimSystem, path: string): string | null {
  let at = normPath(path);
  if (!lookup(s, at)) return null;
  for (let hop = 0; hop < 40; hop++) {
    const link = s.links?.[at];
    const lv = link === undefined && at.startsWith('/dev/') && !at.startsWith('/dev/mapper/') ? lvByDevice(s, at) : undefined;
    if (link === undefined && !lv) return at;
    at = link === undefined ? dmPath(lv!.vg, lv!.name) : normPath(link.startsWith('/') ? link : `${parentOf(at)}/${link}`);
  }
  return null;
}

/** statfs(2) f_bavail × f_bsize of the filesystem holding path (df's Avail), or null when missing. */
export function statfsAvail(s: SimSystem, path: string): number | null {
  if (!lookup(s, path)) return null;
  const m = mountAt(s, path);
  const f = m ? fsInfo(s, m.fs) : undefined;
  return f ? f.avail : null;
}
