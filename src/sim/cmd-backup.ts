// Backup tools of the simulated host: pipelines (HostPort.pipe) of tar, zstd and gzip, and the file
// commands a backup run uses (dd as the identity stage of a block copy onto an LV device, sync --data, mv -T, sha256sum, find -printf, tool probes with --version). Archive
// contents are modelled as tokens (`zst(tar(fs:UUID:USED))`) so a wrong pipeline, a truncated or a
// corrupted archive is caught; sizes follow the filesystem's usage. pigz and fsarchiver are not
// installed on the simulated host (probing them exits 127), so the gzip fallback and the missing-tool
// error are what the simulator exercises.
import { createHash } from 'node:crypto';
import { FIND_FORMAT } from '../commands.js';
import type { PipeInput, PipeOutput, PipeResult, PipeStage } from '../port.js';
import { REMOVE, edit, setFields } from './edit.js';
import { fsInfo, lookup, mountAt, readOnlyAt, childrenOf } from './fsview.js';
import { addInode, fail, notModelled, ok, type ExecOutput } from './ops.js';
import { lvByDevice, lvDevSize, normPath, parentOf, type SimLvFs, type SimSystem } from './state.js';

/** fs: the filesystem an LV device's raw bytes carry, kept through identity stages (dd) so a copy onto an LV carries it. */
interface Data { readonly token: string; readonly size: number; readonly fs?: SimLvFs }
type StageOut = { data: Data | null; exitCode: number; stderr: string };

const ratio = (n: number): number => Math.max(64, Math.ceil(n * 0.5));

const unwrap = (d: Data | null, tag: string): string | null =>
  d !== null && d.token.startsWith(`${tag}(`) && d.token.endsWith(')') ? d.token.slice(tag.length + 1, -1) : null;

const TAR_CREATE_HEAD = ['--create', '--file=-', '--format=posix', '--numeric-owner', '--xattrs', '--xattrs-include=*', '--acls', '--sparse', '--one-file-system', '--directory'];
const TAR_EXTRACT_HEAD = ['--extract', '--file=-', '--numeric-owner', '--xattrs', '--xattrs-include=*', '--acls', '--same-permissions', '--same-owner', '--directory'];
const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

function stage(s: SimSystem, argv: readonly string[], input: Data | null): StageOut | null {
  const [cmd, ...args] = argv;
  const ok = (data: Data | null): StageOut => ({ data, exitCode: 0, stderr: '' });
  const bad = (exitCode: number, stderr: string): StageOut => ({ data: null, exitCode, stderr });
  if (cmd === 'tar') {
    if (args.length === 12 && same(args.slice(0, 10), TAR_CREATE_HEAD) && args[11] === '.') {
      const dir = args[10]!;
      const n = lookup(s, dir);
      if (!n || n.type !== 'directory') return bad(2, `tar: ${dir}: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\n`);
      const f = fsInfo(s, mountAt(s, dir)!.fs)!;
      const content = f.lv ? `fs:${f.lv.fs.uuid}:${f.lv.fs.usedBytes}` : `dir:${normPath(dir)}`;
      return ok({ token: `tar(${content})`, size: (f.lv ? f.lv.fs.usedBytes : 0) + 10240 });
    }
    if (same(args, ['--list', '--file=-'])) {
      return unwrap(input, 'tar') === null ? bad(2, 'tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors\n') : ok(null);
    }
    if (args.length === 10 && same(args.slice(0, 9), TAR_EXTRACT_HEAD)) {
      if (unwrap(input, 'tar') === null) return bad(2, 'tar: This does not look like a tar archive\n');
      const n = lookup(s, args[9]!);
      return n?.type === 'directory' ? ok(null) : bad(2, `tar: ${args[9]}: Cannot open: No such file or directory\n`);
    }
    return null;
  }
  // The block copy stage (src/commands.ts blockCopyStage): stdin to stdout unchanged.
  if (cmd === 'dd') return same(args, ['bs=4M', 'status=none']) && input !== null ? ok(input) : null;
  if (cmd === 'zstd' || cmd === 'gzip') {
    const tag = cmd === 'zstd' ? 'zst' : 'gz';
    const level = args.find((a) => /^-\d+$/.test(a));
    const compress = cmd === 'zstd' ? same(args, ['-q', '-T0', level ?? '', '-c']) : same(args, [level ?? '', '-c']);
    if (compress && input !== null) return ok({ token: `${tag}(${input.token})`, size: ratio(input.size) });
    const decompress = cmd === 'zstd' ? same(args, ['-q', '-d', '-c']) || same(args, ['-q', '-t']) : same(args, ['-d', '-c']);
    if (decompress) {
      const inner = unwrap(input, tag);
      if (inner === null) return bad(1, cmd === 'zstd' ? 'zstd: /*stdin*\\: unsupported format \n' : 'gzip: stdin: not in gzip format\n');
      return ok(args.includes('-t') ? null : { token: inner, size: input!.size * 2 });
    }
    return null;
  }
  return null;
}

