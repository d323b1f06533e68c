// One observation pass: one LVM report (the only process, or a line in an apply's lvm shell; plus blkid
// or losetup --find in rare states)
// and what the kernel already exposes (mountinfo, sysfs loop devices, lstat, statfs), parsed into a
// SystemSnapshot for the planner. Never changes anything.
import { posix } from 'node:path';
import { observeBlockDevice } from './cow-device/observe.js';
import { blkidTypeArgv, fullreportArgv, losetupFindArgv, systemctlShowArgv } from './commands.js';
import { CommandFailed, LvmsnapError } from './errors.js';
import { mountHolding } from './facts.js';
import { journalPath, parseJournal } from './journal.js';
import { parseBlkidType, parseFullreport, parseLosetupFind, parseMountinfo, parseSysfsLoops, parseSystemctlShow } from './parse/index.js';
import { guardUnitFor, SYSTEMD_RUN_DIR } from './systemd-units.js';
import type { CommandResult, HostPort, LvmShell } from './port.js';
import type { GuardState, ObservedFs, ObservedLoop, ObservedLv, ObservedMount, ObservedPath, SystemSnapshot, Target } from './types.js';

export interface ObserveOptions {
  /** Called with the stderr of a command that succeeded but warned (e.g. lvm about a missing PV). */
  readonly onWarning?: (argv: readonly string[], stderr: string) => void;
  /**
   * An lvm shell to ask for the LVM report instead of a process of its own: an apply then starts one
   * `lvm` for the report and the plan's LVM commands together (src/engine.ts).
   */
  readonly shell?: LvmShell | null;
}

const READ_ONLY = { mutating: false } as const;

export async function observe(host: HostPort, target: Target, opts: ObserveOptions = {}): Promise<SystemSnapshot> {
  const run = async (argv: string[], okExit: readonly number[] = [0], shell: LvmShell | null = null): Promise<CommandResult> => {
    const res = await (shell ?? host).run(argv, READ_ONLY);
    if (!okExit.includes(res.exitCode)) throw new CommandFailed(res.argv, res.exitCode, res.stderr);
    if (res.exitCode === 0 && res.stderr.trim() !== '') opts.onWarning?.(res.argv, res.stderr);
    return res;
  };

  const tmpDir = target.tmpFile !== undefined ? posix.dirname(target.tmpFile) : undefined;
  // The mountpoint's parent too: mkdir needs it, and pre-flight must say so before anything changes.
  const mountParent = target.mountpoint !== undefined ? posix.dirname(target.mountpoint) : undefined;
  const statPaths = unique([target.tmpFile, tmpDir, target.mountpoint, mountParent]);
  const jPath = journalPath(target);

  // Phase 1: everything that depends on nothing else. The LVM report is the one process; the
  // kernel reads finish while it runs.
  const [report, mounts, loops, stats, journal, systemdDir, cowDevice] = await Promise.all([
    run(fullreportArgv(), [0], opts.shell ?? null).then((r) => parseFullreport(r.stdout)),
    host.readMountinfo().then(parseMountinfo),
    host.readLoopSysfs().then(parseSysfsLoops),
    Promise.all(statPaths.map(async (p) => [p, await host.lstat(p)] as const)),
    host.readFile(jPath).then((text) => (text === null ? null : parseJournal(text, jPath))),
    // With a tmp file: is systemd PID 1 (then present starts the shutdown guard)?
    target.tmpFile !== undefined ? host.lstat(SYSTEMD_RUN_DIR) : Promise.resolve(null),
    target.cowDevice !== undefined ? observeBlockDevice(host, target.cowDevice) : Promise.resolve(undefined),
  ]);
  if (journal && (journal.vg !== target.vg || journal.snapshot !== target.snapshot)) {
    throw new LvmsnapError(`journal ${jPath} is for ${journal.vg}/${journal.snapshot}, not ${target.vg}/${target.snapshot}`);
  }
  const paths: Record<string, ObservedPath> = {};
  for (const [path, st] of stats) {
    // stat(1)'s %m: the mount point of the filesystem holding the path.
    if (st) paths[path] = { path, ...st, mountPoint: mountHolding(mounts, path)?.target ?? '/' };
  }
  const bound: readonly ObservedLoop[] = loops.bound.map(({ name, backFile, backFileDeleted }) => ({ name, backFile, backFileDeleted }));

  // Phase 2: reads needed only in some states.
  const origin = report.lvs.find((lv) => lv.vg === target.vg && lv.name === target.lv);
  const originMount = origin ? findLvMount(origin, mounts) : undefined;
  const needFreeLoop =
    target.tmpFile !== undefined && target.loopDevice === undefined && !boundLoop(bound, target.tmpFile);
  const needBlkid = target.mountpoint !== undefined && origin?.active === true && originMount === undefined;

  const systemd = systemdDir?.type === 'directory';
  const [tmpFs, freeLoop, blkidType, guard] = await Promise.all([
    tmpDir !== undefined && paths[tmpDir]?.type === 'directory' ? tmpFsOf(host, tmpDir, mounts) : null,
    // The kernel hands out the lowest unbound device (LOOP_CTL_GET_FREE), as `losetup --find` does.
    // Only when none exists is losetup asked: the kernel then adds a device (or there is none).
    needFreeLoop ? (loops.free[0] ?? findFreeLoop(host)) : null,
    needBlkid ? run(blkidTypeArgv(origin!.dmPath), [0, 2]).then((r) => parseBlkidType(r.stdout)) : null,
    target.tmpFile === undefined ? undefined : observeGuard(run, guardUnitFor(target.tmpFile), systemd),
  ]);

  return {
    uid: host.uid(),
    vgs: report.vgs,
    pvs: report.pvs,
    lvs: report.lvs,
    loops: bound,
    mounts,
    paths,
    tmpFs,
    freeLoop,
    originFstype: originMount?.fstype ?? blkidType,
    journal,
    ...(guard !== undefined ? { guard } : {}),
    ...(cowDevice !== undefined ? { cowDevice } : {}),
  };
}

