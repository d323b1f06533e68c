// src/backup/ owns backups of the snapshot (issue 9): `lvmsnap backup` (run.ts: checks, the chain through
// the engine, the archive pipeline, verification, manifest, rename, teardown, prune), the usage watch and
// growing the snapshot (watch.ts, grow.ts), the checks and the archive step shared with a snapshot set's
// backup (check.ts, archive.ts, set.ts), archive names and rotation (names.ts, rotation.ts, prune.ts),
// the destination's files (files.ts, manifest.ts), `backups list|verify|restore` (inspect.ts; where an image
// is restored to and whether it fits: image-dest.ts, restore-room.ts), and the block copy into a backup LV
// (lv-copy.ts, `backup --format lv`; the backup LV's tags and manifest: lv-manifest.ts) with its restore
// (lv-restore.ts).
// This index is the lazy bundle dist/chunks/backup.cjs (scripts/build.mjs): apply, plan and status never
// load it. Errors cross the bundle boundary by class name (src/errors.ts).
export { runBackup, checkBackup, backupTarget, absentCommand, type BackupReport, type BackupRequest, type BackupDeps, type BackupProgress, type BackupCheck } from './run.js';
export { prune, type PruneRequest, type PruneResult } from './prune.js';
export { listBackups, verifyArchive, restoreArchive } from './inspect.js';
export { parseDuration } from './rotation.js';
export { runLvCopy, checkLvCopy, parseDestLv, type LvCopyReport, type LvCopyRequest } from './lv-copy.js';
export { restoreBackupLv, isLvDevice } from './lv-restore.js';
export { runSetBackup, checkSetBackup, memberPrefix, type SetBackupRequest, type SetBackupReport, type SetBackupCheck } from './set.js';
