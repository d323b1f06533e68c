// File tools: fallocate, dd (zero fill), rm, mkdir, rmdir.
import { childrenOf, fsInfo, lookup, mountAt, mountsOn, readOnlyAt, type Node } from './fsview.js';
import { REMOVE, edit, setFields } from './edit.js';
import { addInode, fail, notModelled, ok, parseArgs, type ExecOutput } from './ops.js';
import { MiB, normPath, parentOf, type SimSystem } from './state.js';

const PAGE = 4096;

/** Why a new entry cannot be created at path (errno text), or null. */
function cannotCreate(s: SimSystem, path: string): string | null {
  const parent = lookup(s, parentOf(path));
  if (!parent) return 'No such file or directory';
  if (parent.type !== 'directory') return 'Not a directory';
  if (readOnlyAt(s, path)) return 'Read-only file system';
  return null;
}

/** Create (if needed) the regular file at path; returns the new system and its node. */
function openCreate(s: SimSystem, path: string): { s: SimSystem; node: Node } | { err: string } {
  const existing = lookup(s, path);
  if (existing) {
    if (existing.type === 'directory') return { err: 'Is a directory' };
    if (readOnlyAt(s, path)) return { err: 'Read-only file system' };
    return { s, node: existing };
  }
  const why = cannotCreate(s, path);
  if (why) return { err: why };
  const fs = mountAt(s, path)!.fs;
  const next = addInode(s, normPath(path), fs, 'file').s;
  return { s: next, node: lookup(next, path)! };
}

/** Grow the file's allocation toward `bytes`, bounded by free space. */
function grow(s: SimSystem, ino: number, bytes: number): SimSystem {
  const i = s.inodes[ino]!;
  return edit(s, { inodes: { [ino]: setFields(i, { alloc: Math.max(i.alloc, bytes), size: Math.max(i.size, bytes) }) } });
}

export function fallocate(s: SimSystem, args: readonly string[]): ExecOutput {
  const p = parseArgs(args, [], ['--length', '-l']);
  const len = p?.flags.get('--length')?.[0] ?? p?.flags.get('-l')?.[0];
  if (!p || len === undefined || !/^\d+$/.test(len) || p.pos.length !== 1) return notModelled(s, ['fallocate', ...args]);
  const path = p.pos[0]!;
  const opened = openCreate(s, path);
  if ('err' in opened) return fail(s, 1, `fallocate: cannot open ${path}: ${opened.err}\n`);
  const { node } = opened;
  const f = fsInfo(opened.s, node.fs)!;
  if (!f.fallocate) return fail(opened.s, 1, 'fallocate: fallocate failed: Operation not supported\n');
  const want = Number(len);
  const inode = opened.s.inodes[node.ino]!;
  if (want - inode.alloc > f.avail) {
    // tmpfs undoes a failed fallocate; block filesystems keep what they managed to allocate.
    const partial = f.volatile ? opened.s : grow(opened.s, node.ino, inode.alloc + Math.floor(f.avail / PAGE) * PAGE);
    return fail(partial, 1, 'fallocate: fallocate failed: No space left on device\n');
  }
  return ok(grow(opened.s, node.ino, want));
}

function ddStats(bytes: number, bs: number, secs: number): string {
  const full = Math.floor(bytes / bs);
  const part = bytes % bs ? 1 : 0;
  const mb = bytes >= 1e6 ? `${Math.round(bytes / 1e6)} MB, ${Math.round(bytes / MiB)} MiB` : `${bytes} B`;
  return `${full}+${part} records in\n${full}+${part} records out\n${bytes} bytes (${mb}) copied, ${secs} s, 1.0 GB/s\n`;
}

