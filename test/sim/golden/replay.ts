// Golden sequences of the simulator: JSON-serialisable steps (builders, exec, drift, pure queries and
// SimHost calls) and the replay that turns them into observations. generate.ts records the observations
// of the current code into golden.json; golden.test.ts replays the same steps and insists on the same.
import { createHash } from 'node:crypto';
import { fullreportArgv } from '../../../src/commands.js';
import {
  addDirs, addDisk, addFile, addFilesystem, addLv, addThinLv, addThinPool, addVg, emptySystem, simpleSystem,
  type AddLvOptions, type EmptySystemOptions, type SimpleSystemOptions,
} from '../../../src/sim/build.js';
import { withSystemd } from '../../../src/sim/cmd-systemd.js';
import * as drift from '../../../src/sim/drift.js';
import { exec } from '../../../src/sim/exec.js';
import { childrenOf, fsInfo, lookup, mountAt } from '../../../src/sim/fsview.js';
import { lstat, mountinfo, statfsAvail, sysfsLoops } from '../../../src/sim/kernel-views.js';
import { SimHost, SimulatedCrash } from '../../../src/sim/host.js';
import type { LvmShell } from '../../../src/port.js';
import type { SimFs, SimSystem } from '../../../src/sim/state.js';

export type Step =
  | { op: 'simple'; opts: SimpleSystemOptions }
  | { op: 'empty'; opts: EmptySystemOptions }
  | { op: 'addFile'; path: string; bytes: number }
  | { op: 'addDirs'; paths: string[] }
  | { op: 'addDisk'; name: string; major: number; minor: number; size: number; fstype: string | null }
  | { op: 'addVg'; name: string; devices: string[]; extentSize: number }
  | { op: 'addLv'; vg: string; name: string; bytes: number; opts: AddLvOptions }
  | { op: 'addThinPool'; vg: string; name: string; bytes: number }
  | { op: 'addThinLv'; vg: string; name: string; pool: string; bytes: number; opts: AddLvOptions & { origin?: string; skip?: boolean } }
  | { op: 'addFilesystem'; fs: SimFs; target: string; options: string; fstab: boolean }
  | { op: 'exec'; argv: string[] }
  /** systemd becomes PID 1 with these unit files (cmd-systemd.ts withSystemd). */
  | { op: 'systemd'; unitFiles: string[] }
  | { op: 'drift'; fn: 'reboot' }
  | { op: 'drift'; fn: 'unmount' | 'deleteFile'; path: string }
  | { op: 'drift'; fn: 'detachLoop'; path: string; force: boolean }
  | { op: 'drift'; fn: 'invalidateSnapshot'; vg: string; lv: string }
  | { op: 'drift'; fn: 'fillCow'; vg: string; lv: string; percent: number }
  | { op: 'drift'; fn: 'fillPool'; vg: string; lv: string; percent: number; metadataPercent?: number }
  /** Everything lvmsnap (and a curious test) reads: READS and QUERIES; observed as one short hash each. */
  | { op: 'reads' }
  /** Start a SimHost on the current system; host ops below go to it until endHost. */
  | { op: 'host'; pid: number; crashAfter: number | null }
  | { op: 'run'; argv: string[]; mutating: boolean }
  /** A command through the host's lvm shell (started by its first command), and the shell's end. */
  | { op: 'shellRun'; argv: string[]; mutating: boolean }
  | { op: 'shellClose' }
  | { op: 'readFile' | 'removeFile' | 'lock' | 'unlock'; path: string }
  | { op: 'writeFile'; path: string; data: string }
  | { op: 'uid' }
  | { op: 'readMountinfo' | 'readLoopSysfs' }
  | { op: 'lstat' | 'statfsAvail'; path: string }
  | { op: 'endHost' };

export interface Sequence { readonly name: string; readonly steps: readonly Step[] }

/** What a step did: its result, whether the system object stayed the same, else the new system's hash. */
export interface Obs { out?: unknown; same: boolean; sys?: string }

