// Read-only observation for the installers: which shipped files exist, which destination files and
// host tools are there (one `stat`), what the destination files contain, and which files the installed
// lvmsnap package owns (dpkg's list of it, read as a file: no dpkg command).
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { HostPort } from '../port.js';
import { statModeArgv } from './commands.js';
import type { InstallProbe } from './types.js';

/** A file every packaging directory has; finding it identifies the directory. */
export const MARKER = 'systemd/lvmsnap-guard@.service';
/** dpkg's list of the files the lvmsnap package installed (absent when the package is not installed). */
export const DPKG_LIST = '/var/lib/dpkg/info/lvmsnap.list';

/** The first candidate directory that holds lvmsnap's packaging files; null when none does (the single executable). */
export async function findPackagingDir(host: HostPort, candidates: readonly string[]): Promise<string | null> {
  for (const dir of candidates) if ((await host.readFile(join(dir, MARKER))) !== null) return dir;
  return null;
}

export function parseDpkgList(text: string | null): Set<string> {
  return new Set((text ?? '').split('\n').map((l) => l.trim()).filter((l) => l.startsWith('/')));
}

/** "0755" and "755" are the same mode. */
export const sameMode = (a: string, b: string): boolean => a.replace(/^0+/, '') === b.replace(/^0+/, '');

export function parseStatModes(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const tab = line.lastIndexOf('\t');
    if (tab > 0) out.set(line.slice(0, tab), line.slice(tab + 1));
  }
  return out;
}

export async function probe(host: HostPort, candidates: readonly string[], shipped: readonly string[], dests: readonly string[], others: readonly string[]): Promise<InstallProbe> {
  const packagingDir = await findPackagingDir(host, candidates);
  const files = new Map<string, string>();
  if (packagingDir !== null) {
    for (const rel of shipped) {
      const text = await host.readFile(join(packagingDir, rel));
      if (text === null) throw new UsageError(`shipped file ${join(packagingDir, rel)} is missing: reinstall lvmsnap`);
      files.set(rel, text);
    }
  }
  const packageFiles = parseDpkgList(await host.readFile(DPKG_LIST));
  // stat exits non-zero when some path is missing; the lines it printed are the ones that exist.
  const r = await host.run(statModeArgv([...dests, ...others]), { mutating: false });
  const modes = parseStatModes(r.stdout);
  const contents = new Map<string, string | null>();
  for (const d of dests) contents.set(d, modes.has(d) ? await host.readFile(d) : null);
  return { modes, contents, shipped: files, packagingDir, candidates, packageFiles, uid: host.uid() };
}