function readInput(s: SimSystem, input: PipeInput): Data | string | null {
  if (input.kind === 'none') return null;
  const n = lookup(s, input.path);
  if (!n) return `${input.path}: No such file or directory`;
  const lv = lvByDevice(s, input.path);
  if (lv) return lv.invalid ? `${input.path}: Input/output error` : { token: `raw(${lv.fs.uuid})`, size: lvDevSize(s, lv), fs: lv.fs };
  if (n.type === 'block') return { token: `raw(${normPath(input.path)})`, size: 0 };
  if (n.type !== 'file') return `${input.path}: Is a directory`;
  return { token: s.inodes[n.ino]!.data ?? '', size: n.size };
}

/** The simulated pipeline: pure, like exec(). */
export function simPipe(s: SimSystem, stages: readonly PipeStage[], input: PipeInput, output: PipeOutput): { system: SimSystem; result: PipeResult } {
  const res = (system: SimSystem, r: Omit<PipeResult, 'ms' | 'stopped'>) => ({ system, result: { ...r, stopped: false, ms: 0 } });
  const src = readInput(s, input);
  if (typeof src === 'string') return res(s, { stages: [], openError: `ENOENT: ${src}`, bytesOut: 0 });
  let sys = s;
  let outIno: number | null = null;
  if (output.kind === 'newFile') {
    const p = normPath(output.path);
    if (lookup(s, p)) return res(s, { stages: [], openError: `EEXIST: file already exists, open '${p}'`, bytesOut: 0 });
    const parent = lookup(s, parentOf(p));
    if (!parent || parent.type !== 'directory') return res(s, { stages: [], openError: `ENOENT: no such file or directory, open '${p}'`, bytesOut: 0 });
    if (readOnlyAt(s, p)) return res(s, { stages: [], openError: `EROFS: read-only file system, open '${p}'`, bytesOut: 0 });
    const added = addInode(s, p, mountAt(s, p)!.fs, 'file');
    sys = added.s;
    outIno = added.ino;
  } else if (output.kind === 'overwrite' && !lookup(s, output.path)) {
    return res(s, { stages: [], openError: `ENOENT: no such file or directory, open '${output.path}'`, bytesOut: 0 });
  }
  let data: Data | null = src;
  const results = stages.map((st) => {
    const out = stage(s, st.argv, data) ?? { data: null, exitCode: 127, stderr: `lvmsnap-sim: ${JSON.stringify(st.argv)}: not modelled\n` };
    data = out.data;
    return { argv: st.argv, exitCode: out.exitCode, stderr: out.stderr };
  });
  let bytesOut = 0;
  const destLv = output.kind === 'overwrite' ? lvByDevice(sys, output.path) : undefined;
  if (destLv && data !== null) {
    // Raw bytes onto an LV device: it now carries the source's filesystem (what fits of it: a short LV gets ENOSPC).
    const d: Data = data;
    const room = lvDevSize(sys, destLv);
    const carried = d.fs ?? Object.values(sys.lvs).find((l) => `raw(${l.fs.uuid})` === d.token)?.fs ?? { type: 'none', uuid: d.token, usedBytes: 0, dirty: false };
    bytesOut = Math.min(room, d.size);
    sys = edit(sys, { lvs: { [destLv.uuid]: setFields(destLv, { fs: d.size > room ? { type: 'none', uuid: `truncated:${d.token}`, usedBytes: 0, dirty: false } : carried }) } });
    if (d.size > room) results[results.length - 1] = { ...results[results.length - 1]!, exitCode: 1, stderr: 'dd: error writing: No space left on device\n' };
  }
  if (outIno !== null && data !== null) {
    const d: Data = data;
    const avail = fsInfo(sys, sys.inodes[outIno]!.fs)!.avail;
    const full = d.size > avail;
    bytesOut = full ? avail : d.size;
    // ENOSPC: the file keeps what fit (a truncated token), and the last stage fails.
    const token = full ? d.token.slice(0, Math.floor(d.token.length / 2)) : d.token;
    sys = edit(sys, { inodes: { [outIno]: setFields(sys.inodes[outIno]!, { size: bytesOut, alloc: bytesOut, data: token }) } });
    if (full) results[results.length - 1] = { ...results[results.length - 1]!, exitCode: 1, stderr: 'write error: No space left on device\n' };
  }
  return res(sys, { stages: results, openError: null, bytesOut });
}

