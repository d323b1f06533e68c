// `lvmsnap backup --format lv --dest-lv VG/LV` (issue 13, item 2): a block copy of the snapshot into a backup
// LV. This file owns the copy: its checks (an existing LV is overwritten only with the tag lvmsnap_backup,
// never lvmsnap: a backup LV must never look like a removable chain part to discover/recover), the LV's
// creation (a plan step), the copy pipeline (dd between the two devices, data never pass through Node), the
// hash check of source and copy, and the writes of its manifest: "copying" before the first byte is copied
// and "complete" only after both hashes match, so a crash never leaves a manifest claiming a complete copy.
// What marks a backup LV (its tags) and what its manifest holds: lv-manifest.ts. Restore: lv-restore.ts.
import { applyPlan } from '../apply.js';
import { blockCopyStage, lvcreateLinearArgv, OWNER_TAG, sha256Argv, syncDataArgv } from '../commands.js';
import { runApply, runStatus, type EngineDeps } from '../engine.js';
import { BackupFailed, BackupRefused, LockHeld, LvmsnapError, UsageError } from '../errors.js';
import type { HostPort, PipeResult } from '../port.js';
import { lvmNameProblem } from '../target.js';
import type { ObservedLv, Plan, PlannedChange, Step, Target } from '../types.js';
import { must, sha256Of } from './files.js';
import { CHAIN_REMOVED, takeChainDown } from './check.js';
import { BACKUP_TAG, backupOfTag, lvManifestPath, type LvCopyManifest } from './lv-manifest.js';
import { absentCommand, type BackupDeps } from './run.js';
import { UsageWatch } from './watch.js';

export interface LvCopyRequest {
  readonly target: Target;
  readonly destLv: string;
  readonly reuseSnapshot: boolean;
  readonly version: string;
  readonly now?: () => Date;
}

export interface LvCopyReport {
  readonly destLv: string;
  readonly device: string;
  readonly created: boolean;
  readonly manifestPath: string;
  readonly manifest: LvCopyManifest;
  readonly warnings: readonly string[];
}

export function parseDestLv(text: string): { vg: string; lv: string } {
  const m = /^([^/]+)\/([^/]+)$/.exec(text);
  const problem = m ? (lvmNameProblem(m[1]!, 'VG') ?? lvmNameProblem(m[2]!, 'LV')) : 'give it as VG/LV';
  if (!m || problem) throw new UsageError(`--dest-lv "${text}": ${problem}`);
  return { vg: m[1]!, lv: m[2]! };
}

const isOpen = (lv: ObservedLv): boolean => lv.attr[5] === 'o';
const human = (n: number): string => `${(n / 1024 ** 2).toFixed(1)} MiB`;

interface Checked {
  readonly dvg: string;
  readonly dlv: string;
  readonly existing: ObservedLv | undefined;
  readonly originBytes: number;
  readonly fstype: string | null;
  readonly reused: boolean;
}

