// mount (LV sources only) and umount, with the kernel's filesystem-specific checks that matter for
// snapshots: xfs refuses a duplicate UUID without nouuid; a dirty journal/log is replayed (into the
// COW) unless noload/norecovery; unknown options fail like the kernel's parser.
import { REMOVE, edit, setFields } from './edit.js';
import { fsInfo, lookup, loopsOnFs, mountsOfFs } from './fsview.js';
import { fail, notModelled, ok, parseArgs, type ExecOutput } from './ops.js';
import { dmPath, lvByDevice, lvFsId, normPath, type SimLv, type SimSystem } from './state.js';

const GENERIC = new Set([
  'ro', 'rw', 'defaults', 'noatime', 'atime', 'relatime', 'norelatime', 'strictatime', 'nodiratime', 'lazytime',
  'nodev', 'dev', 'nosuid', 'suid', 'noexec', 'exec', 'sync', 'async', 'dirsync', 'nofail', 'auto', 'noauto',
]);
const FS_OPTIONS: Record<string, RegExp> = {
  ext4: /^(noload|norecovery|errors=\w+|data=\w+|barrier(=\d)?|nobarrier|discard|nodiscard|journal_checksum|user_xattr|acl|noacl|commit=\d+|stripe=\d+|delalloc|nodelalloc)$/,
  xfs: /^(nouuid|norecovery|noquota|inode64|inode32|attr2|noattr2|discard|nodiscard|logbufs=\d+|logbsize=\w+|largeio|nolargeio|allocsize=\w+)$/,
};

const WRONG_FS = (target: string, dev: string): string =>
  `mount: ${target}: wrong fs type, bad option, bad superblock on ${dev}, missing codepage or helper program, or other error.\n` +
  '       dmesg(1) may have more information after failed mount system call.\n';

/** Options as /proc/mounts shows them. */
function kernelOptions(fstype: string, opts: readonly string[], stripe?: number): string {
  const out = [opts.includes('ro') ? 'ro' : 'rw'];
  for (const o of ['nosuid', 'nodev', 'noexec']) if (opts.includes(o)) out.push(o);
  // strictatime is the absence of the other two: the kernel shows no word for it.
  if (!opts.includes('strictatime')) out.push(opts.includes('noatime') ? 'noatime' : 'relatime');
  // sync and dirsync are superblock flags: the kernel lists them after the per-mount options.
  for (const o of ['sync', 'dirsync']) if (opts.includes(o)) out.push(o);
  const specific = opts.filter((o) => !GENERIC.has(o));
  if (fstype === 'ext4') {
    if (specific.some((o) => o === 'noload' || o === 'norecovery')) out.push('norecovery');
    out.push(...specific.filter((o) => o !== 'noload' && o !== 'norecovery'));
    if (stripe !== undefined) out.push(`stripe=${stripe}`);
  } else if (fstype === 'xfs') {
    out.push(...specific.filter((o) => o === 'nouuid' || o === 'norecovery'));
    out.push('attr2', 'inode64', 'logbufs=8', 'logbsize=32k', 'noquota');
  } else out.push(...specific);
  return [...new Set(out)].join(',');
}