/** The guard unit's state; systemctl is asked only when systemd runs. */
async function observeGuard(run: (argv: string[]) => Promise<CommandResult>, unit: string, systemd: boolean): Promise<GuardState> {
  if (!systemd) return { running: false, unit, load: 'unknown', active: 'unknown' };
  const [u] = parseSystemctlShow((await run(systemctlShowArgv([unit]))).stdout, [unit]);
  return { running: true, unit, load: u!.load, active: u!.active };
}

/** df's answer for the tmp file's directory: statfs for the free space, mountinfo for the rest. */
async function tmpFsOf(host: HostPort, dir: string, mounts: readonly ObservedMount[]): Promise<ObservedFs | null> {
  const avail = await host.statfsAvail(dir);
  const m = mountHolding(mounts, dir);
  if (avail === null || !m) return null;
  return { source: m.source, fstype: m.fstype, availBytes: avail, target: m.target };
}

/** The mount of an LV: same device number, or source naming its device (btrfs shows "dev[/subvol]"). */
export function findLvMount(lv: ObservedLv, mounts: readonly ObservedMount[]): ObservedMount | undefined {
  const names = [lv.dmPath, lv.path].filter((n) => n !== '');
  return mounts.find(
    (m) =>
      (lv.majMin !== null && m.majMin === lv.majMin) ||
      names.some((n) => m.source === n || m.source.startsWith(`${n}[`)),
  );
}

/** A loop device bound to the file (not to an older, deleted file of the same name). */
export function boundLoop(loops: readonly ObservedLoop[], file: string): ObservedLoop | undefined {
  return loops.find((l) => l.backFile === file && !l.backFileDeleted);
}

/** `losetup --find`; null when there is no free device (exit 1, "cannot find an unused loop device"). */
async function findFreeLoop(host: HostPort): Promise<string | null> {
  const res = await host.run(losetupFindArgv(), READ_ONLY);
  if (res.exitCode === 0) return parseLosetupFind(res.stdout);
  if (/cannot find an unused loop device/i.test(res.stderr)) return null;
  throw new CommandFailed(res.argv, res.exitCode, res.stderr);
}

function byPath(list: readonly ObservedPath[]): Record<string, ObservedPath> {
  return Object.fromEntries(list.map((p) => [p.path, p]));
}

function unique(list: readonly (string | undefined)[]): string[] {
  return [...new Set(list.filter((p): p is string => p !== undefined && p !== ''))];
}
