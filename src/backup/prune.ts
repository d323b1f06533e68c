// Prune: apply the keep rules to the archives of one prefix, per format (only files of this prefix and
// format are ever considered), removing each pruned archive with its .sha256 and .json.
import { BackupRefused } from '../errors.js';
import type { HostPort } from '../port.js';
import { archivesOf, archivesWithExtension, listDir, removeIfPresent } from './files.js';
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
}

export async function prune(host: HostPort, req: PruneRequest): Promise<PruneResult> {
  if (!hasRules(req.keep)) {
    throw new BackupRefused('prune needs at least one of --keep-daily/--keep-weekly/--keep-monthly/--keep-yearly N or --keep-within DURATION (lvmsnap never removes every archive)');
  }
  const entries = await listDir(host, req.dest);
  const decisions: PruneResult['decisions'][number][] = [];
  const groups: { format: Format | null; archives: readonly (Dated & { readonly size: number })[] }[] = req.extension !== undefined
    ? [{ format: null, archives: archivesWithExtension(entries, req.prefix, req.extension) }]
    : (req.format ? [req.format] : FORMATS).map((f) => ({ format: f, archives: archivesOf(entries, req.prefix, f) }));
  for (const { format, archives } of groups) {
    const size = new Map(archives.map((a) => [a.name, a.size]));
    for (const d of decide(archives, req.keep, req.now)) decisions.push({ ...d, format, size: size.get(d.name) ?? 0 });
  }
  const removed: string[] = [];
  if (!req.check) {
    for (const d of decisions.filter((x) => !x.keep)) {
      // The archive first: a crash in between leaves companions, which the next run cleans up.
      await removeIfPresent(host, `${req.dest}/${d.name}`);
      await removeIfPresent(host, `${req.dest}/${d.name}.sha256`);
      await removeIfPresent(host, `${req.dest}/${d.name}.json`);
      removed.push(d.name);
    }
  }
  return { decisions, removed };
}
