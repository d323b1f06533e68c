// backups list / verify / restore: reading archives back. verify checks the .sha256 and the archive's
// own integrity; restore extracts a file archive into a directory or writes an image onto a device or
// file (image-dest.ts), refusing a mounted device, a non-empty directory, or too little room for an
// img.zst image (restore-room.ts; its size from the manifest), all before the first write.
import { posix } from 'node:path';
import { statArgv, syncDataArgv } from '../commands.js';
import { BackupRefused, LvmsnapError, UsageError } from '../errors.js';
import { parseStat } from '../parse/index.js';
import type { HostPort, PipeProgress, PipeResult } from '../port.js';
import { leftoversOf, listDir, must, probeTools, removeIfPresent, sha256Of } from './files.js';
import { FORMAT_DEFS, FORMATS, formatOfName, missingTool, type Format, type PipeCall } from './formats.js';
import { imageDest, type ImageDest } from './image-dest.js';
import { parseManifest, parseSha256File, type Manifest } from './manifest.js';
import { dateOf, splitArchiveName } from './names.js';
import { checkRoom, type ImageSize, type RoomCheck } from './restore-room.js';

const EXTS = FORMATS.map((f) => FORMAT_DEFS[f].ext);

export interface ListedArchive {
  readonly name: string;
  readonly path: string;
  readonly prefix: string;
  readonly format: Format;
  readonly date: string;
  readonly ageSeconds: number;
  readonly sizeBytes: number;
  /** checked: manifest and .sha256 written (lvmsnap verified the archive when it made it); unchecked: one is missing. */
  readonly verification: 'verified-at-backup' | 'no-checksum' | 'no-manifest';
  readonly manifest: Manifest | null;
}

export interface Listing {
  readonly dest: string;
  readonly archives: readonly ListedArchive[];
  /** .partial files and companions of interrupted runs (never complete-looking). */
  readonly leftovers: readonly string[];
}

export async function listBackups(host: HostPort, dest: string, now: Date, prefix?: string): Promise<Listing> {
  const entries = await listDir(host, dest);
  const names = new Set(entries.map((e) => e.name));
  const archives: ListedArchive[] = [];
  for (const e of entries) {
    const split = e.type === 'f' ? splitArchiveName(e.name, EXTS) : null;
    if (!split || (prefix !== undefined && split.prefix !== prefix)) continue;
    const format = FORMATS.find((f) => FORMAT_DEFS[f].ext === split.ext)!;
    const path = `${dest}/${e.name}`;
    const manifest = names.has(`${e.name}.json`) ? parseManifest((await host.readFile(`${path}.json`)) ?? '') : null;
    const date = dateOf(split.stamp);
    archives.push({
      name: e.name, path, prefix: split.prefix, format, date: date.toISOString(), ageSeconds: Math.round((now.getTime() - date.getTime()) / 1000),
      sizeBytes: e.size, manifest,
      verification: !names.has(`${e.name}.sha256`) ? 'no-checksum' : manifest === null ? 'no-manifest' : 'verified-at-backup',
    });
  }
  archives.sort((a, b) => (a.prefix === b.prefix ? b.date.localeCompare(a.date) : a.prefix.localeCompare(b.prefix)));
  const prefixes = new Set(entries.map((e) => /^(.+?)__/.exec(e.name)?.[1]).filter((p): p is string => p !== undefined && (prefix === undefined || p === prefix)));
  return { dest, archives, leftovers: [...prefixes].flatMap((p) => leftoversOf(entries, p)).sort() };
}

export interface VerifyResult {
  readonly file: string;
  readonly format: Format;
  readonly expectedSha256: string | null;
  readonly sha256: string;
  readonly checksum: 'ok' | 'mismatch' | 'missing';
  readonly integrity: 'ok' | 'corrupt';
  readonly problems: readonly string[];
  readonly ok: boolean;
}

