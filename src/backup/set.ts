// `lvmsnap backup --config SET`: a snapshot set (targets:) backed up together. Every member's backup
// checks (check.ts) and the set's own (distinct archive prefixes, room in --dest for the SUM of the
// estimates, the set engine's summed space per VG) come before the first change. Then: every member's
// backup lock (sorted), the whole set present through the set engine (one snapshot after another, in the
// listed order), each member archived into its own `.partial` and tested (archive.ts), and only when
// EVERY member's archive is verified are they renamed into place, one after another (the set's commit
// point). Then the whole set absent, then pruning per member prefix. Any failure or signal before the
// commit point removes every member's partial archive and companions and takes every member's chain down.
import { posix } from 'node:path';
import type { EngineDeps } from '../engine.js';
import { BackupFailed, BackupRefused, LockHeld, LvmsnapError } from '../errors.js';
import type { HostPort } from '../port.js';
import { runSetApply, type SetApplyReport } from '../set/index.js';
import type { Target } from '../types.js';
import { archivePaths, archiveSnapshot, commitArchive, discardArchive, type ArchivePaths } from './archive.js';
import { backupTarget, checkTarget, defaultPrefix, human, type BackupRequest, type Checked } from './check.js';
import type { Manifest } from './manifest.js';
import { prune } from './prune.js';
import { hasRules } from './rotation.js';
import { archiveCommands, backupLock, removeLeftovers, type BackupCheck, type BackupDeps } from './run.js';

export interface SetBackupRequest extends Omit<BackupRequest, 'target' | 'prefix'> {
  readonly members: readonly Target[];
  /** With a set, a prefix of the member prefixes: member archives are named <prefix>-<vg>-<lv>__... */
  readonly prefix?: string;
  /** The config file, for the commands the messages suggest. */
  readonly source: string;
}

export interface SetBackupMember {
  readonly target: Target;
  readonly prefix: string;
  readonly archive: string;
  readonly manifestPath: string;
  readonly manifest: Manifest;
  readonly pruned: readonly string[];
}

export interface SetBackupReport {
  readonly members: readonly SetBackupMember[];
  readonly removedLeftovers: readonly string[];
  readonly warnings: readonly string[];
}

const nameOf = (t: Target): string => `${t.vg}/${t.snapshot}`;
/** A member's archive prefix: <vg>-<lv> as for one target, under --prefix P: P-<vg>-<lv>. */
export const memberPrefix = (t: Target, prefix: string | undefined): string => (prefix === undefined ? defaultPrefix(t) : `${prefix}-${defaultPrefix(t)}`);

/** Every member's checks and the set's; one BackupRefused naming every problem. */
async function checkSet(host: HostPort, req: SetBackupRequest, deps: EngineDeps): Promise<{ members: Target[]; checked: Checked[]; memberReq: (c: Checked) => BackupRequest }> {
  const members = req.members.map((t) => backupTarget(t, req.format));
  const reqOf = (t: Target): BackupRequest => ({ ...req, target: t, prefix: memberPrefix(t, req.prefix) });
  const problems: string[] = [];
  const byPrefix = new Map<string, Target>();
  for (const t of members) {
    const p = memberPrefix(t, req.prefix);
    const other = byPrefix.get(p);
    if (other) problems.push(`members ${nameOf(other)} and ${nameOf(t)} would both name their archives ${p}__...: rename one of the LVs or back them up in separate runs`);
    byPrefix.set(p, t);
  }
  const checked: Checked[] = [];
  for (const t of members) {
    try {
      checked.push(await checkTarget(host, reqOf(t), deps));
    } catch (err) {
      // Bad input common to every member (level, --dest path, prefix) is a plain UsageError: once, not per member.
      if (!(err instanceof BackupRefused)) throw err;
      problems.push(`${nameOf(t)}: ${err.message}`);
    }
  }
  const need = checked.reduce((a, c) => a + c.estimate, 0);
  const avail = Math.min(...checked.map((c) => c.avail));
  if (problems.length === 0 && checked.length > 1 && need > avail) {
    problems.push(`not enough room in ${req.dest} for the set: its ${checked.length} archives need about ${human(need)} together (${checked.map((c) => `${c.prefix} ${human(c.estimate)}`).join(', ')}), only ${human(avail)} is free; free some space (lvmsnap backups prune), or choose another --dest`);
  }
  if (problems.length > 0) throw new BackupRefused(problems.length === 1 ? problems[0]! : `the set cannot be backed up:\n  ${problems.join('\n  ')}`);
  return { members, checked, memberReq: (c) => reqOf(c.target) };
}

/** What the set's chains look like after a run of the set engine's absent; '' when all of it is gone. */
function chainsLeft(r: SetApplyReport, source: string): string {
  const again = `; fix that and run: lvmsnap apply --state absent --config ${source} (or lvmsnap recover --config ${source})`;
  if (r.refusals.length) return `the snapshot chains were NOT removed: ${r.refusals.join('; ')}${again}`;
  if (r.error) return `the snapshot chains were NOT all removed: member ${r.error.member}: ${r.error.message.split('\n')[0]}${again}`;
  return '';
}