// ---- file commands ------------------------------------------------------------------------------

/** `mv -T -- FROM TO`: rename within one filesystem (what a backup's .partial -> final rename is). */
export function mv(s: SimSystem, args: readonly string[]): ExecOutput {
  if (args.length !== 4 || args[0] !== '-T' || args[1] !== '--') return notModelled(s, ['mv', ...args]);
  const from = normPath(args[2]!);
  const to = normPath(args[3]!);
  const n = lookup(s, from);
  if (!n || n.type !== 'file') return fail(s, 1, `mv: cannot stat '${from}': No such file or directory\n`);
  const dest = lookup(s, parentOf(to));
  if (!dest || dest.type !== 'directory' || dest.fs !== n.fs) return notModelled(s, ['mv', ...args], 'only renames within one directory tree of one filesystem are modelled');
  if (readOnlyAt(s, from)) return fail(s, 1, `mv: cannot move '${from}' to '${to}': Read-only file system\n`);
  return ok(edit(s, { paths: { [from]: REMOVE, [to]: s.paths[from]! } }));
}

/** `sync --data -- PATH`: durability has no model (the simulator never loses power mid-write); PATH must exist. */
export function sync(s: SimSystem, args: readonly string[]): ExecOutput {
  if (args.length !== 3 || args[0] !== '--data' || args[1] !== '--') return notModelled(s, ['sync', ...args]);
  const path = normPath(args[2]!);
  if (!lookup(s, path) && !lvByDevice(s, path)) return fail(s, 1, `sync: error opening '${args[2]}': No such file or directory\n`);
  return ok(s);
}

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/** `sha256sum -b -- FILE`: hash of the modelled contents (token). */
export function sha256sum(s: SimSystem, args: readonly string[]): ExecOutput {
  if (args.length !== 3 || args[0] !== '-b' || args[1] !== '--') return notModelled(s, ['sha256sum', ...args]);
  const lv = lvByDevice(s, args[2]!);
  // An LV device hashes like an image file of it (the same token readInput gives its raw bytes).
  if (lv) return lv.invalid ? fail(s, 1, `sha256sum: ${args[2]}: Input/output error\n`) : ok(s, `${sha(`raw(${lv.fs.uuid})`)} *${args[2]}\n`);
  const n = lookup(s, args[2]!);
  if (!n || n.type !== 'file') return fail(s, 1, `sha256sum: ${args[2]}: No such file or directory\n`);
  return ok(s, `${sha(s.inodes[n.ino]!.data ?? '')} *${args[2]}\n`);
}

/** `find DIR -mindepth 1 -maxdepth 1 -printf '%f\t%y\t%s\n'`; state files in DIR are listed as files. */
export function find(s: SimSystem, args: readonly string[]): ExecOutput {
  if (args.length !== 7 || args[1] !== '-mindepth' || args[2] !== '1' || args[3] !== '-maxdepth' || args[4] !== '1' || args[5] !== '-printf' || args[6] !== FIND_FORMAT) {
    return notModelled(s, ['find', ...args]);
  }
  const dir = normPath(args[0]!);
  const n = lookup(s, dir);
  if (!n) return fail(s, 1, `find: '${args[0]}': No such file or directory\n`);
  const lines = childrenOf(s, dir).map((p) => {
    const c = lookup(s, p)!;
    return `${p.slice(dir.length + 1)}\t${c.type === 'directory' ? 'd' : c.type === 'file' ? 'f' : 'b'}\t${c.size}\n`;
  });
  for (const [p, text] of Object.entries(s.stateFiles)) if (parentOf(p) === dir) lines.push(`${p.slice(dir.length + 1)}\tf\t${text.length}\n`);
  return ok(s, lines.join(''));
}

/** `TOOL --version` probes: these tools are installed on the simulated host. */
export const versionProbe = (tool: string) => (s: SimSystem, args: readonly string[]): ExecOutput =>
  same(args, ['--version']) ? ok(s, `${tool} (simulated) 1.0\n`) : notModelled(s, [tool, ...args]);
