// Shipped file -> destination steps: install what is missing, differs, or has the wrong mode.
import { join } from 'node:path';
import { sameMode } from './probe.js';
import type { InstallProbe, InstallStep, UpToDate } from './types.js';

export interface ShippedFile {
  /** Path under packaging/. */
  readonly rel: string;
  readonly dest: string;
  readonly mode: '0644' | '0755';
}

export function fileSteps(files: readonly ShippedFile[], p: InstallProbe): { steps: InstallStep[]; upToDate: UpToDate[] } {
  const steps: InstallStep[] = [];
  const upToDate: UpToDate[] = [];
  for (const f of files) {
    const source = join(p.packagingDir, f.rel);
    const have = p.contents.get(f.dest) ?? null;
    const mode = p.modes.get(f.dest);
    const reason =
      have === null ? 'missing'
      : have !== p.shipped.get(f.rel) ? 'differs from the shipped file'
      : mode !== undefined && !sameMode(mode, f.mode) ? `mode ${mode}, should be ${f.mode}`
      : null;
    if (reason === null) upToDate.push({ dest: f.dest, source });
    else steps.push({ type: 'install', source, dest: f.dest, mode: f.mode, reason });
  }
  return { steps, upToDate };
}
