// Shared check: the simulator's kernel views agree with its tools (findmnt, losetup, stat, df).
// Compared as JSON text: vitest's deep equality is too slow for the property suite's thousands of calls.
import { expect } from 'vitest';
import * as C from '../../src/commands.js';
import { parseFindmnt, parseLosetupFind, parseLosetupList, parseMountinfo, parseStat, parseSysfsLoops } from '../../src/parse/index.js';
import { lstat, mountinfo, statfsAvail, sysfsLoops } from '../../src/sim/kernel-views.js';
import { exec, type SimSystem } from '../../src/sim/model.js';
import { TMP } from './helpers.js';

const PATHS = [TMP, '/var/space', '/media/snap', '/media', '/mnt/root', '/dev/loop0', '/dev/vg0/root', '/dev/mapper/vg0-root', '/nope', '/var/space/nope/x'];
const byTarget = <T extends { target: string }>(l: readonly T[]): T[] => [...l].sort((a, b) => a.target.localeCompare(b.target));
const same = (what: string, kernel: unknown, tool: unknown): void => {
  const [k, t] = [JSON.stringify(kernel), JSON.stringify(tool)];
  if (k !== t) expect(`${what}: ${k}`).toBe(`${what}: ${t}`);
};

export function expectKernelViewsAgree(s: SimSystem): void {
  const out = (argv: string[]) => exec(s, argv).result;
  same('mounts', byTarget(parseMountinfo(mountinfo(s))), byTarget(parseFindmnt(out(C.findmntArgv()).stdout)));
  const loops = parseSysfsLoops(sysfsLoops(s));
  const listed = parseLosetupList(out(C.losetupListArgv()).stdout);
  same('loops', loops.bound.map(({ name, backFile, backFileDeleted }) => ({ name, backFile, backFileDeleted })),
    [...listed].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true })));
  const find = out(C.losetupFindArgv());
  same('free loop', loops.free[0] ?? null, find.exitCode === 0 ? parseLosetupFind(find.stdout) : null);
  const stats = new Map(parseStat(out(C.statArgv(PATHS)).stdout).map((p) => [p.path, p]));
  for (const p of PATHS) {
    const st = stats.get(p);
    same(`lstat ${p}`, lstat(s, p), st ? { type: st.type, dev: st.dev, ino: st.ino, size: st.size } : null);
    const df = out(C.dfArgv(p));
    same(`statfs ${p}`, statfsAvail(s, p), df.exitCode === 0 ? Number(df.stdout.split('\n')[1]!.trim().split(/\s+/)[2]) : null);
  }
}