const LONG = 200;
export const hash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 24);
/** Long strings are kept as a hash (full reports are ~30 kB each); everything else verbatim. */
export function compact(v: unknown): unknown {
  if (typeof v === 'string') return v.length > LONG ? `sha256:${hash(v)}:${v.length}` : v;
  if (Array.isArray(v)) return v.map(compact);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, compact(x)]));
  return v;
}
/** Key order included: the persisted simulator file (persisted.ts) is JSON.stringify of the system. */
export const systemHash = (s: SimSystem): string => hash(JSON.stringify(s));

export function deepFrozen(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return true;
  return Object.isFrozen(v) && Object.values(v).every(deepFrozen);
}

const TMP = '/var/space/extra.tmp';
const SNAP = 'root_snap';
const READS: string[][] = [
  fullreportArgv(),
  ['findmnt', '--json', '--output', 'TARGET,SOURCE,FSTYPE,OPTIONS,MAJ:MIN'], ['losetup', '--list', '--json'], ['losetup', '--find'],
  ['stat', '--printf', '%n\t%F\t%d\t%i\t%s\t%m\n', '--', TMP, '/media/snap', '/var/space', '/dev/loop0', '/dev/vg0/root',
    `/dev/mapper/vg0-${SNAP}`, '/dev/dm-1', '/mnt/root', '/dev/vg0', '/dev/mapper', '/srv/a/f.img', '/dev/vda', '/dev'],
  ...['/var/space', '/media/snap', '/srv/a', '/mnt/root'].map((d) => ['df', '--block-size=1', '--output=source,fstype,avail,target', '--', d]),
  ...['/dev/loop0', `/dev/vg0/${SNAP}`, '/dev/dm-0', '/dev/vda', '/dev/vdc', TMP, '/dev/loop3', '/dev/nothing']
    .map((d) => ['blkid', '--probe', '--output', 'value', '--match-tag', 'TYPE', '--', d]),
];
const QUERIES = [
  ['fsInfo', 'space'], ['fsInfo', 'root'], ['childrenOf', '/media'], ['childrenOf', '/var/space'], ['lookup', TMP],
  ['mountAt', '/media/snap/x'], ['lookup', '/srv/a/f.img'],
] as const;

const KERNEL_PATHS = [TMP, '/media/snap', '/var/space', '/dev/loop0', '/dev/vg0/root', '/mnt/root', '/srv/a/f.img', '/nope'];

/** One 10-hex-digit hash per read (outputs, the system identity) so a difference points at its read. */
function reads(s: SimSystem): string[] {
  const outs: unknown[] = READS.map((argv) => { const r = exec(s, argv); return [r.result, r.system === s]; });
  for (const [fn, arg] of QUERIES) outs.push({ fsInfo, lookup, childrenOf, mountAt }[fn](s, arg) ?? null);
  // The kernel views (HostPort reads without a process), appended so the older reads keep their place.
  outs.push(mountinfo(s), sysfsLoops(s));
  for (const p of KERNEL_PATHS) outs.push([lstat(s, p), statfsAvail(s, p)]);
  return outs.map((o) => hash(JSON.stringify(o)).slice(0, 10));
}

function pure(s: SimSystem, step: Step): { system: SimSystem; out?: unknown } {
  switch (step.op) {
    case 'simple': return { system: simpleSystem(step.opts) };
    case 'empty': return { system: emptySystem(step.opts) };
    case 'addFile': return { system: addFile(s, step.path, step.bytes) };
    case 'addDirs': return { system: addDirs(s, step.paths) };
    case 'addDisk': return { system: addDisk(s, step.name, step.major, step.minor, step.size, step.fstype) };
    case 'addVg': return { system: addVg(s, step.name, step.devices, step.extentSize) };
    case 'addLv': return { system: addLv(s, step.vg, step.name, step.bytes, step.opts) };
    case 'addThinPool': return { system: addThinPool(s, step.vg, step.name, step.bytes) };
    case 'addThinLv': return { system: addThinLv(s, step.vg, step.name, step.pool, step.bytes, step.opts) };
    case 'addFilesystem': return { system: addFilesystem(s, step.fs, step.target, step.options, step.fstab) };
    case 'exec': { const r = exec(s, step.argv); return { system: r.system, out: r.result }; }
    case 'systemd': return { system: withSystemd(s, step.unitFiles) };
    case 'drift': return { system: driftStep(s, step) };
    case 'reads': return { system: s, out: reads(s) };
    default: throw new Error(`not a pure step: ${step.op}`);
  }
}

