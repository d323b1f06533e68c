// `lvmsnap backup`: checks everything first (check.ts), brings the chain present through the engine,
// archives the snapshot through a pipeline into `<name>.partial`, checksums and tests it, writes `.sha256`
// and the manifest (archive.ts), renames it into place, brings the chain absent and prunes. Any failure or
// signal removes the partial file and its companions and takes the chain down; the error says what is left.
// A snapshot set (targets:) is backed up by set.ts from the same pieces.
import { posix } from 'node:path';
import { runApply, type EngineDeps } from '../engine.js';
import { BackupFailed, BackupRefused, LockHeld, LvmsnapError } from '../errors.js';
import type { HostPort } from '../port.js';
import type { Target } from '../types.js';
import { leftoversOf } from './files.js';
import { FORMAT_DEFS, type PipeCall } from './formats.js';
import type { Manifest } from './manifest.js';
import { decidePrune, prune, type PruneResult } from './prune.js';
import { commitPlan, leftoverPlan, planCommands, runFilePlan } from './file-plan.js';
import { hasRules } from './rotation.js';
import { CHAIN_REMOVED, checkTarget, takeChainDown, type BackupRequest, type Checked } from './check.js';
import { archivePaths, archiveSnapshot, commitArchive, discardArchive } from './archive.js';

export { absentCommand, backupTarget, defaultMountpoint, defaultPrefix, type BackupRequest } from './check.js';

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

/** The commands one archive of c's target would run (archive, verify, commit, prune), nothing changed. */
export function archiveCommands(c: Checked, req: BackupRequest, started: Date, taken: ReadonlySet<string> = new Set()): Omit<BackupCheck, 'present'> {
  const def = FORMAT_DEFS[req.format];
  const { name, partial, final } = archivePaths(c, req, started, taken);
  const src = def.source === 'files' ? c.target.mountpoint! : `/dev/${c.target.vg}/${c.target.snapshot}`;
  const argvs = (p: PipeCall) => p.stages.map((st) => [...st.argv]);
  // The new archive takes part in the rotation (rules keep the newest, so it is always kept).
  const listed = [...c.entries, { name, type: 'f', size: 0 }, { name: `${name}.sha256`, type: 'f', size: 0 }, { name: `${name}.json`, type: 'f', size: 0 }];
  const pruned = hasRules(req.keep) ? decidePrune(listed, { dest: req.dest, prefix: c.prefix, format: req.format, keep: req.keep, now: started }) : null;
  return {
    archive: final,
    archiveCommand: argvs(def.create(src, partial, c.level, c.tools)), verifyCommand: argvs(def.test(partial, c.tools)),
    commit: planCommands(commitPlan(partial, final, [])),
    companions: [`${final}.sha256`, `${final}.json`],
    leftovers: planCommands(leftoverPlan(req.dest, leftoversOf(c.entries, c.prefix))),
    prune: { decisions: pruned?.decisions ?? [], commands: pruned ? planCommands(pruned.plan) : [] },
  };
}

export async function checkBackup(host: HostPort, req: BackupRequest, deps: BackupDeps): Promise<BackupCheck> {
  const c = await checkTarget(host, req, deps);
  const started = (req.now ?? (() => new Date()))();
  const present = await runApply(c.target, { state: 'present', check: true, waitSeconds: 0 }, deps);
  return { ...archiveCommands(c, req, started), present };
}

/** The backup lock of one target: one backup of it at a time (leftovers of its prefix are from dead runs). */
export const backupLock = (t: Target, lockDir: string | undefined): string => `${lockDir ?? '/run/lock/lvmsnap'}/backup-${t.vg}-${t.snapshot}.lock`;

/** Removes the partial files of dead runs of this prefix (the caller holds the backup lock); returns their names. */
export async function removeLeftovers(host: HostPort, dest: string, entries: readonly { name: string }[], prefix: string): Promise<string[]> {
  const leftovers = leftoversOf(entries as Parameters<typeof leftoversOf>[0], prefix);
  if (leftovers.length) await runFilePlan(host, leftoverPlan(dest, leftovers), 'removing leftovers of interrupted backups');
  return leftovers;
}

export async function runBackup(host: HostPort, req: BackupRequest, deps: BackupDeps): Promise<BackupReport> {
  const now = req.now ?? (() => new Date());
  const warnings: string[] = [];
  const warn = (m: string): void => { warnings.push(m); deps.warn?.(m); };
  const c = await checkTarget(host, req, deps);
  const { target } = c;
  const stop = deps.stopRequested ?? (() => false);

  const lock = backupLock(target, deps.lockDir);
  const got = await host.lock(lock);
  if (!got.acquired) throw new LockHeld(lock, got.holder);
  try {
    const leftovers = await removeLeftovers(host, req.dest, c.entries, c.prefix);
    if (leftovers.length) warn(`removed leftovers of interrupted backups: ${leftovers.join(', ')}`);

    const started = now();
    const paths = archivePaths(c, req, started, new Set());
    const engine: EngineDeps = { ...deps, stopRequested: () => false };

    const teardown = (): Promise<string> => takeChainDown(target, engine);
    const fail = async (why: string, cause?: unknown): Promise<never> => {
      const cleaned = await discardArchive(host, paths);
      const chain = await teardown();
      throw new BackupFailed(`backup failed: ${why}`, `state left: no archive was written (${cleaned.length ? cleaned.join('; ') : `${posix.basename(paths.partial)} removed`}); ${chain}.`, { cause });
    };
    const archive = async (): Promise<Manifest> => {
      const present = await runApply(target, { state: 'present', check: false, waitSeconds: 0 }, deps);
      if (present.planned.plan.refusals.length) throw new BackupRefused(`cannot make the snapshot: ${present.planned.plan.refusals.join('; ')}`);
      if (present.error) return await fail(`making the snapshot: ${present.error.message.split('\n')[0]}`, present.error);
      if (stop()) return await fail('stopped by a signal');
      const manifest = await archiveSnapshot(host, c, req, deps, paths, started, fail, warn);
      await commitArchive(host, paths, manifest, fail);
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
    if (chain !== CHAIN_REMOVED) {
      throw new BackupFailed(`backup written and verified (${paths.final}), but taking the snapshot down failed`, `state left: ${chain}`);
    }
    const pruned = hasRules(req.keep)
      ? (await prune(host, { dest: req.dest, prefix: c.prefix, format: req.format, keep: req.keep, now: now(), check: false })).removed
      : [];
    return { archive: paths.final, manifest, pruned, removedLeftovers: leftovers, warnings };
  } finally {
    await host.unlock(lock);
  }
}
