// One system-wide observation pass for `recover` and `check reboot` (no target): LVM (the one process),
// loop devices (sysfs), mounts (mountinfo), every journal under the state directory, whether systemd runs
// and the state of the shutdown guard of every journaled tmp file's directory. Read-only.
import { posix } from 'node:path';
import { fullreportArgv, systemctlShowArgv } from '../commands.js';
import { CommandFailed } from '../errors.js';
import { parseJournal } from '../journal.js';
import { parseFullreport, parseMountinfo, parseSysfsLoops, parseSystemctlShow, type UnitState } from '../parse/index.js';
import type { CommandResult, HostPort } from '../port.js';
import { guardUnitFor, SYSTEMD_RUN_DIR } from '../systemd-units.js';
import type { Journal, ObservedLoop, ObservedLv, ObservedMount, ObservedPv, ObservedVg, SystemSnapshot } from '../types.js';

export interface JournalFile { readonly path: string; readonly journal: Journal }

/** The system-wide view: the LVM/loop/mount part of a target's SystemSnapshot, plus journals and units. */
export interface HostView extends Pick<SystemSnapshot, 'uid' | 'vgs' | 'pvs' | 'lvs' | 'loops' | 'mounts'> {
  readonly stateDir: string;
  readonly journals: readonly JournalFile[];
  /** systemd is PID 1. */
  readonly systemd: boolean;
  /** State of the guard unit of each journaled tmp file's directory, by unit name (empty without systemd). */
  readonly units: Readonly<Record<string, UnitState>>;
}

const READ_ONLY = { mutating: false } as const;

export async function observeHost(host: HostPort, stateDir: string): Promise<HostView> {
  const run = async (argv: string[], okExit: readonly number[] = [0]): Promise<CommandResult> => {
    const res = await host.run(argv, READ_ONLY);
    if (!okExit.includes(res.exitCode)) throw new CommandFailed(res.argv, res.exitCode, res.stderr);
    return res;
  };
  // One process (the LVM report); mounts, loop devices and systemd come from what the kernel exposes.
  const [report, loops, mounts, systemd, journals] = await Promise.all([
    run(fullreportArgv()).then((r) => parseFullreport(r.stdout)),
    host.readLoopSysfs().then((l) => parseSysfsLoops(l).bound.map(({ name, backFile, backFileDeleted }): ObservedLoop => ({ name, backFile, backFileDeleted }))),
    host.readMountinfo().then(parseMountinfo),
    host.lstat(SYSTEMD_RUN_DIR).then((st) => st?.type === 'directory'),
    readJournals(host, stateDir),
  ]);
  const unitNames = [...new Set(journals.flatMap((j) => (j.journal.tmpFile ? [guardUnitFor(j.journal.tmpFile.path)] : [])))].sort();
  let units: Record<string, UnitState> = {};
  if (systemd && unitNames.length > 0) {
    const states = parseSystemctlShow((await run(systemctlShowArgv(unitNames))).stdout, unitNames);
    units = Object.fromEntries(states.map((u, i) => [unitNames[i]!, u]));
  }
  return { uid: host.uid(), stateDir, vgs: report.vgs, pvs: report.pvs, lvs: report.lvs, loops, mounts, journals, systemd, units };
}

/** `<stateDir>/<vg>/<snapshot>.json`, every one of them (a corrupt journal throws JournalCorrupt). */
async function readJournals(host: HostPort, stateDir: string): Promise<JournalFile[]> {
  const out: JournalFile[] = [];
  for (const vg of await host.listDir(stateDir)) {
    for (const name of await host.listDir(posix.join(stateDir, vg))) {
      if (!name.endsWith('.json')) continue;
      const path = posix.join(stateDir, vg, name);
      const text = await host.readFile(path);
      const journal = text === null ? null : parseJournal(text, path);
      if (journal) out.push({ path, journal });
    }
  }
  return out;
}