function driftStep(s: SimSystem, step: Extract<Step, { op: 'drift' }>): SimSystem {
  switch (step.fn) {
    case 'reboot': return drift.reboot(s);
    case 'unmount': return drift.unmount(s, step.path);
    case 'deleteFile': return drift.deleteFile(s, step.path);
    case 'detachLoop': return drift.detachLoop(s, step.path, step.force);
    case 'invalidateSnapshot': return drift.invalidateSnapshot(s, step.vg, step.lv);
    case 'fillCow': return drift.fillCow(s, step.vg, step.lv, step.percent);
    case 'fillPool': return drift.fillPool(s, step.vg, step.lv, step.percent, step.metadataPercent);
  }
}

/** The lvm shell of each replayed host (one at a time, as the applier uses them). */
const shells = new WeakMap<SimHost, LvmShell>();

async function hostStep(h: SimHost, step: Step): Promise<unknown> {
  try {
    switch (step.op) {
      case 'shellRun': {
        let shell = shells.get(h);
        if (!shell) shells.set(h, (shell = h.lvmShell()));
        const { argv, ...r } = await shell.run(step.argv, { mutating: step.mutating });
        return { ...r, argvSame: argv.join('\0') === step.argv.join('\0') };
      }
      case 'shellClose': {
        await shells.get(h)?.close();
        shells.delete(h);
        return null;
      }
      case 'run': {
        // The argv is the step's own; the rest of the CommandResult is what counts.
        const { argv, ...r } = await h.run(step.argv, { mutating: step.mutating });
        return { ...r, argvSame: argv.join('\0') === step.argv.join('\0') };
      }
      case 'readFile': return await h.readFile(step.path);
      case 'writeFile': return (await h.writeFile(step.path, step.data)) ?? null;
      case 'removeFile': return (await h.removeFile(step.path)) ?? null;
      case 'lock': return await h.lock(step.path);
      case 'unlock': return (await h.unlock(step.path)) ?? null;
      case 'uid': return h.uid();
      case 'readMountinfo': return await h.readMountinfo();
      case 'readLoopSysfs': return await h.readLoopSysfs();
      case 'lstat': return await h.lstat(step.path);
      case 'statfsAvail': return await h.statfsAvail(step.path);
      default: throw new Error(`not a host step: ${step.op}`);
    }
  } catch (err) {
    if (err instanceof SimulatedCrash) return { crash: err.message };
    throw err;
  }
}

/** Run the steps from an empty start; one observation per step, plus a summary of the end state. */
export async function replay(seq: Sequence): Promise<{ obs: Obs[]; final: { sys: string; frozen: boolean } }> {
  let s = emptySystem();
  let host: SimHost | null = null;
  const obs: Obs[] = [];
  for (const step of seq.steps) {
    const before: SimSystem = host ? host.system : s;
    let out: unknown;
    if (step.op === 'host') {
      host = new SimHost(s, step.crashAfter === null ? { pid: step.pid } : { pid: step.pid, crashAfterMutating: step.crashAfter });
      out = { crashed: host.crashed };
    } else if (step.op === 'endHost') {
      const h = host!;
      out = {
        crashed: h.crashed, mutatingCount: h.mutatingCount, dmesg: h.dmesg,
        calls: hash(JSON.stringify(h.calls.map(({ elapsedMs: _e, ...c }) => c))),
      };
      s = h.system;
      host = null;
    } else if (host) out = await hostStep(host, step);
    else ({ system: s, out } = pure(s, step));
    const after = host ? host.system : s;
    const o: Obs = { same: after === before };
    if (out !== undefined) o.out = compact(out);
    if (!o.same) o.sys = systemHash(after);
    obs.push(o);
  }
  return { obs, final: { sys: systemHash(s), frozen: deepFrozen(s) } };
}
