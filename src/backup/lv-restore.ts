// `backups restore /dev/VG/LV --to DEVICE|FILE` for a backup LV that `backup --format lv` wrote
// (lv-copy.ts): it must carry the lvmsnap_backup tag and a complete manifest whose sha256 the LV still has;
// then it is copied (dd, data never pass through Node) onto an unmounted device or into a file, and synced.
import { blockCopyStage, findmntArgv, fullreportArgv, statArgv, syncDataArgv } from '../commands.js';
import { BackupRefused, LvmsnapError, UsageError } from '../errors.js';
import { parseFindmnt, parseFullreport, parseStat } from '../parse/index.js';
import type { HostPort, PipeProgress } from '../port.js';
import { must, removeIfPresent, sha256Of } from './files.js';
import { BACKUP_TAG, lvManifestPath, parseLvManifest } from './lv-copy.js';

export interface LvRestoreRequest {
  readonly device: string;
  readonly to: string;
  readonly force: boolean;
  readonly stateDir: string;
}

export interface LvRestoreResult { readonly file: string; readonly to: string; readonly format: 'lv'; readonly sha256: string; readonly ms: number }

/** An argument naming a backup LV rather than an archive file. */
export const isLvDevice = (path: string): boolean => /^\/dev\/[^/]+\/[^/]+$/.test(path) && !path.startsWith('/dev/mapper/');

export async function restoreBackupLv(host: HostPort, req: LvRestoreRequest, onProgress?: (p: PipeProgress) => void): Promise<LvRestoreResult> {
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
  const st = parseStat((await must(host, statArgv([req.to]), false, [0, 1])).stdout)[0];
  if (st?.type === 'directory') throw new BackupRefused(`--to ${req.to}: a backup LV is written onto a block device or into a file, not a directory`);
  const device = st !== undefined && (st.type === 'block' || req.to.startsWith('/dev/'));
  if (device) {
    const mounts = parseFindmnt((await must(host, findmntArgv(), false)).stdout);
    const m = /^\/dev\/([^/]+)\/([^/]+)$/.exec(req.to);
    const aliases = [req.to, ...(m ? [`/dev/mapper/${m[1]!.replace(/-/g, '--')}-${m[2]!.replace(/-/g, '--')}`] : [])];
    const mounted = mounts.find((x) => aliases.includes(x.source));
    if (mounted) throw new BackupRefused(`--to ${req.to} is mounted at ${mounted.target}: writing an image under a mounted filesystem destroys it; unmount it first`);
  } else if (st && !req.force) {
    throw new BackupRefused(`--to ${req.to} exists: pass --force to overwrite it`);
  }
  // Never restore a copy lvmsnap cannot vouch for: the LV's hash against the manifest's first.
  const sha256 = await sha256Of(host, req.device);
  if (sha256 !== manifest.sha256) {
    throw new BackupRefused(`${req.device} does not match its manifest (sha256 ${sha256}, the copy had ${manifest.sha256}): it changed since the backup; nothing restored`);
  }
  if (st && !device) await removeIfPresent(host, req.to); // --force: replaced whole, never a longer old tail
  const r = await host.pipe([{ argv: blockCopyStage }], { kind: 'file', path: req.device }, device ? { kind: 'overwrite', path: req.to } : { kind: 'newFile', path: req.to },
    { mutating: true, ...(onProgress ? { onProgress } : {}) });
  const bad = r.openError ?? r.stages.filter((s) => s.exitCode !== 0).map((s) => `${s.argv[0]} exited ${s.exitCode}: ${s.stderr.trim()}`)[0];
  if (bad) throw new LvmsnapError(`restore failed part-way: ${bad}; ${req.to} holds a partial restore`);
  await must(host, syncDataArgv(req.to), true);
  return { file: req.device, to: req.to, format: 'lv', sha256, ms: r.ms };
}
