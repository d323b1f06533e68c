// Read-only observation for the installers: which shipped files exist, which destination files and
// host tools are there (one `stat`), and what the destination files contain.
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { HostPort } from '../port.js';
import { statModeArgv } from './commands.js';
import type { InstallProbe } from './types.js';

/** A file every packaging directory has; finding it identifies the directory. */
const MARKER = 'systemd/lvmsnap-guard@.service';

/** The first candidate directory that holds lvmsnap's packaging files. */
export async function findPackagingDir(host: HostPort, candidates: readonly string[]): Promise<string> {
  for (const dir of candidates) if ((await host.readFile(join(dir, MARKER))) !== null) return dir;
  throw new UsageError(
    `lvmsnap's packaging files (${MARKER}) were not found in ${candidates.join(', ')}: ` +
      'reinstall lvmsnap, or point LVMSNAP_PACKAGING_DIR at the packaging/ folder of an lvmsnap checkout',
  );
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

export async function probe(host: HostPort, packagingDir: string, shipped: readonly string[], dests: readonly string[], others: readonly string[]): Promise<InstallProbe> {
  const files = new Map<string, string>();
  for (const rel of shipped) {
    const text = await host.readFile(join(packagingDir, rel));
    if (text === null) throw new UsageError(`shipped file ${join(packagingDir, rel)} is missing: reinstall lvmsnap`);
    files.set(rel, text);
  }
  // stat exits non-zero when some path is missing; the lines it printed are the ones that exist.
  const r = await host.run(statModeArgv([...dests, ...others]), { mutating: false });
  const modes = parseStatModes(r.stdout);
  const contents = new Map<string, string | null>();
  for (const d of dests) contents.set(d, modes.has(d) ? await host.readFile(d) : null);
  return { modes, contents, shipped: files, packagingDir, uid: host.uid() };
}