export function dd(s: SimSystem, args: readonly string[]): ExecOutput {
  const kv = new Map(args.map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] as const));
  const known = ['if', 'of', 'bs', 'count', 'seek', 'conv', 'status'];
  const conv = (kv.get('conv') ?? '').split(',').filter((c) => c !== '');
  if (args.some((a) => !a.includes('=')) || [...kv.keys()].some((k) => !known.includes(k)) || kv.get('if') !== '/dev/zero' ||
      !kv.has('of') || !/^\d+$/.test(kv.get('bs') ?? '') || !/^\d+$/.test(kv.get('count') ?? '') || !/^\d+$/.test(kv.get('seek') ?? '0') ||
      conv.some((c) => !['fsync', 'excl', 'fdatasync', 'notrunc'].includes(c))) {
    return notModelled(s, ['dd', ...args]);
  }
  const path = kv.get('of')!;
  if (conv.includes('excl') && lookup(s, path)) return fail(s, 1, `dd: failed to open '${path}': File exists\n`);
  const opened = openCreate(s, path);
  if ('err' in opened) return fail(s, 1, `dd: failed to open '${path}': ${opened.err}\n`);
  const bs = Number(kv.get('bs'));
  const total = bs * Number(kv.get('count'));
  // seek=N (blocks) starts writing there: with notrunc, zeros appended to an existing file (same inode).
  const from = bs * Number(kv.get('seek') ?? '0');
  // Without notrunc, dd truncates an existing file first.
  const ino = opened.node.ino;
  const start = conv.includes('notrunc') ? opened.s
    : edit(opened.s, { inodes: { [ino]: setFields(opened.s.inodes[ino]!, { size: 0, alloc: 0 }) } });
  const f = fsInfo(start, opened.node.fs)!;
  const newBytes = Math.max(0, from + total - start.inodes[ino]!.alloc);
  if (newBytes > f.avail) {
    const written = Math.floor(f.avail / PAGE) * PAGE;
    return fail(grow(start, opened.node.ino, start.inodes[ino]!.alloc + written), 1,
      `dd: error writing '${path}': No space left on device\n${ddStats(written, bs, 0.5)}`);
  }
  return ok(grow(start, opened.node.ino, from + total), '', ddStats(total, bs, 0.1));
}

export function rm(s: SimSystem, args: readonly string[]): ExecOutput {
  const force = args[0] === '--force';
  const rest = force ? args.slice(1) : args;
  const p = parseArgs(rest, [], []);
  if (!p || p.pos.length !== 1 || rest[0] !== '--') return notModelled(s, ['rm', ...args]);
  const path = p.pos[0]!;
  const n = lookup(s, path);
  if (!n && force && s.stateFiles[normPath(path)] === undefined) return ok(s);
  // Files written with HostPort.writeFile (a backup's .sha256 and .json) live in stateFiles.
  if (!n && s.stateFiles[normPath(path)] !== undefined) return ok(edit(s, { stateFiles: { [normPath(path)]: REMOVE } }));
  if (!n) return fail(s, 1, `rm: cannot remove '${path}': No such file or directory\n`);
  if (n.type === 'directory') return fail(s, 1, `rm: cannot remove '${path}': Is a directory\n`);
  if (n.type !== 'file') return notModelled(s, ['rm', ...args], 'removing device nodes is not modelled');
  if (readOnlyAt(s, path)) return fail(s, 1, `rm: cannot remove '${path}': Read-only file system\n`);
  // The inode lives on while a loop device holds it (losetup then shows "(deleted)").
  return ok(edit(s, { paths: { [normPath(path)]: REMOVE } }));
}

export function mkdir(s: SimSystem, args: readonly string[]): ExecOutput {
  const p = parseArgs(args, [], []);
  if (!p || p.pos.length !== 1 || args[0] !== '--') return notModelled(s, ['mkdir', ...args]);
  const path = p.pos[0]!;
  const err = (why: string): ExecOutput => fail(s, 1, `mkdir: cannot create directory '${path}': ${why}\n`);
  if (lookup(s, path)) return err('File exists');
  const why = cannotCreate(s, path);
  if (why) return err(why);
  const fs = mountAt(s, path)!.fs;
  return ok(addInode(s, normPath(path), fs, 'directory').s);
}

export function rmdir(s: SimSystem, args: readonly string[]): ExecOutput {
  const p = parseArgs(args, [], []);
  if (!p || p.pos.length !== 1 || args[0] !== '--') return notModelled(s, ['rmdir', ...args]);
  const path = p.pos[0]!;
  const err = (why: string): ExecOutput => fail(s, 1, `rmdir: failed to remove '${path}': ${why}\n`);
  const n = lookup(s, path);
  if (!n) return err('No such file or directory');
  if (n.type !== 'directory') return err('Not a directory');
  if (mountsOn(s, path).length > 0 || normPath(path) === '/') return err('Device or resource busy');
  if (childrenOf(s, path).length > 0) return err('Directory not empty');
  if (readOnlyAt(s, path)) return err('Read-only file system');
  if (s.paths[normPath(path)] === undefined) return notModelled(s, ['rmdir', ...args], 'removing device directories is not modelled');
  return ok(edit(s, { paths: { [normPath(path)]: REMOVE } }));
}
