// Shared plumbing of the command handlers: results, argv parsing, id generators and the kernel's
// after-effects that follow any change (lazy loop detach, freeing unreferenced inodes).
import { produce } from 'immer';
import { edit } from './edit.js';
import { Memo } from './memo.js';
import { devIndex, type SimInode, type SimLoop, type SimSystem } from './state.js';

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Kernel log lines (dmesg) the command caused; not part of the system state. */
  readonly notes?: readonly string[];
}
export interface ExecOutput { readonly system: SimSystem; readonly result: ExecResult }
export type Handler = (s: SimSystem, args: readonly string[]) => ExecOutput;

export const ok = (system: SimSystem, stdout = '', stderr = '', notes?: string[]): ExecOutput =>
  ({ system, result: { exitCode: 0, stdout, stderr, ...(notes ? { notes } : {}) } });
export const fail = (system: SimSystem, exitCode: number, stderr: string, stdout = '', notes?: string[]): ExecOutput =>
  ({ system, result: { exitCode, stdout, stderr, ...(notes ? { notes } : {}) } });
/** A command or argv shape the simulator does not know: loud, like a missing binary. */
export const notModelled = (system: SimSystem, argv: readonly string[], why = 'command not found in simulator'): ExecOutput =>
  fail(system, 127, `lvmsnap-sim: ${JSON.stringify(argv)}: ${why}\n`);

export interface ParsedArgs { flags: Map<string, string[]>; pos: string[] }

/**
 * Parse GNU-style options: `bool` flags take no value, `value` flags take one (`--x v` or `--x=v`);
 * everything after `--` is positional. Returns null on an option not in the spec.
 */
export function parseArgs(args: readonly string[], bool: readonly string[], value: readonly string[]): ParsedArgs | null {
  const flags = new Map<string, string[]>();
  const pos: string[] = [];
  const add = (k: string, v: string): void => { flags.set(k, [...(flags.get(k) ?? []), v]); };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') { pos.push(...args.slice(i + 1)); break; }
    if (!a.startsWith('-') || a === '-') { pos.push(a); continue; }
    const eq = a.indexOf('=');
    const key = eq > 0 && a.startsWith('--') ? a.slice(0, eq) : a;
    if (bool.includes(key) && eq < 0) add(key, '');
    else if (value.includes(key)) {
      const v = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : args[++i];
      if (v === undefined) return null;
      add(key, v);
    } else return null;
  }
  return { flags, pos };
}

// ---- generators ------------------------------------------------------------------------------

/** A new inode at path, numbered by the monotonic counter: the next system and the inode's number. */
export function addInode(s: SimSystem, path: string, fs: string, type: SimInode['type']): { s: SimSystem; ino: number } {
  const ino = s.counters.ino + 1;
  const inode: SimInode = { ino, fs, type, size: 0, alloc: 0, label: null };
  return { s: edit(s, { counters: { ino }, inodes: { [ino]: inode }, paths: { [path]: ino } }), ino };
}

// ---- kernel after-effects ---------------------------------------------------------------------

/** A loop device is held open by device-mapper while an active LV has extents on its PV. */
export function loopOpen(s: SimSystem, loopName: string): boolean {
  const byLabel = devIndex(s).byLabel;
  return Object.values(s.lvs).some((lv) => lv.active && lv.segs.some((g) => byLabel.get(g.pv)?.name === loopName));
}

/** Inodes that no path and no loop device (other than those released) references. */
function deadInodes(s: SimSystem, release: readonly SimLoop[]): number[] {
  const live = new Set<number>(Object.values(s.paths));
  for (const l of Object.values(s.loops)) if (l.ino !== null && !release.includes(l)) live.add(l.ino);
  return Object.keys(s.inodes).map(Number).filter((ino) => !live.has(ino));
}
const deadMemo = new Memo<readonly number[]>();

/** Detach autoclear loops nobody holds any more; free inodes that no path or loop references. */
export function settle(s: SimSystem): SimSystem {
  const release = Object.values(s.loops).filter((l) => l.autoclear && l.ino !== null && !loopOpen(s, l.name));
  const dead = release.length ? deadInodes(s, release) : deadMemo.get([s.paths, s.loops, s.inodes], () => deadInodes(s, release));
  if (release.length === 0 && dead.length === 0) return s;
  return produce(s, (d) => {
    for (const l of release) d.loops[l.name] = { ...d.loops[l.name]!, ino: null, file: null, size: 0, autoclear: false };
    for (const ino of dead) delete d.inodes[ino];
  });
}

/** "1.00 GiB"-style size as lvm prints it. */
export function humanSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? `${bytes} B` : `${v.toFixed(2)} ${units[u]}`;
}
