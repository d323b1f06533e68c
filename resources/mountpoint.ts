// Mountpoint: the snapshot mounted read-only at a directory. lvmsnap creates the directory only when it
// is missing (recorded in the journal first) and removes only a directory it created, unless asked.
import { mkdirArgv, mountArgv, rmdirArgv, umountArgv } from '../src/commands.js';
import { isMountOf, type Facts } from '../src/facts.js';
import type { Step } from '../src/types.js';
import { exec, view, type Resource } from './resource.js';

/** Read-only options that work while the origin is mounted and in use. */
const SAFE_RO_OPTIONS: Readonly<Record<string, string>> = {
  ext2: 'ro,noload',
  ext3: 'ro,noload',
  ext4: 'ro,noload',
  // Same UUID as the mounted origin, and the log must not be replayed on a read-only snapshot.
  xfs: 'ro,nouuid,norecovery',
};

export function mountOptions(target: Facts['target'], fstype: string | null): string | null {
  if (target.mountOptions !== undefined) {
    const opts = target.mountOptions.split(',').filter((o) => o !== '' && o !== 'rw' && o !== 'ro');
    return ['ro', ...opts].join(',');
  }
  return fstype === null ? null : SAFE_RO_OPTIONS[fstype] ?? null;
}

export const Mountpoint: Resource = {
  kind: 'Mountpoint',
  observe(f) {
    const dir = f.target.mountpoint;
    if (dir === undefined) return view('Mountpoint', '-', 'unused');
    const st = f.snap.paths[dir];
    const m = f.mountAtMountpoint;
    if (m) {
      const observed = { source: m.source, fstype: m.fstype, options: m.options };
      if (!f.snapshotLv || !isMountOf(m, f.snapshotLv)) return view('Mountpoint', dir, 'foreign', observed, `${m.source} is mounted at ${dir}`);
      if (!m.options.includes('ro')) return view('Mountpoint', dir, 'degraded', observed, 'the snapshot is mounted read-write');
      return view('Mountpoint', dir, 'present', observed);
    }
    if (st && st.type !== 'directory') return view('Mountpoint', dir, 'foreign', { type: st.type }, `${dir} exists and is not a directory`);
    const created = f.snap.journal?.createdMountpoint === dir;
    if (created && !st) return view('Mountpoint', dir, 'partial', null, 'journal records the directory but it does not exist');
    // An empty directory we created, not mounted: remove it on absent.
    if (created) return view('Mountpoint', dir, 'partial', { type: 'directory' }, 'directory created by lvmsnap, nothing mounted');
    return view('Mountpoint', dir, 'absent', st ? { type: 'directory' } : null);
  },
  create(f, _v, rebuilt = false) {
    const dir = f.target.mountpoint!;
    const steps: Step[] = [];
    // In a rebuild (invalid snapshot) destroy ran first and may have removed the directory.
    const dirGone = !f.snap.paths[dir] || (rebuilt && removesDir(f));
    if (dirGone) steps.push({ type: 'journal', set: { createdMountpoint: dir } }, exec(mkdirArgv(dir)));
    const lvPath = `/dev/${f.target.vg}/${f.target.snapshot}`;
    steps.push(exec(mountArgv(f.snap.originFstype!, mountOptions(f.target, f.snap.originFstype)!, lvPath, dir)));
    return steps;
  },
  destroy(f, v) {
    const dir = f.target.mountpoint!;
    const steps: Step[] = [];
    if (v.status === 'present' || v.status === 'degraded') steps.push(exec(umountArgv(dir)));
    if (f.snap.paths[dir] && removesDir(f)) steps.push(exec(rmdirArgv(dir)));
    if (f.snap.journal?.createdMountpoint === dir) steps.push({ type: 'journal', set: {}, clear: ['createdMountpoint'] });
    return steps;
  },
};

/** destroy removes the directory: lvmsnap created it (journaled), or --remove-mountpoint asks for it. */
const removesDir = (f: Facts): boolean => f.snap.journal?.createdMountpoint === f.target.mountpoint || f.target.removeMountpoint;
