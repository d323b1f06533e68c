// `lvmsnap backup`: checks everything first, brings the chain present through the engine, archives the
// snapshot through a pipeline into `<name>.partial`, checksums and tests it, writes `.sha256` and the
// manifest, renames it into place, brings the chain absent and prunes. Any failure or signal removes the
// partial file and its companions and takes the chain down; the error says what is left.
import { posix } from 'node:path';
import { statArgv } from '../commands.js';
import { runApply, runStatus, type EngineDeps } from '../engine.js';
import { BackupFailed, BackupRefused, LockHeld, LvmsnapError, UsageError } from '../errors.js';
import { parseStat } from '../parse/index.js';
import type { HostPort, PipeResult } from '../port.js';
import type { Target } from '../types.js';
import { archivesOf, leftoversOf, listDir, must, probeTools, sha256Of, usedBytes } from './files.js';
import { FORMAT_DEFS, missingTool, partialName, type Format, type PipeCall, type Tools } from './formats.js';
import { sha256Line, type Manifest } from './manifest.js';
import { freshName, prefixProblem } from './names.js';
import { decidePrune, prune, type PruneResult } from './prune.js';
import { commitPlan, leftoverPlan, planCommands, runFilePlan } from './file-plan.js';
import { applyPlan } from '../apply.js';
import { hasRules, type KeepRules } from './rotation.js';
import { UsageWatch } from './watch.js';
import { findLvMount } from '../observe.js';
import { RecordingHost } from '../recording-host.js';
import { runGrow } from './grow.js';

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

export interface BackupProgress {
  readonly phase: 'archive' | 'verify';
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly totalIn: number | null;
  readonly usagePercent: number | null;
}

export interface BackupDeps extends EngineDeps {
  readonly warn?: (msg: string) => void;
  readonly onProgress?: (p: BackupProgress) => void;
  readonly watchIntervalMs?: number;
}

export interface BackupReport {
  readonly archive: string;
  readonly manifest: Manifest;
  readonly pruned: readonly string[];
  readonly removedLeftovers: readonly string[];
  readonly warnings: readonly string[];
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

const GiB = 1024 ** 3;
const human = (n: number): string => (n >= GiB ? `${(n / GiB).toFixed(1)} GiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`);
const failedStage = (r: PipeResult): string | null => {
  if (r.openError !== null) return `cannot open the output: ${r.openError}`;
  const bad = r.stages.find((s) => s.exitCode !== 0);
  if (bad) return `${bad.argv[0]} exited ${bad.exitCode}${bad.stderr.trim() ? `: ${bad.stderr.trim().split('\n').slice(-2).join(' | ')}` : ''}`;
  return r.stopped ? 'stopped' : null;
};

interface Checked {
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
}

/** Every refusal before the first change. */
async function check(host: HostPort, req: BackupRequest, deps: BackupDeps): Promise<Checked> {
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
    target, prefix, level, tools, entries, originBytes: origin.sizeBytes, sourceBytes, fstype: snap.originFstype, cowBytes: existingCow, reused: existing !== undefined,
  };
}

/** What `backup --check` shows: every command a backup would run, in order; nothing is changed. */
export interface BackupCheck {
  readonly archive: string;
  /** The chain's present plan (as `apply --state present --check`, rehearsed when the engine can). */
  readonly present: Awaited<ReturnType<typeof runApply>>;
  readonly archiveCommand: readonly (readonly string[])[];
  readonly verifyCommand: readonly (readonly string[])[];
  /** The commit: companions written, then the archive's data synced and renamed into place (a plan). */
  readonly commit: readonly (readonly string[])[];
  /** The .sha256 and .json the commit writes first. */
  readonly companions: readonly string[];
  /** Removal of leftovers of interrupted runs of this prefix (a plan, run first). */
  readonly leftovers: readonly (readonly string[])[];
  /** Then the chain's absent plan: everything the present plan creates is removed again. */
  readonly prune: { readonly decisions: PruneResult['decisions']; readonly commands: readonly (readonly string[])[] };
}

