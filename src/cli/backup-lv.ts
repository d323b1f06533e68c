// `backup --format lv --dest-lv VG/LV`: the CLI side of the block copy into a backup LV (src/backup/lv-copy.ts).
import { bytes, progressReporter, ttyProgress } from './backup-flags.js';
import { EXIT } from './exit.js';
import type { CliIo, ParsedArgs } from './spec.js';
import { makeLog, targetFrom } from './target-flags.js';

export async function backupLv(args: ParsedArgs, io: CliIo, watchIntervalMs: number): Promise<number> {
  const { runLvCopy } = await import('../backup/index.js');
  const target = await targetFrom(args, io.host, 'backup');
  const log = await makeLog(args);
  const progress = progressReporter(ttyProgress(args), io.stderr, 'copied');
  const r = await runLvCopy(io.host, { target, destLv: String(args['dest-lv']), reuseSnapshot: args['reuse-snapshot'] === true, version: io.version ?? 'dev' }, {
    host: io.host, ...io.deps, ...(log ? { log } : {}), watchIntervalMs,
    warn: (m) => { progress.done(); io.stderr(`lvmsnap: warning: ${m}\n`); },
    onProgress: (p) => progress.update(p),
  }).finally(() => progress.done());
  const m = r.manifest;
  if (args['json']) {
    io.stdout(`${JSON.stringify({ ok: true, format: 'lv', destLv: r.destLv, device: r.device, created: r.created, sizeBytes: m.dest.sizeBytes, sha256: m.sha256, seconds: m.seconds, peakSnapshotUsagePercent: m.peakSnapshotUsagePercent, manifestPath: r.manifestPath, warnings: r.warnings, manifest: m }, null, 2)}\n`);
  } else {
    io.stdout(`lvmsnap backup: ${r.destLv}${r.created ? ' (created)' : ''}: ${bytes(m.dest.sizeBytes)} copied in ${(m.seconds ?? 0).toFixed(1)} s, sha256 of copy and snapshot equal; ` +
      `peak snapshot usage ${m.peakSnapshotUsagePercent === null ? 'unknown' : `${m.peakSnapshotUsagePercent.toFixed(1)} %`}; snapshot removed; manifest ${r.manifestPath}\n`);
  }
  return EXIT.ok;
}
