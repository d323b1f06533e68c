// `backups restore /dev/VG/LV --to DEVICE|FILE` for a backup LV that `backup --format lv` wrote
// (lv-copy.ts): it must carry the lvmsnap_backup tag and a complete manifest whose sha256 the LV still has,
// and the destination must hold the whole LV (restore-room.ts: the LV's size from the report against the
// device's, or the file system's free space); then it is copied (dd, data never pass through Node) onto an
// unmounted device or into a file (image-dest.ts), and synced.
import { blockCopyStage, fullreportArgv, syncDataArgv } from '../commands.js';
import { BackupRefused, LvmsnapError, UsageError } from '../errors.js';
import { parseFullreport } from '../parse/index.js';
import type { HostPort, PipeProgress } from '../port.js';
import { must, removeIfPresent, sha256Of } from './files.js';
import type { PipeCall } from './formats.js';
import { imageDest } from './image-dest.js';
import { pipeText, type RestoreResult } from './inspect.js';
import { BACKUP_TAG, lvManifestPath, parseLvManifest } from './lv-manifest.js';
import { checkRoom } from './restore-room.js';

export interface LvRestoreRequest {
  readonly device: string;
  readonly to: string;
  readonly force: boolean;
  readonly stateDir: string;
  /** Run every check, write nothing: what restore --check shows. */
  readonly check?: boolean;
}

/** An argument naming a backup LV rather than an archive file. */
export const isLvDevice = (path: string): boolean => /^\/dev\/[^/]+\/[^/]+$/.test(path) && !path.startsWith('/dev/mapper/');

export async function restoreBackupLv(host: HostPort, req: LvRestoreRequest, onProgress?: (p: PipeProgress) => void): Promise<RestoreResult> {
  const [, vg, lv] = /^\/dev\/([^/]+)\/([^/]+)$/.exec(req.device) ?? [];
  if (!vg || !lv) throw new UsageError(`${req.device}: give a backup LV as /dev/VG/LV`);
  if (!req.to.startsWith('/')) throw new UsageError(`--to ${req.to}: give an absolute path`);
  if (req.to === req.device) throw new UsageError(`--to ${req.to} is the backup LV itself`);
  const lvs = parseFullreport((await must(host, fullreportArgv(), false)).stdout).lvs;
  const found = lvs.find((l) => l.vg === vg && l.name === lv);
  const manifest = parseLvManifest(await host.readFile(lvManifestPath(req.stateDir, vg, lv)));
  if (!found || !found.tags.includes(BACKUP_TAG) || manifest === null) {
    throw new BackupRefused(`${req.device} is not a backup LV lvmsnap wrote (it needs the tag ${BACKUP_TAG} and a manifest in ${lvManifestPath(req.stateDir, vg, lv)}; with another --state-dir, pass it)`);
  }
  if (manifest.state !== 'complete' || manifest.sha256 === null) {
    throw new BackupRefused(`${req.device} holds an incomplete copy (its last backup --format lv did not finish): nothing restored`);
  }
  if (!found.active) throw new BackupRefused(`${req.device} is not active: lvchange --activate y ${vg}/${lv}`);
  const dest = await imageDest(host, req.to, req.force, 'a backup LV');
  // dd copies the whole LV: its size in the report is the image's (the manifest's sizes were the same when it was written).
  const room = await checkRoom(host, req.to, dest.kind, { bytes: found.sizeBytes, from: 'lv' }, dest.replaces ?? 0, dest.device);
  // Never restore a copy lvmsnap cannot vouch for: the LV's hash against the manifest's first.
  const sha256 = await sha256Of(host, req.device);
  if (sha256 !== manifest.sha256) {
    throw new BackupRefused(`${req.device} does not match its manifest (sha256 ${sha256}, the copy had ${manifest.sha256}): it changed since the backup; nothing restored`);
  }
  const call: PipeCall = {
    stages: [{ argv: blockCopyStage }], input: { kind: 'file', path: req.device },
    output: dest.kind === 'device' ? { kind: 'overwrite', path: req.to } : { kind: 'newFile', path: req.to },
  };
  const sync = syncDataArgv(req.to);
  const result = { file: req.device, to: req.to, format: 'lv' as const, sha256, checksum: 'ok' as const, room, warnings: [], commands: [...(dest.remove ? [dest.remove.join(' ')] : []), pipeText(call), sync.join(' ')] };
  if (req.check) return { ...result, ms: 0, check: true };
  if (dest.remove) await removeIfPresent(host, req.to);
  const r = await host.pipe(call.stages, call.input, call.output, { mutating: true, ...(onProgress ? { onProgress } : {}) });
  const bad = r.openError ?? r.stages.filter((s) => s.exitCode !== 0).map((s) => `${s.argv[0]} exited ${s.exitCode}: ${s.stderr.trim()}`)[0];
  if (bad) throw new LvmsnapError(`restore failed part-way: ${bad}; ${req.to} holds a partial restore`);
  await must(host, sync, true);
  return { ...result, ms: r.ms, check: false };
}
