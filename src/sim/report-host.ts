// Read-only host tools of the simulator: losetup --list/--find, findmnt, stat, df, blkid.
import { fsInfo, lookup, mountAt, type Node } from './fsview.js';
import { Memo } from './memo.js';
import { fail, notModelled, ok, parseArgs, type ExecOutput } from './ops.js';
import { encodeDev, lvByDevice, normPath, presentDevices, type SimMount, type SimSystem } from './state.js';

export function loopBackFile(s: SimSystem, name: string): string | null {
  const l = s.loops[name];
  if (!l || l.ino === null) return null;
  const deleted = l.file === null || s.paths[l.file] !== l.ino;
  return `${l.file ?? ''}${deleted ? ' (deleted)' : ''}`;
}

const byMinor = (s: SimSystem) => Object.values(s.loops).sort((a, b) => a.minor - b.minor);

const losetupMemo = new Memo<string>();
export const losetupList = (s: SimSystem): ExecOutput => ok(s, losetupMemo.get([s.loops, s.paths, s.kernel], () => losetupText(s)));
function losetupText(s: SimSystem): string {
  const bound = byMinor(s).filter((l) => l.ino !== null);
  // util-linux < 2.39 prints nothing at all; newer versions print an empty "loopdevices" array.
  if (bound.length === 0) return s.kernel.losetupEmptyList === 'empty-array' ? '{\n   "loopdevices": [\n\n   ]\n}\n' : '';
  const loopdevices = bound.map((l) => ({
    name: l.name, sizelimit: 0, offset: 0, autoclear: l.autoclear, ro: false,
    'back-file': loopBackFile(s, l.name), dio: false, 'log-sec': 512,
  }));
  return `${JSON.stringify({ loopdevices }, null, 3)}\n`;
}

export function losetupFind(s: SimSystem): ExecOutput {
  const free = byMinor(s).find((l) => l.ino === null);
  return free ? ok(s, `${free.name}\n`) : fail(s, 1, 'losetup: cannot find an unused loop device\n');
}

interface FindmntNode { target: string; source: string; fstype: string; options: string; 'maj:min': string; children?: FindmntNode[] }

const findmntMemo = new Memo<string>();
/** The text depends on the mounts and their filesystems (fsInfo also reads vgs and inodes). */
export const findmnt = (s: SimSystem): ExecOutput =>
  ok(s, findmntMemo.get([s.mounts, s.lvs, s.filesystems, s.vgs, s.inodes], () => findmntText(s)));
function findmntText(s: SimSystem): string {
  const nodes = s.mounts.map((m): FindmntNode => {
    const f = fsInfo(s, m.fs);
    return { target: m.target, source: f?.source ?? 'none', fstype: f?.fstype ?? 'none', options: m.options, 'maj:min': f?.majMin ?? '0:0' };
  });
  const roots: FindmntNode[] = [];
  s.mounts.forEach((m, i) => {
    // Parent: the latest earlier mount holding this target (stacked mounts nest under the one they hide).
    let parent = -1;
    for (let j = 0; j < i; j++) {
      const t = s.mounts[j]!.target;
      const holds = t === '/' || m.target === t || m.target.startsWith(`${t}/`);
      if (holds && (parent < 0 || t.length >= s.mounts[parent]!.target.length)) parent = j;
    }
    if (parent < 0) roots.push(nodes[i]!);
    else (nodes[parent]!.children ??= []).push(nodes[i]!);
  });
  return `${JSON.stringify({ filesystems: roots }, null, 3)}\n`;
}

const TYPE_NAMES: Record<Node['type'], string> = {
  file: 'regular file', directory: 'directory', block: 'block special file', symlink: 'symbolic link',
};

function devNumber(majMin: string): number {
  const [maj, min] = majMin.split(':').map(Number);
  return encodeDev(maj ?? 0, min ?? 0);
}

function statFormat(fmt: string, name: string, n: Node): string {
  const unescaped = fmt.replace(/\\([tn\\])/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : '\\'));
  return unescaped.replace(/%(.)/g, (all, c: string) => {
    switch (c) {
      case 'n': return name;
      case 'F': return n.type === 'file' && n.size === 0 ? 'regular empty file' : TYPE_NAMES[n.type];
      case 'd': return String(devNumber(n.majMin));
      case 'i': return String(n.ino);
      case 's': return String(n.size);
      case 'm': return n.mountPoint;
      case '%': return '%';
      default: return all;
    }
  });
}