/** Every refusal before the first change. */
async function check(host: HostPort, req: LvCopyRequest, deps: EngineDeps): Promise<Checked> {
  const { vg: dvg, lv: dlv } = parseDestLv(req.destLv);
  const t = req.target;
  const status = await runStatus(t, { host, ...(deps.log ? { log: deps.log } : {}) });
  const { snap } = status;
  const origin = snap.lvs.find((l) => l.vg === t.vg && l.name === t.lv);
  if (!origin) throw new BackupRefused(`there is no LV ${t.vg}/${t.lv} to back up (lvs ${t.vg} lists the LVs)`);
  const snapLv = snap.lvs.find((l) => l.vg === t.vg && l.name === t.snapshot);
  if (snapLv && !req.reuseSnapshot) {
    throw new BackupRefused(`snapshot ${t.vg}/${t.snapshot} already exists: copying it would copy data from when it was made, not now.\n` +
      `Pass --reuse-snapshot to copy it anyway (it is removed afterwards), or remove it first: ${absentCommand(t)}`);
  }
  const vg = snap.vgs.find((v) => v.name === dvg);
  if (!vg) throw new BackupRefused(`--dest-lv ${req.destLv}: there is no VG ${dvg} (vgs lists them)`);
  if (vg.partial) throw new BackupRefused(`--dest-lv ${req.destLv}: VG ${dvg} is missing ${vg.missingPvCount} PV(s); lvmsnap writes into no partial VG`);
  if (dvg === t.vg && (dlv === t.lv || dlv === t.snapshot)) {
    throw new BackupRefused(`--dest-lv ${req.destLv} is the ${dlv === t.lv ? 'origin' : 'snapshot'} itself: choose another LV`);
  }
  if (origin.sizeBytes % vg.extentSize !== 0) {
    throw new BackupRefused(`--dest-lv ${req.destLv}: the origin's ${origin.sizeBytes} bytes are not a whole number of VG ${dvg}'s ${vg.extentSize}-byte extents, so no LV there has exactly its size`);
  }
  const existing = snap.lvs.find((l) => l.vg === dvg && l.name === dlv);
  // A backup LV on lvmsnap's loop PV would keep `vgreduce` from ever taking the chain down.
  const chainPvs = snap.pvs.filter((p) => p.vg === dvg && p.tags.includes(OWNER_TAG)).map((p) => p.name);
  if (chainPvs.length && (!existing || existing.devices.some((d) => chainPvs.includes(d)))) {
    throw new BackupRefused(`--dest-lv ${req.destLv}: VG ${dvg} holds lvmsnap's COW PV ${chainPvs.join(', ')} (a snapshot chain is present), and the backup LV ${existing ? 'sits on it' : 'could be allocated on it'}: remove the chain first (${absentCommand(t)}) or choose another VG`);
  }
  if (existing) {
    const what = `--dest-lv ${req.destLv} exists`;
    if (existing.isSnapshot || existing.origin !== null || existing.thin) throw new BackupRefused(`${what} and is a snapshot or thin LV: lvmsnap copies only into a plain LV it created`);
    if (existing.tags.includes(OWNER_TAG)) throw new BackupRefused(`${what} and is tagged ${OWNER_TAG} (a snapshot chain part): choose another LV`);
    if (!existing.tags.includes(BACKUP_TAG)) {
      throw new BackupRefused(`${what} but lvmsnap did not create it (no tag ${BACKUP_TAG}): it would be overwritten; choose a new name (lvmsnap creates it), or add the tag yourself if it is yours to overwrite: lvchange --addtag ${BACKUP_TAG} ${req.destLv}`);
    }
    if (existing.sizeBytes !== origin.sizeBytes) {
      throw new BackupRefused(`${what} with ${existing.sizeBytes} bytes, the origin has ${origin.sizeBytes}: remove it (lvremove ${req.destLv}) and lvmsnap creates one of the right size`);
    }
    if (!existing.active || existing.majMin === null) throw new BackupRefused(`${what} but is not active: activate it first (lvchange --activate y ${req.destLv})`);
    const mount = snap.mounts.find((m) => m.majMin === existing.majMin);
    if (mount) throw new BackupRefused(`${what} and is mounted at ${mount.target}: overwriting it would destroy that filesystem; unmount it first`);
    if (isOpen(existing)) throw new BackupRefused(`${what} and is open (in use by another process or device): close it first`);
  } else {
    const cow = dvg === t.vg && !snapLv && t.tmpFile === undefined && status.facts?.snapshotKind !== 'thin' ? (status.facts?.snapshotBytes ?? 0) : 0;
    if (vg.freeBytes < origin.sizeBytes + cow) {
      throw new BackupRefused(`not enough free space in VG ${dvg} for ${req.destLv}: it needs ${human(origin.sizeBytes)}` +
        `${cow ? ` plus ${human(cow)} for the snapshot's COW` : ''}, only ${human(vg.freeBytes)} is free; free some space or choose another VG`);
    }
  }
  return { dvg, dlv, existing, originBytes: origin.sizeBytes, fstype: snap.originFstype, reused: snapLv !== undefined };
}

/** A plan of one change (mutatingChanges skips 'ok' ones, so every change here is a 'create'). */
const change = (id: string, reason: string, steps: Step[], before: PlannedChange['before']): Plan => ({
  state: 'present', refusals: [],
  changes: [{ kind: 'Archive', id, action: 'create', before, after: 'present', reason, steps }],
});

/** What `backup --format lv --check` shows: every command the copy would run, in order; nothing is changed. */
export interface LvCopyCheck {
  readonly destLv: string;
  /** The lvcreate of the backup LV, when it does not exist yet (null: an existing lvmsnap_backup LV is overwritten). */
  readonly create: readonly string[] | null;
  readonly manifestPath: string;
  readonly present: Awaited<ReturnType<typeof runApply>>;
  readonly copyCommand: readonly string[];
  readonly from: string;
  readonly to: string;
  readonly verify: readonly (readonly string[])[];
}

export async function checkLvCopy(host: HostPort, req: LvCopyRequest, deps: EngineDeps): Promise<LvCopyCheck> {
  const c = await check(host, req, deps);
  const t = req.target;
  const to = `/dev/${c.dvg}/${c.dlv}`;
  const from = `/dev/${t.vg}/${t.snapshot}`;
  return {
    destLv: req.destLv, create: c.existing ? null : lvcreateLinearArgv(c.dvg, c.dlv, c.originBytes, [BACKUP_TAG, backupOfTag(t)]),
    manifestPath: lvManifestPath(t.stateDir, c.dvg, c.dlv), present: await runApply(t, { state: 'present', check: true, waitSeconds: 0 }, deps),
    copyCommand: blockCopyStage, from, to, verify: [syncDataArgv(to), sha256Argv(from), sha256Argv(to)],
  };
}

const failedStage = (r: PipeResult): string | null => {
  if (r.openError !== null) return `cannot open: ${r.openError}`;
  const bad = r.stages.find((s) => s.exitCode !== 0);
  if (bad) return `${bad.argv[0]} exited ${bad.exitCode}${bad.stderr.trim() ? `: ${bad.stderr.trim().split('\n').slice(-2).join(' | ')}` : ''}`;
  return r.stopped ? 'stopped' : null;
};

export async function runLvCopy(host: HostPort, req: LvCopyRequest, deps: BackupDeps): Promise<LvCopyReport> {
  const now = req.now ?? (() => new Date());
  const warnings: string[] = [];
  const warn = (m: string): void => { warnings.push(m); deps.warn?.(m); };
  const c = await check(host, req, deps);
  const target = req.target;
  const stop = deps.stopRequested ?? (() => false);
  const device = `/dev/${c.dvg}/${c.dlv}`;
  const source = `/dev/${target.vg}/${target.snapshot}`;
  const manifestPath = lvManifestPath(target.stateDir, c.dvg, c.dlv);
  const lock = `${deps.lockDir ?? '/run/lock/lvmsnap'}/backup-${target.vg}-${target.snapshot}.lock`;
  const got = await host.lock(lock);
  if (!got.acquired) throw new LockHeld(lock, got.holder);
  try {
    const started = now();
    const copyArgv = [[...blockCopyStage]];
    const base: LvCopyManifest = {
      manifestVersion: 1, kind: 'lv-copy', state: 'copying', lvmsnapVersion: req.version,
      dest: { vg: c.dvg, lv: c.dlv, sizeBytes: c.originBytes }, origin: { vg: target.vg, lv: target.lv, sizeBytes: c.originBytes },
      snapshot: { name: target.snapshot, reused: c.reused }, filesystem: { type: c.fstype }, sha256: null,
      startedAt: started.toISOString(), endedAt: null, seconds: null, peakSnapshotUsagePercent: null, command: copyArgv,
    };
    const json = (m: LvCopyManifest): string => `${JSON.stringify(m, null, 2)}\n`;
    const engine: EngineDeps = { ...deps, stopRequested: () => false };
    const teardown = (): Promise<string> => takeChainDown(target, engine);
    let touched = false;
    const fail = async (why: string, cause?: unknown): Promise<never> => {
      const chain = await teardown();
      const lv = touched
        ? `${req.destLv} is left with incomplete content (its manifest ${manifestPath} says "copying", so restore refuses it)`
        : `${req.destLv} was not written`;
      throw new BackupFailed(`backup failed: ${why}`, `state left: ${lv}; ${chain}.`, { cause });
    };
    // The LV (if missing) and the "copying" manifest: from here on, the LV's content is not a complete copy.
    const prepare: Step[] = [
      ...(c.existing ? [] : [{ type: 'exec', argv: lvcreateLinearArgv(c.dvg, c.dlv, c.originBytes, [BACKUP_TAG, backupOfTag(target)]) } as Step]),
      { type: 'writeFile', path: manifestPath, content: json(base) },
    ];
    const copy = async (): Promise<LvCopyManifest> => {
      try {
        await applyPlan(change(req.destLv, c.existing ? 'overwrite a backup LV lvmsnap created' : 'backup LV for a block copy', prepare, c.existing ? 'present' : 'absent'), host, null, null);
      } catch (err) {
        touched = true;
        return await fail(`preparing ${req.destLv}: ${(err as Error).message.split('\n')[0]}`, err);
      }
      touched = true;
      const present = await runApply(target, { state: 'present', check: false, waitSeconds: 0 }, deps);
      if (present.planned.plan.refusals.length) return await fail(`cannot make the snapshot: ${present.planned.plan.refusals.join('; ')}`);
      if (present.error) return await fail(`making the snapshot: ${present.error.message.split('\n')[0]}`, present.error);
      if (stop()) return await fail('stopped by a signal');
      const watch = new UsageWatch(host, target.vg, target.snapshot, warn);
      await watch.sample();
      watch.start(deps.watchIntervalMs ?? 5000);
      let made: PipeResult;
      try {
        made = await host.pipe([{ argv: blockCopyStage }], { kind: 'file', path: source }, { kind: 'overwrite', path: device }, {
          mutating: true, stopRequested: () => stop() || watch.invalid,
          onProgress: (p) => deps.onProgress?.({ phase: 'archive', ...p, totalIn: c.originBytes, usagePercent: watch.last }),
        });
      } finally {
        watch.stop();
      }
      await watch.sample(true);
      if (watch.invalid) return await fail(`snapshot ${target.vg}/${target.snapshot} became invalid (its COW space filled up) while copying: retry with a larger --size`);
      const bad = failedStage(made);
      if (bad) return await fail(stop() ? 'stopped by a signal' : `copying: ${bad}`);
      await must(host, syncDataArgv(device), true);
      const [src, dst] = [await sha256Of(host, source), await sha256Of(host, device)];
      if (src !== dst) return await fail(`verifying: the copy's sha256 ${dst} differs from the snapshot's ${src}`);
      if (stop()) return await fail('stopped by a signal');
      const ended = now();
      const done: LvCopyManifest = {
        ...base, state: 'complete', sha256: src, endedAt: ended.toISOString(),
        seconds: Math.max(0, (ended.getTime() - started.getTime()) / 1000), peakSnapshotUsagePercent: watch.peak,
      };
      try {
        await applyPlan(change(manifestPath, 'copied and hash-checked', [{ type: 'writeFile', path: manifestPath, content: json(done) }], 'partial'), host, null, null);
      } catch (err) {
        return await fail(`writing the manifest: ${(err as Error).message.split('\n')[0]}`, err);
      }
      return done;
    };
    let manifest: LvCopyManifest;
    try {
      manifest = await copy();
    } catch (err) {
      if (err instanceof BackupFailed || err instanceof BackupRefused) throw err;
      return await fail(err instanceof LvmsnapError ? err.message : String(err), err);
    }
    const chain = await teardown();
    if (chain !== CHAIN_REMOVED) {
      throw new BackupFailed(`copied and verified into ${req.destLv}, but taking the snapshot down failed`, `state left: ${chain}`);
    }
    return { destLv: req.destLv, device, created: c.existing === undefined, manifestPath, manifest, warnings };
  } finally {
    await host.unlock(lock);
  }
}