const stageProblem = (r: PipeResult): string | null => {
  if (r.openError !== null) return r.openError;
  const bad = r.stages.find((s) => s.exitCode !== 0);
  return bad ? `${bad.argv[0]} exited ${bad.exitCode}: ${bad.stderr.trim().split('\n').slice(-2).join(' | ')}` : null;
};

async function existingArchive(host: HostPort, file: string): Promise<Format> {
  const format = formatOfName(posix.basename(file));
  if (!format) throw new UsageError(`${file}: not an lvmsnap archive name (…__YYYYmmdd_HHMMSS.${EXTS.join('|')})`);
  if (!file.startsWith('/')) throw new UsageError(`${file}: give the archive as an absolute path`);
  const st = parseStat((await must(host, statArgv([file]), false, [0, 1])).stdout)[0];
  if (!st || st.type !== 'file') throw new UsageError(`${file}: no such archive file`);
  return format;
}

export async function verifyArchive(host: HostPort, file: string, cores: number, onProgress?: (p: PipeProgress) => void): Promise<VerifyResult> {
  const format = await existingArchive(host, file);
  const tools = await probeTools(host, cores);
  const missing = missingTool(format, tools);
  if (missing) throw new BackupRefused(missing);
  const expected = parseSha256File((await host.readFile(`${file}.sha256`)) ?? '');
  const sha256 = await sha256Of(host, file);
  const call = FORMAT_DEFS[format].test(file, tools);
  const tested = await host.pipe(call.stages, call.input, call.output, { mutating: false, ...(onProgress ? { onProgress } : {}) });
  const bad = stageProblem(tested);
  const checksum = expected === null ? 'missing' : expected === sha256 ? 'ok' : 'mismatch';
  const problems = [
    ...(checksum === 'missing' ? [`no readable ${posix.basename(file)}.sha256 beside the archive: cannot confirm it is the file lvmsnap wrote`] : []),
    ...(checksum === 'mismatch' ? [`checksum mismatch: ${posix.basename(file)}.sha256 says ${expected}, the file has ${sha256}`] : []),
    ...(bad ? [`the archive's own integrity check failed: ${bad}`] : []),
  ];
  return { file, format, expectedSha256: expected, sha256, checksum, integrity: bad ? 'corrupt' : 'ok', problems, ok: problems.length === 0 };
}

export interface RestoreRequest {
  readonly file: string;
  readonly to: string;
  /** Restore into a non-empty directory, or over an existing file. */
  readonly force: boolean;
  readonly cores: number;
  /** Run every check, write nothing: what restore --check shows. */
  readonly check?: boolean;
}

/** What a restore did (or, with check, would do). Shared by the restore of a backup LV (lv-restore.ts). */
export interface RestoreResult {
  readonly file: string;
  readonly to: string;
  readonly format: Format | 'lv';
  readonly sha256: string;
  /** ok: the sha256 matched the .sha256 (or the backup LV's manifest); missing: no .sha256 to check against. */
  readonly checksum: 'ok' | 'missing';
  readonly ms: number;
  /** Nothing was written: every check passed (restore --check). */
  readonly check: boolean;
  /** The room at --to for an image (img.zst, backup LV); null for tar and fsa archives. */
  readonly room: RoomCheck | null;
  readonly warnings: readonly string[];
  /** The commands the restore runs, in order: the removal of a file --force replaces, the pipeline (as a shell would show it), the sync. */
  readonly commands: readonly string[];
}

/** A pipeline as a shell would show it: stages joined by |, the input a redirection of the first, the output of the last. */
export const pipeText = (call: PipeCall): string =>
  call.stages.map((st, i) => `${st.argv.join(' ')}${i === 0 && call.input.kind === 'file' ? ` < ${call.input.path}` : ''}`).join(' | ') +
  (call.output.kind === 'discard' ? '' : ` > ${call.output.path}`);