export function stat(s: SimSystem, args: readonly string[]): ExecOutput {
  const p = parseArgs(args, [], ['--printf']);
  const fmt = p?.flags.get('--printf')?.[0];
  if (!p || fmt === undefined || p.pos.length === 0) return notModelled(s, ['stat', ...args]);
  let out = '';
  let err = '';
  for (const name of p.pos) {
    const n = lookup(s, name);
    if (n) out += statFormat(fmt, name, n);
    else err += `stat: cannot statx '${name}': No such file or directory\n`;
  }
  return err ? fail(s, 1, err, out) : ok(s, out);
}

export function df(s: SimSystem, args: readonly string[]): ExecOutput {
  const p = parseArgs(args, [], ['--block-size', '--output']);
  if (p && p.flags.get('--block-size')?.[0] === '1' && p.flags.get('--output')?.[0] === 'used' && p.pos.length === 1) return dfUsed(s, p.pos[0]!);
  if (!p || p.flags.get('--block-size')?.[0] !== '1' || p.flags.get('--output')?.[0] !== 'source,fstype,avail,target' || p.pos.length !== 1) {
    return notModelled(s, ['df', ...args]);
  }
  const dir = p.pos[0]!;
  if (!lookup(s, dir)) return fail(s, 1, `df: ${dir}: No such file or directory\n`);
  const m = mountAt(s, dir) as SimMount;
  const f = fsInfo(s, m.fs)!;
  const cols = [['Filesystem', f.source], ['Type', f.fstype], ['Avail', String(f.avail)], ['Mounted on', m.target]];
  // df keeps the source column at least 14 wide (as on a real host: "Filesystem     Type ...").
  const w = cols.map(([h, v], i) => Math.max(h!.length, v!.length, i === 0 ? 14 : 0));
  const line = (i: 0 | 1): string =>
    [cols[0]![i]!.padEnd(w[0]!), cols[1]![i]!.padEnd(w[1]!), cols[2]![i]!.padStart(w[2]!), cols[3]![i]!].join(' ');
  return ok(s, `${line(0)}\n${line(1)}\n`);
}

/** `df --block-size=1 --output=used -- DIR` (backup size estimates). */
function dfUsed(s: SimSystem, dir: string): ExecOutput {
  if (!lookup(s, dir)) return fail(s, 1, `df: ${dir}: No such file or directory\n`);
  const f = fsInfo(s, mountAt(s, dir)!.fs)!;
  return ok(s, `${'Used'.padStart(String(f.used).length)}\n${f.used}\n`);
}

export function blkid(s: SimSystem, args: readonly string[]): ExecOutput {
  const p = parseArgs(args, ['--probe'], ['--output', '--match-tag']);
  const tags = (p?.flags.get('--match-tag') ?? []).join(',');
  if (!p || !p.flags.has('--probe') || p.flags.get('--output')?.[0] !== 'value' || !['TYPE', 'TYPE,PTTYPE'].includes(tags) || p.pos.length !== 1) {
    return notModelled(s, ['blkid', ...args]);
  }
  const dev = normPath(p.pos[0]!);
  const disk = s.disks[dev];
  if (tags === 'TYPE,PTTYPE' && disk) {
    // One value a line, TYPE before PTTYPE (a PV label and a stale partition table: both).
    const values = [disk.label !== null ? 'LVM2_member' : disk.fstype, disk.pttype ?? null].filter((v): v is string => v !== null);
    return values.length > 0 ? ok(s, values.map((v) => `${v}\n`).join('')) : fail(s, 2, '');
  }
  const lv = lvByDevice(s, dev) ?? Object.values(s.lvs).find((l) => l.active && dev === `/dev/dm-${l.minor}`);
  if (lv) {
    if (lv.invalid) return fail(s, 2, `blkid: error: ${p.pos[0]}: Input/output error\n`);
    return lv.fs.type === 'none' ? fail(s, 2, '') : ok(s, `${lv.fs.type}\n`);
  }
  const d = presentDevices(s).find((x) => x.name === dev);
  if (d) {
    const type = d.label !== null ? 'LVM2_member' : s.disks[dev]?.fstype ?? null;
    return type ? ok(s, `${type}\n`) : fail(s, 2, '');
  }
  // An existing node without a signature (an unbound loop device, a plain file): exit 2, silently.
  const n = lookup(s, dev);
  if (n?.type === 'file' && s.inodes[n.ino]?.label) return ok(s, 'LVM2_member\n');
  if (n) return fail(s, 2, '');
  return fail(s, 2, `blkid: error: ${p.pos[0]}: No such file or directory\n`);
}
