// The checks a backup makes before its first change, for one target: the request's own values (prefix,
// level, destination path), the origin, an existing snapshot, where the destination lies (not on the
// origin, its snapshot chain, the snapshot mountpoint or the COW tmp file's filesystem), the tools, and
// the room for the new archive. Also the names a backup derives from its target (prefix, mountpoint).
import { posix } from 'node:path';
import { statArgv } from '../commands.js';
import { runApply, runStatus, type EngineDeps } from '../engine.js';
import { BackupRefused, UsageError } from '../errors.js';
import { parseStat } from '../parse/index.js';
import type { HostPort, PipeResult } from '../port.js';
import type { Target } from '../types.js';
import { archivesOf, listDir, must, probeTools, usedBytes } from './files.js';
import { FORMAT_DEFS, missingTool, type Format, type Tools } from './formats.js';
import { prefixProblem } from './names.js';
import type { KeepRules } from './rotation.js';
import { findLvMount } from '../observe.js';

export interface BackupRequest {
  readonly target: Target;
  readonly dest: string;
  readonly format: Format;
  readonly prefix?: string;
  readonly level?: number;
  readonly keep: KeepRules;
  readonly reuseSnapshot: boolean;
  /** Grow the snapshot when its usage passes 80 % while archiving (src/backup/grow.ts). */
  readonly growSnapshot?: boolean;
  readonly cores: number;
  readonly version: string;
  readonly now?: () => Date;
}

export const defaultPrefix = (t: Target): string => `${t.vg}-${t.lv}`;
/** tar formats read the mounted snapshot: without a --mountpoint, lvmsnap mounts it here (and removes it). */
export const defaultMountpoint = (t: Target): string => `/run/lvmsnap-${t.vg}-${t.snapshot}`;

export function backupTarget(t: Target, format: Format): Target {
  return FORMAT_DEFS[format].source === 'files' && t.mountpoint === undefined ? { ...t, mountpoint: defaultMountpoint(t) } : t;
}

/** The command that removes what a backup of this target left (after a kill, a reboot, a failed teardown). */
export const absentCommand = (t: Target): string =>
  ['lvmsnap apply --state absent --vg', t.vg, '--lv', t.lv, ...(t.snapshot !== `${t.lv}-lvmsnap` ? ['--snapshot', t.snapshot] : []),
    ...(t.mountpoint ? ['--mountpoint', t.mountpoint] : []), ...(t.tmpFile ? ['--tmp-file', t.tmpFile] : [])].join(' ');

/** What takeChainDown says when nothing of the chain is left. */
export const CHAIN_REMOVED = 'the snapshot chain was removed';

/** Takes a backup's chain down (after success, failure or a signal); never throws: says what is left. */
export async function takeChainDown(target: Target, engine: EngineDeps): Promise<string> {
  try {
    const r = await runApply(target, { state: 'absent', check: false, waitSeconds: 30 }, engine);
    if (r.planned.plan.refusals.length) return `the snapshot chain was NOT removed: ${r.planned.plan.refusals.join('; ')}`;
    if (r.error) return `the snapshot chain was NOT fully removed: ${r.error.message.split('\n')[0]}; fix that and run: ${absentCommand(target)}`;
    return CHAIN_REMOVED;
  } catch (err) {
    return `the snapshot chain was NOT removed: ${(err as Error).message}; run: ${absentCommand(target)}`;
  }
}

export const GiB = 1024 ** 3;
export const human = (n: number): string => (n >= GiB ? `${(n / GiB).toFixed(1)} GiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`);
export const failedStage = (r: PipeResult): string | null => {
  if (r.openError !== null) return `cannot open the output: ${r.openError}`;
  const bad = r.stages.find((s) => s.exitCode !== 0);
  if (bad) return `${bad.argv[0]} exited ${bad.exitCode}${bad.stderr.trim() ? `: ${bad.stderr.trim().split('\n').slice(-2).join(' | ')}` : ''}`;
  return r.stopped ? 'stopped' : null;
};

export interface Checked {
  readonly target: Target;
  readonly prefix: string;
  readonly level: number;
  readonly tools: Tools;
  readonly entries: Awaited<ReturnType<typeof listDir>>;
  readonly originBytes: number;
  readonly sourceBytes: number | null;
  readonly fstype: string | null;
  readonly cowBytes: number;
  readonly reused: boolean;
  /** The expected archive size (the last one plus 20 %, or the format's ratio of the data), and the destination's free bytes. */
  readonly estimate: number;
  readonly avail: number;
}

