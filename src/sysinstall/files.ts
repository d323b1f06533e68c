// Shipped file -> destination steps: install what is missing, differs, or has the wrong mode; or
// nothing at all when the lvmsnap package (.deb) already installed the files.
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { MARKER, sameMode } from './probe.js';
import type { InstallProbe, InstallStep, InstallWhat, UpToDate } from './types.js';

export interface ShippedFile {
  /** Path under packaging/. */
  readonly rel: string;
  readonly dest: string;
  readonly mode: '0644' | '0755';
  /** Where the .deb installs the same file (scripts/package-deb.mjs; test/package/deb.test.ts keeps them in step). */
  readonly packaged: string;
}

export interface FileSteps {
  readonly steps: InstallStep[];
  readonly upToDate: UpToDate[];
  /** The package's copies of these files: when set, nothing is copied (steps and upToDate are empty). */
  readonly packaged: string[];
  /** Copies of an earlier `lvmsnap ... install` that take precedence over the package's files. */
  readonly shadowing: string[];
}

/** The package's copies, when the installed lvmsnap package owns these files; null when it does not. */
function packagedCopies(what: InstallWhat, files: readonly ShippedFile[], p: InstallProbe): string[] | null {
  const owned = files.filter((f) => p.packageFiles.has(f.packaged));
  if (owned.length === 0) return null;
  const gone = files.filter((f) => !owned.includes(f) || !p.modes.has(f.packaged)).map((f) => f.packaged);
  if (gone.length > 0) {
    throw new UsageError(
      `the lvmsnap package is installed but its ${gone.join(', ')} ${gone.length === 1 ? 'is' : 'are'} missing: ` +
        `reinstall it (apt-get install --reinstall lvmsnap), then run 'lvmsnap ${what} install' again`,
    );
  }
  return files.map((f) => f.packaged);
}

export function fileSteps(what: InstallWhat, files: readonly ShippedFile[], p: InstallProbe): FileSteps {
  const packaged = packagedCopies(what, files, p);
  if (packaged !== null) {
    // Our own destination differs from the package's path (systemd, initramfs-tools): an old copy there wins over it.
    const shadowing = files.filter((f) => f.dest !== f.packaged && p.modes.has(f.dest)).map((f) => f.dest);
    return { steps: [], upToDate: [], packaged, shadowing };
  }
  const dir = p.packagingDir;
  if (dir === null) {
    throw new UsageError(
      `this lvmsnap has no packaging files to install (${MARKER} is not in ${p.candidates.join(', ')}), ` +
        `and the lvmsnap package is not installed to provide them (${files.map((f) => f.packaged).join(', ')}). ` +
        'The single executable does not carry them. Either install the Debian package (apt-get install ./lvmsnap_<version>_amd64.deb), ' +
        `which puts them in place, or run 'lvmsnap ${what} install' from an lvmsnap checkout or npm package, ` +
        'or point LVMSNAP_PACKAGING_DIR at the packaging/ folder of one. Nothing was changed.',
    );
  }
  const steps: InstallStep[] = [];
  const upToDate: UpToDate[] = [];
  for (const f of files) {
    const source = join(dir, f.rel);
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
  return { steps, upToDate, packaged: [], shadowing: [] };
}
