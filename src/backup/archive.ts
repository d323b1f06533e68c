// One snapshot into one archive, the snapshot already present: the archive pipeline into `<name>.partial`
// (the snapshot's usage watched, grown on request), checksum, test, the manifest; then, separately, the
// commit (a plan: the `.sha256` and `.json` companions written, the data synced, the rename that gives
// the archive its complete-looking name). Shared by the
// single-target backup (run.ts) and the set backup (set.ts). Failures go through the caller's `fail`,
// which cleans up (discard) and takes the chain down.
import { posix } from 'node:path';
import { applyPlan } from '../apply.js';
import type { HostPort, PipeResult } from '../port.js';
import { RecordingHost } from '../recording-host.js';
import type { BackupDeps, BackupProgress } from './run.js';
import { failedStage, type BackupRequest, type Checked } from './check.js';
import { commitPlan, leftoverPlan } from './file-plan.js';
import { listDir, sha256Of, usedBytes } from './files.js';
import { FORMAT_DEFS, partialName, type PipeCall } from './formats.js';
import { runGrow } from './grow.js';
import { sha256Line, type Manifest } from './manifest.js';
import { freshName } from './names.js';
import { UsageWatch } from './watch.js';

/** Where one archive is written: `partial` until the commit renames it to `final`; the companions sit beside `final`. */
export interface ArchivePaths {
  readonly name: string;
  readonly partial: string;
  readonly final: string;
  readonly companions: readonly [string, string];
}

/** A fresh name for an archive of this prefix started now (never one already in the destination). */
export function archivePaths(c: Checked, req: BackupRequest, started: Date, taken: ReadonlySet<string>): ArchivePaths {
  const name = freshName(c.prefix, FORMAT_DEFS[req.format].ext, started, new Set([...c.entries.map((e) => e.name), ...taken]));
  const final = `${req.dest}/${name}`;
  return { name, partial: `${req.dest}/${partialName(name, req.format)}`, final, companions: [`${final}.sha256`, `${final}.json`] };
}

/** Removes the partial archive and its companions; returns what could not be removed. */
export async function discardArchive(host: HostPort, p: ArchivePaths): Promise<string[]> {
  const problems: string[] = [];
  for (const f of [p.partial, ...p.companions]) {
    try {
      await applyPlan(leftoverPlan(posix.dirname(f), [posix.basename(f)]), host, null, null);
    } catch {
      problems.push(`could not remove ${f}`);
    }
  }
  return problems;
}

export type Fail = (why: string, cause?: unknown) => Promise<never>;

/** Archives the present snapshot of c.target into p.partial, tests it, returns its manifest. Does not commit. */
export async function archiveSnapshot(host: HostPort, c: Checked, req: BackupRequest, deps: BackupDeps, p: ArchivePaths, started: Date, fail: Fail, warn: (m: string) => void): Promise<Manifest> {
  const { target } = c;
  const def = FORMAT_DEFS[req.format];
  const now = req.now ?? (() => new Date());
  const stop = deps.stopRequested ?? (() => false);
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
      onProgress: (x) => deps.onProgress?.({ phase, ...x, totalIn: phase === 'archive' ? totalIn : null, usagePercent: watch.last }),
    });
  const create = def.create(src, p.partial, c.level, c.tools);
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

  const sha256 = await sha256Of(host, p.partial);
  const tested = await pipe(def.test(p.partial, c.tools), 'verify');
  const badTest = failedStage(tested);
  if (badTest) return await fail(stop() ? 'stopped by a signal' : `verifying the new archive: ${badTest}`);
  if (stop()) return await fail('stopped by a signal');

  const size = (await listDir(host, req.dest)).find((e) => e.name === posix.basename(p.partial))?.size ?? made.bytesOut;
  const ended = now();
  const manifest: Manifest = {
    manifestVersion: 1, lvmsnapVersion: req.version, name: p.name, format: req.format,
    origin: { vg: target.vg, lv: target.lv, sizeBytes: c.originBytes },
    snapshot: { name: target.snapshot, cowBytes: watch.cowBytes ?? c.cowBytes, reused: c.reused, ...(req.growSnapshot ? { grows: [...watch.grows] } : {}) },
    filesystem: { type: c.fstype, usedBytes: def.source === 'files' ? totalIn : null },
    sizes: { sourceBytes: totalIn, archiveBytes: size },
    sha256, startedAt: started.toISOString(), endedAt: ended.toISOString(),
    seconds: Math.max(0, (ended.getTime() - started.getTime()) / 1000),
    peakSnapshotUsagePercent: watch.peak,
    command: create.stages.map((s) => [...s.argv]),
  };
  return manifest;
}

/** The commit point: only after its last step (the rename) does a complete-looking name exist. */
export async function commitArchive(host: HostPort, p: ArchivePaths, manifest: Manifest, fail: Fail): Promise<void> {
  const written = [sha256Line(manifest.sha256, p.name), `${JSON.stringify(manifest, null, 2)}\n`].map((content, i) => ({ path: p.companions[i]!, content }));
  try {
    await applyPlan(commitPlan(p.partial, p.final, written), host, null, null);
  } catch (err) {
    return await fail(`committing the checked archive (checksum, manifest, rename): ${(err as Error).message.split('\n')[0]}`, err);
  }
}