/** The image size an img.zst archive's manifest records (the origin's size), or why it is not known. */
async function archiveImageSize(host: HostPort, file: string): Promise<ImageSize> {
  const name = `${posix.basename(file)}.json`;
  const text = await host.readFile(`${file}.json`);
  if (text === null) return { bytes: null, why: `no manifest ${name} beside the archive` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { bytes: null, why: `its manifest ${name} is not readable JSON` };
  }
  const m = parsed as { origin?: { sizeBytes?: unknown }; sizes?: { sourceBytes?: unknown } } | null;
  const n = m?.origin?.sizeBytes ?? m?.sizes?.sourceBytes;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? { bytes: n, from: 'manifest' } : { bytes: null, why: `its manifest ${name} records no origin size` };
}

export async function restoreArchive(host: HostPort, req: RestoreRequest, onProgress?: (p: PipeProgress) => void): Promise<RestoreResult> {
  const format = await existingArchive(host, req.file);
  const def = FORMAT_DEFS[format];
  if (!req.to.startsWith('/')) throw new UsageError(`--to ${req.to}: give an absolute path`);
  const tools = await probeTools(host, req.cores);
  const missing = missingTool(format, tools);
  if (missing) throw new BackupRefused(missing);
  let dest: ImageDest | null = null;
  let room: RoomCheck | null = null;
  if (def.source === 'files') {
    const st = parseStat((await must(host, statArgv([req.to]), false, [0, 1])).stdout)[0];
    if (!st) throw new BackupRefused(`--to ${req.to} does not exist: create the directory first`);
    if (st.type !== 'directory') throw new BackupRefused(`--to ${req.to}: a ${format} archive is extracted into a directory; this is not one`);
    const inside = await listDir(host, req.to);
    if (inside.length > 0 && !req.force) {
      throw new BackupRefused(`--to ${req.to} is not empty (${inside.length} entries): restore into an empty directory, or pass --force to extract over what is there`);
    }
  } else {
    dest = await imageDest(host, req.to, req.force, `a ${format} archive`, format === 'fsa' ? 'fsarchiver restores onto a block device' : undefined);
    // fsarchiver makes a filesystem that needs only room for the files: the raw image needs the whole origin's size.
    if (format === 'img.zst') room = await checkRoom(host, req.to, dest.kind, await archiveImageSize(host, req.file), dest.replaces ?? 0, dest.device);
  }
  // Never restore a file lvmsnap cannot vouch for: the checksum first (when there is one).
  const expected = parseSha256File((await host.readFile(`${req.file}.sha256`)) ?? '');
  const sha256 = await sha256Of(host, req.file);
  if (expected !== null && expected !== sha256) {
    throw new BackupRefused(`${req.file} does not match its .sha256 (corrupt or replaced): nothing restored; lvmsnap backups verify ${req.file} says more`);
  }
  const call = def.restore(req.file, req.to, tools, dest?.kind === 'device');
  // An image is on the device or in the file before restore says it is done (a directory's files: tar closes them).
  const sync = def.source === 'device' ? syncDataArgv(req.to) : null;
  const commands = [...(dest?.remove ? [dest.remove.join(' ')] : []), pipeText(call), ...(sync ? [sync.join(' ')] : [])];
  const warnings = room?.result === 'unchecked' ? [room.note] : [];
  const result = { file: req.file, to: req.to, format, sha256, checksum: expected === null ? 'missing' as const : 'ok' as const, room, warnings, commands };
  if (req.check) return { ...result, ms: 0, check: true };
  if (dest?.remove) await removeIfPresent(host, req.to);
  const r = await host.pipe(call.stages, call.input, call.output, { mutating: true, ...(onProgress ? { onProgress } : {}) });
  const bad = stageProblem(r);
  if (bad) throw new LvmsnapError(`restore failed part-way: ${bad}; ${req.to} holds a partial restore`);
  if (sync) await must(host, sync, true);
  return { ...result, ms: r.ms, check: false };
}