export async function checkBackup(host: HostPort, req: BackupRequest, deps: BackupDeps): Promise<BackupCheck> {
  const c = await check(host, req, deps);
  const def = FORMAT_DEFS[req.format];
  const started = (req.now ?? (() => new Date()))();
  const name = freshName(c.prefix, def.ext, started, new Set(c.entries.map((e) => e.name)));
  const partial = `${req.dest}/${partialName(name, req.format)}`;
  const final = `${req.dest}/${name}`;
  const present = await runApply(c.target, { state: 'present', check: true, waitSeconds: 0 }, deps);
  const src = def.source === 'files' ? c.target.mountpoint! : `/dev/${c.target.vg}/${c.target.snapshot}`;
  const argvs = (p: PipeCall) => p.stages.map((st) => [...st.argv]);
  // The new archive takes part in the rotation (rules keep the newest, so it is always kept).
  const listed = [...c.entries, { name, type: 'f', size: 0 }, { name: `${name}.sha256`, type: 'f', size: 0 }, { name: `${name}.json`, type: 'f', size: 0 }];
  const pruned = hasRules(req.keep) ? decidePrune(listed, { dest: req.dest, prefix: c.prefix, format: req.format, keep: req.keep, now: started }) : null;
  return {
    archive: final, present,
    archiveCommand: argvs(def.create(src, partial, c.level, c.tools)), verifyCommand: argvs(def.test(partial, c.tools)),
    commit: planCommands(commitPlan(partial, final, [])),
    companions: [`${final}.sha256`, `${final}.json`],
    leftovers: planCommands(leftoverPlan(req.dest, leftoversOf(c.entries, c.prefix))),
    prune: { decisions: pruned?.decisions ?? [], commands: pruned ? planCommands(pruned.plan) : [] },
  };
}