export async function runSetBackup(host: HostPort, req: SetBackupRequest, deps: BackupDeps): Promise<SetBackupReport> {
  const now = req.now ?? (() => new Date());
  const warnings: string[] = [];
  const warn = (m: string): void => { warnings.push(m); deps.warn?.(m); };
  const stop = deps.stopRequested ?? (() => false);
  const { members, checked, memberReq } = await checkSet(host, req, deps);

  const locks = [...new Set(members.map((t) => backupLock(t, deps.lockDir)))].sort();
  const held: string[] = [];
  try {
    for (const l of locks) {
      const got = await host.lock(l);
      if (!got.acquired) throw new LockHeld(l, got.holder);
      held.push(l);
    }
    const engine: EngineDeps = { ...deps, stopRequested: () => false };
    const written: ArchivePaths[] = [];
    const committed: string[] = [];
    const teardown = async (): Promise<string> => {
      try {
        return chainsLeft(await runSetApply(members, { state: 'absent', check: false, waitSeconds: 30 }, engine), req.source);
      } catch (err) {
        return `the snapshot chains were NOT removed: ${(err as Error).message}; run: lvmsnap recover --config ${req.source}`;
      }
    };
    const failFor = (member: string) => async (why: string, cause?: unknown): Promise<never> => {
      const cleaned: string[] = [];
      for (const p of written.filter((w) => !committed.includes(w.final))) cleaned.push(...(await discardArchive(host, p)));
      const chain = await teardown();
      const done = committed.length ? `the archives ${committed.join(', ')} were already renamed into place; the other members have none` : 'no member\'s archive was written';
      throw new BackupFailed(`backup of the set failed: ${member ? `member ${member}: ` : ''}${why}`,
        `state left: ${done} (${cleaned.length ? cleaned.join('; ') : 'partial files removed'}); ${chain || 'every member\'s snapshot chain was removed'}.`, { cause });
    };

    let member = '';
    const removedLeftovers: string[] = [];
    const manifests: Manifest[] = [];
    try {
      const present = await runSetApply(members, { state: 'present', check: false, waitSeconds: 0 }, deps);
      if (present.refusals.length) throw new BackupRefused(`cannot make the set's snapshots: ${present.refusals.join('; ')}`);
      if (present.error) return await failFor(present.error.member)(`making the snapshot: ${present.error.message.split('\n')[0]}`);
      for (const c of checked) removedLeftovers.push(...(await removeLeftovers(host, req.dest, c.entries, c.prefix)));
      if (removedLeftovers.length) warn(`removed leftovers of interrupted backups: ${removedLeftovers.join(', ')}`);
      for (const c of checked) {
        member = nameOf(c.target);
        if (stop()) await failFor(member)('stopped by a signal');
        const started = now();
        const paths = archivePaths(c, memberReq(c), started, new Set(written.map((w) => w.name)));
        written.push(paths);
        manifests.push(await archiveSnapshot(host, c, memberReq(c), deps, paths, started, failFor(member), warn));
      }
      if (stop()) await failFor('')('stopped by a signal');
      // The set's commit point: every archive is verified; now they get their complete-looking names.
      for (const [i, p] of written.entries()) {
        member = nameOf(checked[i]!.target);
        await commitArchive(host, p, manifests[i]!, failFor(member));
        committed.push(p.final);
      }
    } catch (err) {
      if (err instanceof BackupFailed || err instanceof BackupRefused) throw err;
      return await failFor(member)(err instanceof LvmsnapError ? err.message : String(err), err);
    }
    const chain = await teardown();
    if (chain) throw new BackupFailed(`backup of the set written and verified (${committed.join(', ')}), but taking the snapshots down failed`, `state left: ${chain}`);
    const out: SetBackupMember[] = [];
    for (const [i, c] of checked.entries()) {
      const pruned = hasRules(req.keep)
        ? (await prune(host, { dest: req.dest, prefix: c.prefix, format: req.format, keep: req.keep, now: now(), check: false })).removed
        : [];
      out.push({ target: c.target, prefix: c.prefix, archive: written[i]!.final, manifestPath: written[i]!.companions[1], manifest: manifests[i]!, pruned });
    }
    return { members: out, removedLeftovers, warnings };
  } finally {
    for (const l of held.reverse()) await host.unlock(l);
  }
}

export interface SetBackupCheck {
  /** The set's present plan (as `apply --state present --check` with the set config). */
  readonly present: SetApplyReport;
  readonly members: readonly (Omit<BackupCheck, 'present'> & { readonly target: Target; readonly prefix: string })[];
}

/** What `backup --config SET --check` shows: every member's commands; nothing is changed. */
export async function checkSetBackup(host: HostPort, req: SetBackupRequest, deps: BackupDeps): Promise<SetBackupCheck> {
  const { members, checked, memberReq } = await checkSet(host, req, deps);
  const present = await runSetApply(members, { state: 'present', check: true, waitSeconds: 0 }, deps);
  const started = (req.now ?? (() => new Date()))();
  const taken = new Set<string>();
  const out = checked.map((c) => {
    const cmds = archiveCommands(c, memberReq(c), started, taken);
    taken.add(posix.basename(cmds.archive));
    return { ...cmds, target: c.target, prefix: c.prefix };
  });
  return { present, members: out };
}