/** Every refusal before the first change. */
export async function checkTarget(host: HostPort, req: BackupRequest, deps: EngineDeps): Promise<Checked> {
  const def = FORMAT_DEFS[req.format];
  const prefix = req.prefix ?? defaultPrefix(req.target);
  const pp = prefixProblem(prefix);
  if (pp) throw new UsageError(`--prefix "${prefix}" ${pp}`);
  const level = req.level ?? def.levels[2];
  if (!Number.isInteger(level) || level < def.levels[0] || level > def.levels[1]) {
    throw new UsageError(`--level ${req.level} is out of range for ${req.format}: use ${def.levels[0]}..${def.levels[1]}`);
  }
  if (!req.dest.startsWith('/') || posix.normalize(req.dest) !== req.dest || req.dest.endsWith('/')) {
    throw new UsageError(`--dest "${req.dest}" must be an absolute, normalized path without a trailing /`);
  }
  const target = backupTarget(req.target, req.format);
  const status = await runStatus(target, { host, ...(deps.log ? { log: deps.log } : {}) });
  const { snap } = status;
  const origin = snap.lvs.find((l) => l.vg === target.vg && l.name === target.lv);
  if (!origin) throw new BackupRefused(`there is no LV ${target.vg}/${target.lv} to back up (lvs ${target.vg} lists the LVs)`);
  const existing = snap.lvs.find((l) => l.vg === target.vg && l.name === target.snapshot);
  const snapView = status.views.find((v) => v.kind === 'Snapshot');
  if (existing && !req.reuseSnapshot) {
    throw new BackupRefused(
      `snapshot ${target.vg}/${target.snapshot} already exists (${snapView?.status ?? 'present'}): archiving it would back up data from when it was made, not now.\n` +
      `Pass --reuse-snapshot to archive it anyway (it is removed afterwards), or remove it first: ${absentCommand(target)}`);
  }
  const st = await must(host, statArgv([req.dest]), false, [0, 1]);
  const dest = parseStat(st.stdout)[0];
  if (!dest) throw new BackupRefused(`destination ${req.dest} does not exist: create it first (install -d -m 700 ${req.dest})`);
  if (dest.type !== 'directory') throw new BackupRefused(`destination ${req.dest} is not a directory`);
  const destMount = snap.mounts.find((m) => m.target === dest.mountPoint);
  if (destMount && origin.majMin !== null && destMount.majMin === origin.majMin) {
    throw new BackupRefused(`destination ${req.dest} is on the origin ${target.vg}/${target.lv} itself: every archive byte would be copied into the snapshot and the archive would contain itself; choose a --dest on another filesystem`);
  }
  const onSnapshotLv = destMount && snap.lvs.find((l) => l.vg === target.vg && (l.isSnapshot || (l.thin?.kind === 'volume' && l.origin !== null)) && l.majMin === destMount.majMin);
  if (onSnapshotLv) throw new BackupRefused(`destination ${req.dest} is on snapshot ${target.vg}/${onSnapshotLv.name}: choose a --dest outside the VG's snapshot chain`);
  if (target.mountpoint !== undefined && (`${req.dest}/`).startsWith(`${target.mountpoint}/`)) {
    throw new BackupRefused(`destination ${req.dest} is inside the snapshot mountpoint ${target.mountpoint}`);
  }
  if (snap.tmpFs && snap.tmpFs.target === dest.mountPoint) {
    throw new BackupRefused(`destination ${req.dest} is on ${snap.tmpFs.target}, the filesystem holding the snapshot's COW file ${target.tmpFile}: the archive would eat the snapshot's room; choose another --dest`);
  }
  const tools = await probeTools(host, req.cores);
  const missing = missingTool(req.format, tools);
  if (missing) throw new BackupRefused(missing);

  const entries = await listDir(host, req.dest);
  const originMount = findLvMount(origin, snap.mounts);
  const fsUsed = def.source === 'files' && originMount ? await usedBytes(host, originMount.target) : null;
  const sourceBytes = def.source === 'device' ? origin.sizeBytes : fsUsed;
  const previous = archivesOf(entries, prefix, req.format).sort((a, b) => b.name.localeCompare(a.name))[0];
  const estimate = previous ? Math.ceil(previous.size * 1.2) : Math.ceil((sourceBytes ?? origin.sizeBytes) * def.ratio);
  const avail = await host.statfsAvail(req.dest);
  if (avail === null) throw new BackupRefused(`cannot read the free space of ${req.dest}`);
  if (estimate > avail) {
    throw new BackupRefused(
      `not enough room in ${req.dest}: the archive needs about ${human(estimate)} (${previous ? `the last one, ${previous.name}, plus 20 %` : `${def.ratio * 100} % of ${human(sourceBytes ?? origin.sizeBytes)}`}), ` +
      `only ${human(avail)} is free; free some space (lvmsnap backups prune), or choose another --dest`);
  }
  const existingCow = existing?.sizeBytes ?? 0;
  return {
    target, prefix, level, tools, entries, originBytes: origin.sizeBytes, sourceBytes, fstype: snap.originFstype, cowBytes: existingCow, reused: existing !== undefined, estimate, avail,
  };
}