export async function runBackup(host: HostPort, req: BackupRequest, deps: BackupDeps): Promise<BackupReport> {
  const now = req.now ?? (() => new Date());
  const warnings: string[] = [];
  const warn = (m: string): void => { warnings.push(m); deps.warn?.(m); };
  const c = await check(host, req, deps);
  const { target } = c;
  const def = FORMAT_DEFS[req.format];
  const stop = deps.stopRequested ?? (() => false);

  const lock = `${deps.lockDir ?? '/run/lock/lvmsnap'}/backup-${target.vg}-${target.snapshot}.lock`;
  const got = await host.lock(lock);
  if (!got.acquired) throw new LockHeld(lock, got.holder);
  try {
    // Under the lock, no other backup of this target runs: leftovers of this prefix are from dead runs.
    const leftovers = leftoversOf(c.entries, c.prefix);
    if (leftovers.length) await runFilePlan(host, leftoverPlan(req.dest, leftovers), 'removing leftovers of interrupted backups');
    if (leftovers.length) warn(`removed leftovers of interrupted backups: ${leftovers.join(', ')}`);

    const started = now();
    const name = freshName(c.prefix, def.ext, started, new Set(c.entries.map((e) => e.name)));
    const partial = `${req.dest}/${partialName(name, req.format)}`;
    const final = `${req.dest}/${name}`;
    const companions = [`${final}.sha256`, `${final}.json`];
    const engine: EngineDeps = { ...deps, stopRequested: () => false };

    const teardown = async (): Promise<string> => {
      try {
        const r = await runApply(target, { state: 'absent', check: false, waitSeconds: 30 }, engine);
        if (r.planned.plan.refusals.length) return `the snapshot chain was NOT removed: ${r.planned.plan.refusals.join('; ')}`;
        if (r.error) return `the snapshot chain was NOT fully removed: ${r.error.message.split('\n')[0]}; fix that and run: ${absentCommand(target)}`;
        return 'the snapshot chain was removed';
      } catch (err) {
        return `the snapshot chain was NOT removed: ${(err as Error).message}; run: ${absentCommand(target)}`;
      }
    };
    const fail = async (why: string, cause?: unknown): Promise<never> => {
      const cleaned: string[] = [];
      for (const f of [partial, ...companions]) {
        try {
          await applyPlan(leftoverPlan(req.dest, [posix.basename(f)]), host, null, null);
        } catch {
          cleaned.push(`could not remove ${f}`);
        }
      }
      const chain = await teardown();
      throw new BackupFailed(`backup failed: ${why}`, `state left: no archive was written (${cleaned.length ? cleaned.join('; ') : `${posix.basename(partial)} removed`}); ${chain}.`, { cause });
    };
    const archive = async (): Promise<Manifest> => {
      const present = await runApply(target, { state: 'present', check: false, waitSeconds: 0 }, deps);
      if (present.planned.plan.refusals.length) throw new BackupRefused(`cannot make the snapshot: ${present.planned.plan.refusals.join('; ')}`);
      if (present.error) return await fail(`making the snapshot: ${present.error.message.split('\n')[0]}`, present.error);
      if (stop()) return await fail('stopped by a signal');

      const src = def.source === 'files' ? target.mountpoint! : `/dev/${target.vg}/${target.snapshot}`;
      const totalIn = def.source === 'files' ? await usedBytes(host, src) : c.originBytes;
      const grow = req.growSnapshot ? () => runGrow(new RecordingHost(host, deps.log), target, deps.lockDir) : undefined;
      const watch = new UsageWatch(host, target.vg, target.snapshot, warn, grow);
      await watch.sample();
      watch.start(deps.watchIntervalMs ?? 5000);
      const pipe = async (call: PipeCall, phase: BackupProgress['phase']): Promise<PipeResult> =>
        host.pipe(call.stages, call.input, call.output, {
          mutating: phase === 'archive',
          stopRequested: () => stop() || watch.invalid,
          onProgress: (p) => deps.onProgress?.({ phase, ...p, totalIn: phase === 'archive' ? totalIn : null, usagePercent: watch.last }),
        });
      const create = def.create(src, partial, c.level, c.tools);
      let made: PipeResult;
      try {
        made = await pipe(create, 'archive');
      } finally {
        watch.stop();
      }
      await watch.sample(true);
      if (watch.invalid) {
        const tried = watch.grows.length ? ` even after growing it ${watch.grows.length} time(s)` : '';
        return await fail(`snapshot ${target.vg}/${target.snapshot} became invalid (its COW space filled up) while archiving${tried}: the archive would be inconsistent; retry with a larger --size${req.growSnapshot ? '' : ' or with --grow-snapshot'}`);
      }
      const bad = failedStage(made);
      if (bad) return await fail(stop() ? 'stopped by a signal' : `archiving: ${bad}`);

      const sha256 = await sha256Of(host, partial);
      const tested = await pipe(def.test(partial, c.tools), 'verify');
      const badTest = failedStage(tested);
      if (badTest) return await fail(stop() ? 'stopped by a signal' : `verifying the new archive: ${badTest}`);
      if (stop()) return await fail('stopped by a signal');

      const size = (await listDir(host, req.dest)).find((e) => e.name === posix.basename(partial))?.size ?? made.bytesOut;
      const ended = now();
      const manifest: Manifest = {
        manifestVersion: 1, lvmsnapVersion: req.version, name, format: req.format,
        origin: { vg: target.vg, lv: target.lv, sizeBytes: c.originBytes },
        snapshot: { name: target.snapshot, cowBytes: watch.cowBytes ?? c.cowBytes, reused: c.reused, ...(req.growSnapshot ? { grows: [...watch.grows] } : {}) },
        filesystem: { type: c.fstype, usedBytes: def.source === 'files' ? totalIn : null },
        sizes: { sourceBytes: totalIn, archiveBytes: size },
        sha256, startedAt: started.toISOString(), endedAt: ended.toISOString(),
        seconds: Math.max(0, (ended.getTime() - started.getTime()) / 1000),
        peakSnapshotUsagePercent: watch.peak,
        command: create.stages.map((s) => [...s.argv]),
      };
      // The commit point: only after its last step does a complete-looking name exist.
      const written = [sha256Line(sha256, name), `${JSON.stringify(manifest, null, 2)}\n`].map((content, i) => ({ path: companions[i]!, content }));
      try {
        await applyPlan(commitPlan(partial, final, written), host, null, null);
      } catch (err) {
        return await fail(`committing the checked archive (checksum, manifest, rename): ${(err as Error).message.split('\n')[0]}`, err);
      }
      return manifest;
    };
    let manifest: Manifest;
    try {
      manifest = await archive();
    } catch (err) {
      if (err instanceof BackupFailed || err instanceof BackupRefused) throw err;
      return await fail(err instanceof LvmsnapError ? err.message : String(err), err);
    }
    const chain = await teardown();
    if (!chain.startsWith('the snapshot chain was removed')) {
      throw new BackupFailed(`backup written and verified (${final}), but taking the snapshot down failed`, `state left: ${chain}`);
    }
    const pruned = hasRules(req.keep)
      ? (await prune(host, { dest: req.dest, prefix: c.prefix, format: req.format, keep: req.keep, now: now(), check: false })).removed
      : [];
    return { archive: final, manifest, pruned, removedLeftovers: leftovers, warnings };
  } finally {
    await host.unlock(lock);
  }
}
