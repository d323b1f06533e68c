// Backup destination files through the host port: listing, checksums, renames, removal, tool probes,
// and the archives of one prefix with their companions (.sha256, .json, leftovers of failed runs).
import { dfUsedArgv, listDirArgv, rmFileArgv, sha256Argv, versionProbeArgv } from '../commands.js';
import { CommandFailed, ParseError } from '../errors.js';
import type { CommandResult, HostPort } from '../port.js';
import { ALL_TOOLS, FORMAT_DEFS, FORMATS, type Format, type Tools } from './formats.js';
import { parseArchiveName, type Stamp } from './names.js';

export interface DirEntry { readonly name: string; readonly type: string; readonly size: number }

export async function must(host: HostPort, argv: string[], mutating: boolean, okExit: readonly number[] = [0]): Promise<CommandResult> {
  const r = await host.run(argv, { mutating });
  if (!okExit.includes(r.exitCode)) throw new CommandFailed(argv, r.exitCode, r.stderr);
  return r;
}

export function parseListing(stdout: string): DirEntry[] {
  return stdout.split('\n').filter((l) => l !== '').map((l) => {
    const [name, type, size] = l.split('\t');
    if (name === undefined || type === undefined || !/^\d+$/.test(size ?? '')) throw new ParseError('find', 'expected name<TAB>type<TAB>size', l);
    return { name, type, size: Number(size) };
  });
}

export const listDir = async (host: HostPort, dir: string): Promise<DirEntry[]> => parseListing((await must(host, listDirArgv(dir), false)).stdout);

export async function sha256Of(host: HostPort, path: string): Promise<string> {
  const r = await must(host, sha256Argv(path), false);
  const m = /^([0-9a-f]{64}) /.exec(r.stdout);
  if (!m) throw new ParseError('sha256sum', 'expected a hash', r.stdout);
  return m[1]!;
}

/** Remove a file; already gone is fine. */
export const removeIfPresent = async (host: HostPort, path: string): Promise<void> => {
  const r = await host.run(rmFileArgv(path), { mutating: true });
  if (r.exitCode !== 0 && !/No such file or directory/.test(r.stderr)) throw new CommandFailed(rmFileArgv(path), r.exitCode, r.stderr);
};

export async function usedBytes(host: HostPort, dir: string): Promise<number | null> {
  const r = await host.run(dfUsedArgv(dir), { mutating: false });
  const m = /\n\s*(\d+)\s*$/.exec(r.stdout);
  return r.exitCode === 0 && m ? Number(m[1]) : null;
}

export async function probeTools(host: HostPort, cores: number): Promise<Tools> {
  const found = await Promise.all(ALL_TOOLS.map(async (t) => ((await host.run(versionProbeArgv(t), { mutating: false })).exitCode !== 127 ? t : null)));
  return { present: new Set(found.filter((t): t is (typeof ALL_TOOLS)[number] => t !== null)), cores };
}

export interface Archive {
  readonly name: string;
  readonly format: Format;
  readonly stamp: Stamp;
  readonly size: number;
}

/** Complete archives of exactly this prefix (and format, when given) in a listing. */
export function archivesOf(entries: readonly DirEntry[], prefix: string, format?: Format): Archive[] {
  const out: Archive[] = [];
  for (const e of entries) {
    if (e.type !== 'f') continue;
    for (const f of format ? [format] : FORMATS) {
      const stamp = parseArchiveName(e.name, prefix, FORMAT_DEFS[f].ext);
      if (stamp) out.push({ name: e.name, format: f, stamp, size: e.size });
    }
  }
  return out;
}

/** Regular files named exactly `<prefix>__YYYYmmdd_HHMMSS.<ext>` for any extension (auto-clean's --extension). */
export function archivesWithExtension(entries: readonly DirEntry[], prefix: string, ext: string): { name: string; stamp: Stamp; size: number }[] {
  const out: { name: string; stamp: Stamp; size: number }[] = [];
  for (const e of entries) {
    const stamp = e.type === 'f' ? parseArchiveName(e.name, prefix, ext) : null;
    if (stamp) out.push({ name: e.name, stamp, size: e.size });
  }
  return out;
}

/** Leftovers of interrupted runs of this prefix: .partial files and companions whose archive is gone. */
export function leftoversOf(entries: readonly DirEntry[], prefix: string): string[] {
  const names = new Set(entries.map((e) => e.name));
  return entries.filter((e) => e.type === 'f' && e.name.startsWith(`${prefix}__`)).map((e) => e.name).filter((n) => {
    if (/\.partial(\.fsa)?$/.test(n)) return true;
    const m = /^(.*)\.(sha256|json)$/.exec(n);
    return m !== null && archivesOf([{ name: m[1]!, type: 'f', size: 0 }], prefix).length === 1 && !names.has(m[1]!);
  });
}
