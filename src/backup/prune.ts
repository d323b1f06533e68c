// Prune: apply the keep rules to the archives of one prefix, per format (only files of this prefix and
// format are ever considered), removing each pruned archive with its .sha256 and .json.
import { BackupRefused } from '../errors.js';
import type { HostPort } from '../port.js';
import type { Plan } from '../types.js';
import { archivesOf, archivesWithExtension, listDir, type DirEntry } from './files.js';
import { planCommands, removalPlan, runFilePlan } from './file-plan.js';
import { FORMATS, type Format } from './formats.js';
import { decide, hasRules, type Dated, type Decision, type KeepRules } from './rotation.js';

export interface PruneRequest {
  readonly dest: string;
  readonly prefix: string;
  /** Only this format; default: each format of the prefix, separately. */
  readonly format?: Format;
  /** Instead of lvmsnap's formats: archives named exactly P__YYYYmmdd_HHMMSS.<extension> (auto-clean's --extension). */
  readonly extension?: string;
  readonly keep: KeepRules;
  readonly now: Date;
  /** Only decide; remove nothing. */
  readonly check: boolean;
}

export interface PruneResult {
  /** format is null for archives matched by `extension`. */
  readonly decisions: readonly (Decision & { readonly format: Format | null; readonly size: number })[];
  readonly removed: readonly string[];
  /** The commands of the removal plan (run, or with check only shown), in order. */
  readonly commands: readonly (readonly string[])[];
}

export async function prune(host: HostPort, req: PruneRequest): Promise<PruneResult> {
  if (!hasRules(req.keep)) {
    throw new BackupRefused('prune needs at least one of --keep-daily/--keep-weekly/--keep-monthly/--keep-yearly N or --keep-within DURATION (lvmsnap never removes every archive)');
  }
  const { decisions, plan } = decidePrune(await listDir(host, req.dest), req);
  const gone = decisions.filter((x) => !x.keep).map((d) => d.name);
  if (!req.check && gone.length) await runFilePlan(host, plan, 'pruning');
  return { decisions, removed: req.check ? [] : gone, commands: planCommands(plan) };
}

/** The keep decisions over a listing, and the plan that removes what no rule keeps. Pure. */
export function decidePrune(entries: readonly DirEntry[], req: Omit<PruneRequest, 'check'>): { decisions: PruneResult['decisions']; plan: Plan } {
  const decisions: PruneResult['decisions'][number][] = [];
  const groups: { format: Format | null; archives: readonly (Dated & { readonly size: number })[] }[] = req.extension !== undefined
    ? [{ format: null, archives: archivesWithExtension(entries, req.prefix, req.extension) }]
    : (req.format ? [req.format] : FORMATS).map((f) => ({ format: f, archives: archivesOf(entries, req.prefix, f) }));
  for (const { format, archives } of groups) {
    const size = new Map(archives.map((a) => [a.name, a.size]));
    for (const d of decide(archives, req.keep, req.now)) decisions.push({ ...d, format, size: size.get(d.name) ?? 0 });
  }
  const gone = decisions.filter((x) => !x.keep).map((d) => d.name);
  return { decisions, plan: removalPlan(req.dest, gone, new Set(entries.map((e) => e.name))) };
}
