// `backup --format lv --dest-lv VG/LV`: the CLI side of the block copy into a backup LV (src/backup/lv-copy.ts).
import { mutatingChanges } from '../plan.js';
import { bytes, progressReporter, ttyProgress } from './backup-flags.js';
import { EXIT } from './exit.js';
import type { CliIo, ParsedArgs } from './spec.js';
import type { Target } from '../types.js';
import { makeLog } from './target-flags.js';

export async function backupLv(args: ParsedArgs, io: CliIo, target: Target, watchIntervalMs: number): Promise<number> {
  const { runLvCopy, checkLvCopy } = await import('../backup/index.js');
  const log = await makeLog(args);
  const request = { target, destLv: String(args['dest-lv']), reuseSnapshot: args['reuse-snapshot'] === true, version: io.version ?? 'dev' };
  if (args['check']) {
    const c = await checkLvCopy(io.host, request, { host: io.host, ...io.deps, ...(log ? { log } : {}) });
    const plan = c.present.planned.plan;
    const steps = mutatingChanges(plan).map((ch) => ({ kind: ch.kind, action: ch.action, id: ch.id, commands: ch.steps.flatMap((st) => (st.type === 'exec' ? [[...st.argv]] : [])) }));
    const refused = plan.refusals.length > 0 || c.present.rehearsal !== null;
    if (args['json']) {
      io.stdout(`${JSON.stringify({ ok: !refused, check: true, format: 'lv', destLv: c.destLv, create: c.create, manifestPath: c.manifestPath, present: { changes: steps, refusals: plan.refusals, rehearsal: c.present.rehearsal }, copyCommand: c.copyCommand, from: c.from, to: c.to, verify: c.verify }, null, 2)}\n`);
    } else {
      const line = (argv: readonly string[]) => `    ${argv.join(' ')}\n`;
      io.stdout(`lvmsnap backup --check: would copy into ${c.destLv} (nothing changed)\n` +
        `  ${c.create ? `create the backup LV:\n${line(c.create)}` : `overwrite the existing backup LV ${c.destLv}\n`}` +
        `    # write ${c.manifestPath} (state "copying")\n` +
        `  make the snapshot (apply --state present):\n${steps.flatMap((x) => x.commands).map(line).join('') || '    nothing: it is already there (--reuse-snapshot)\n'}` +
        `  copy:\n    ${c.copyCommand.join(' ')} < ${c.from} > ${c.to}\n` +
        `  verify:\n${c.verify.map(line).join('')}` +
        `    # write ${c.manifestPath} (state "complete", sha256)\n` +
        '  remove the snapshot (apply --state absent): the same chain, in reverse\n');
      for (const r of plan.refusals) io.stderr(`lvmsnap: refused: ${r}\n`);
      if (c.present.rehearsal) io.stderr(`lvmsnap: the plan would fail: ${c.present.rehearsal}\n`);
    }
    return refused ? EXIT.refused : EXIT.ok;
  }
  const progress = progressReporter(ttyProgress(args), io.stderr, 'copied');
  const r = await runLvCopy(io.host, request, {
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
