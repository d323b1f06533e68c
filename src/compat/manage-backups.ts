// manage_backups.py's three actions over lvmsnap's backup code (see argv.ts for what this folder owns):
// generate-name (a fresh archive path in lvmsnap's name format), auto-clean (the per-bucket limits,
// enforced by the same rotation and removal as `backups prune`) and remove-unsuccessful (a leftover of
// a failed run). Each returns what the original printed on stdout and its exit code; the commands in
// src/cli/ only print them. All I/O goes through the host port.
import { basename, dirname, resolve } from 'node:path';
import { mkdirArgv } from '../commands.js';
import { UsageError } from '../errors.js';
import type { HostPort } from '../port.js';
import { must, removeIfPresent } from '../backup/files.js';
import { formatStamp, stampOf } from '../backup/names.js';
import { prune } from '../backup/prune.js';
import type { KeepRules } from '../backup/rotation.js';

export interface Outcome {
  /** Printed on stdout (the original printed its result and its complaints there). */
  readonly stdout: string;
  /** Printed on stderr. */
  readonly stderr: string;
  readonly exitCode: 0 | 1;
}

export interface NameFlags {
  readonly dir: string;
  readonly prefix: string;
  /** As given: "tar.gz" or ".tar.gz" (a missing dot is added, as the original did). */
  readonly extension: string;
}

/** ".tar.gz" for "tar.gz" and ".tar.gz". */
export const dotted = (ext: string): string => (ext.startsWith('.') ? ext : `.${ext}`);

/** DIR/P__YYYYmmdd_HHMMSS.EXT, absolute (local time, as the original and `lvmsnap backup`). */
export const generatedPath = (f: NameFlags, now: Date): string => resolve(f.dir, `${f.prefix}__${formatStamp(stampOf(now))}${dotted(f.extension)}`);

export function checkNameFlags(f: NameFlags): void {
  if (f.prefix.includes('/')) throw new UsageError(`--prefix ${f.prefix}: must not contain "/"`);
  if (f.extension.includes('/')) throw new UsageError(`--extension ${f.extension}: must not contain "/"`);
  if (f.dir === '') throw new UsageError('--backup-dest-dir: give a directory');
}

/** A directory, or a symlink to one: lstat of "DIR/." resolves DIR itself. */
const isDir = async (host: HostPort, path: string): Promise<boolean> => (await host.lstat(`${path}/.`))?.type === 'directory';

/** mkdir -p through the host port: each missing ancestor, top down; false when one is not a directory. */
async function makeDirs(host: HostPort, dir: string): Promise<boolean> {
  const parts = dir.split('/').filter((p) => p !== '');
  for (let i = 1; i <= parts.length; i++) {
    const p = `/${parts.slice(0, i).join('/')}`;
    if (await isDir(host, p)) continue;
    if ((await host.lstat(p)) !== null) return false;
    await must(host, mkdirArgv(p), true);
  }
  return true;
}

/** generate-name: the path on stdout (exit 0, DIR created); /dev/null and the reason on stderr (exit 1). */
export async function generateName(host: HostPort, f: NameFlags, now: Date): Promise<Outcome> {
  checkNameFlags(f);
  const path = generatedPath(f, now);
  const dir = dirname(path);
  // /dev/null keeps `FILE=$(... generate-name ...)` from naming a file that already holds a backup.
  const refuse = (why: string): Outcome => ({ stdout: '/dev/null\n', stderr: `lvmsnap: ${why}\n`, exitCode: 1 });
  if ((await host.lstat(path)) !== null) return refuse(`${path} already exists (another backup started in the same second?)`);
  if (!(await isDir(host, dir)) && (await host.lstat(dir)) !== null) return refuse(`--backup-dest-dir ${f.dir} exists and is not a directory`);
  if (!(await makeDirs(host, dir))) return refuse(`cannot create ${dir}: a part of that path exists and is not a directory`);
  return { stdout: `${path}\n`, stderr: '', exitCode: 0 };
}

export interface CleanFlags extends NameFlags {
  readonly keep: Required<Pick<KeepRules, 'daily' | 'weekly' | 'monthly' | 'yearly'>>;
  readonly dry: boolean;
}

/**
 * auto-clean: every archive P__YYYYmmdd_HHMMSS.EXT in DIR that no per-bucket limit keeps is removed (with
 * lvmsnap's .sha256/.json companions, as `backups prune`), oldest first on stdout.
 */
export async function autoClean(host: HostPort, f: CleanFlags, now: Date): Promise<Outcome> {
  checkNameFlags(f);
  const dir = resolve(f.dir);
  if (!(await isDir(host, dir))) return { stdout: `Path ${f.dir} is not a directory\n`, stderr: '', exitCode: 1 };
  const r = await prune(host, { dest: dir, prefix: f.prefix, extension: dotted(f.extension).slice(1), keep: f.keep, now, check: f.dry });
  const gone = r.decisions.filter((d) => !d.keep).map((d) => d.name).reverse();
  const lines = gone.map((n) => `${f.dry ? 'Would remove' : 'Removing'} old backup ${n}`);
  if (!f.dry) lines.push(`Removed ${gone.length} old backup files.`);
  return { stdout: `${lines.join('\n')}\n`, stderr: '', exitCode: 0 };
}

/** remove-unsuccessful: remove F if it is a regular file of this prefix and extension in DIR; gone already: exit 0. */
export async function removeUnsuccessful(host: HostPort, f: NameFlags & { readonly file: string }): Promise<Outcome> {
  checkNameFlags(f);
  const file = resolve(f.file);
  const no = (why: string): Outcome => ({ stdout: `${why}\n`, stderr: '', exitCode: 1 });
  const st = await host.lstat(file);
  if (st === null) return { stdout: `File ${f.file} does not exist.\n`, stderr: '', exitCode: 0 };
  if (st.type !== 'file') return no(`Path ${f.file} is not a regular file; not removed.`);
  const name = basename(file);
  if (!name.endsWith(dotted(f.extension))) return no(`File name ${name} does not end with extension '${dotted(f.extension)}'; not removed (wrong file?).`);
  if (!name.startsWith(f.prefix)) return no(`File name ${name} does not start with prefix '${f.prefix}'; not removed (wrong file?).`);
  if (dirname(file) !== resolve(f.dir)) return no(`File ${f.file} is not in the backup directory ${resolve(f.dir)}; not removed (wrong path?).`);
  await removeIfPresent(host, file);
  return { stdout: `Removed ${f.file}\n`, stderr: '', exitCode: 0 };
}