export function mount(s: SimSystem, args: readonly string[]): ExecOutput {
  const p = parseArgs(args, [], ['-t', '-o']);
  const fstype = p?.flags.get('-t')?.[0];
  if (!p || fstype === undefined || p.pos.length !== 2 || (p.flags.get('-o')?.length ?? 0) > 1) return notModelled(s, ['mount', ...args]);
  const [source, target] = p.pos as [string, string];
  const opts = (p.flags.get('-o')?.[0] ?? '').split(',').filter((o) => o !== '');
  const t = lookup(s, target);
  if (!t) return fail(s, 32, `mount: ${target}: mount point does not exist.\n`);
  if (t.type !== 'directory') return fail(s, 32, `mount: ${target}: mount point is not a directory.\n`);
  const lv = lvByDevice(s, source);
  if (!lv) {
    const isLvPath = Object.values(s.lvs).some((l) => [`/dev/${l.vg}/${l.name}`, dmPath(l.vg, l.name)].includes(normPath(source)));
    if (isLvPath || source.startsWith('/dev/')) return fail(s, 32, `mount: ${target}: special device ${source} does not exist.\n`);
    return notModelled(s, ['mount', ...args], 'only LV sources are modelled');
  }
  const dev = dmPath(lv.vg, lv.name);
  const kdev = `dm-${lv.minor}`;
  const busy = mountsOfFs(s, lvFsId(lv.uuid))[0] ?? s.mounts.find((m) => m.target === normPath(target));
  if (busy) return fail(s, 32, `mount: ${target}: ${dev} already mounted or mount point busy.\n`);
  if (lv.invalid) {
    return fail(s, 32, `mount: ${target}: can't read superblock on ${dev}.\n`, '', [`Buffer I/O error on dev ${kdev}, logical block 0, async page read`]);
  }
  if (lv.fs.type === 'none' || lv.fs.type !== fstype) {
    return fail(s, 32, WRONG_FS(target, dev), '', [`${fstype}: can't find ${fstype} filesystem on dev ${kdev}.`]);
  }
  const tag = fstype === 'xfs' ? `XFS (${kdev})` : `${fstype.toUpperCase()}-fs (${kdev})`;
  const bad = opts.find((o) => !GENERIC.has(o) && FS_OPTIONS[fstype] !== undefined && !FS_OPTIONS[fstype]!.test(o));
  if (bad) return fail(s, 32, WRONG_FS(target, dev), '', [`${tag}: Unrecognized mount option "${bad}" or missing value`]);
  const ro = opts.includes('ro');
  const noRecovery = opts.includes('norecovery') || opts.includes('noload');
  if (fstype === 'xfs') {
    if (noRecovery && !ro) return fail(s, 32, WRONG_FS(target, dev), '', [`${tag}: no-recovery mounts must be read-only.`]);
    const twin = sameUuidMounted(s, lv);
    if (twin && !opts.includes('nouuid')) {
      return fail(s, 32, WRONG_FS(target, dev), '', [`${tag}: Filesystem has duplicate UUID ${lv.fs.uuid} - can't mount`]);
    }
  }
  const notes: string[] = [];
  const replay = lv.fs.dirty && !noRecovery;
  if (lv.fs.dirty && noRecovery) notes.push(`${tag}: mounting with "norecovery" - filesystem may be inconsistent`);
  if (replay) {
    notes.push(fstype === 'xfs' ? `${tag}: Starting recovery (logdev: internal)`
      : `${tag}: INFO: recovery required on readonly filesystem`, `${tag}: write access will be enabled during recovery`);
  }
  notes.push(`${tag}: mounted filesystem${ro ? ' read-only' : ''}.`);
  const mounted = { target: normPath(target), fs: lvFsId(lv.uuid), options: kernelOptions(fstype, opts, lv.fs.stripe), fstab: false };
  const l = s.lvs[lv.uuid]!;
  const replayed = replay ? {
    lvs: { [lv.uuid]: setFields(l, { fs: setFields(l.fs, { dirty: false }), ...(l.origin !== null ? { cowPercent: Math.min(100, l.cowPercent + 0.05) } : {}) }) },
  } : {};
  const next = edit(s, replayed, { mounts: [...s.mounts, mounted] });
  return ok(next, '', '', notes);
}

/** Another mounted LV with the same filesystem UUID (origin or sibling snapshot). */
function sameUuidMounted(s: SimSystem, lv: SimLv): SimLv | undefined {
  return Object.values(s.lvs).find((o) => o.uuid !== lv.uuid && o.fs.uuid === lv.fs.uuid && mountsOfFs(s, lvFsId(o.uuid)).length > 0);
}

export function umount(s: SimSystem, args: readonly string[]): ExecOutput {
  const p = parseArgs(args, [], []);
  if (!p || p.pos.length !== 1 || args[0] !== '--') return notModelled(s, ['umount', ...args]);
  const arg = p.pos[0]!;
  const lv = lvByDevice(s, arg);
  const idx = findLastIndex(s, lv ? (m) => m.fs === lvFsId(lv.uuid) : (m) => m.target === normPath(arg));
  if (idx < 0) {
    if (!lv && !lookup(s, arg)) return fail(s, 32, `umount: ${arg}: no mount point specified.\n`);
    return fail(s, 32, `umount: ${arg}: not mounted.\n`);
  }
  const m = s.mounts[idx]!;
  const nested = s.mounts.some((o, i) => i > idx && (o.target.startsWith(`${m.target}/`) || o.target === m.target));
  const lastUse = mountsOfFs(s, m.fs).length === 1;
  if (m.target === '/' || nested || (lastUse && loopsOnFs(s, m.fs).length > 0)) {
    return fail(s, 32, `umount: ${m.target}: target is busy.\n`);
  }
  const fsType = fsInfo(s, m.fs)?.fstype ?? '';
  const notes = lv || m.fs.startsWith('lv:') ? [`${fsType === 'xfs' ? 'XFS' : `${fsType.toUpperCase()}-fs`} (dm-${fsInfo(s, m.fs)?.majMin.split(':')[1]}): unmounting filesystem.`] : undefined;
  const volatile = lastUse && (fsInfo(s, m.fs)?.volatile ?? false);
  // A tmpfs is gone with its last mount, and its files with it.
  const gone = volatile ? Object.entries(s.paths).filter(([, ino]) => s.inodes[ino]?.fs === m.fs).map(([path]) => [path, REMOVE]) : [];
  return ok(edit(s, { paths: Object.fromEntries(gone) }, { mounts: s.mounts.filter((_, i) => i !== idx) }), '', '', notes);
}

function findLastIndex(s: SimSystem, pred: (m: SimSystem['mounts'][number]) => boolean): number {
  for (let i = s.mounts.length - 1; i >= 0; i--) if (pred(s.mounts[i]!)) return i;
  return -1;
}
