// lvmsnap backup --config SET: a snapshot set's backup (src/backup/set.ts), its --check and its output.
import type { SetBackupRequest } from '../backup/set.js';
import type { EngineDeps } from '../engine.js';
import { mutatingChanges } from '../plan.js';
import type { Target } from '../types.js';
import { bytes, progressReporter, ttyProgress } from './backup-flags.js';
import { EXIT } from './exit.js';
import type { CliIo, ParsedArgs } from './spec.js';

const nameOf = (t: Target): string => `${t.vg}/${t.snapshot}`;

export async function setBackupCommand(args: ParsedArgs, io: CliIo, req: SetBackupRequest, deps: EngineDeps & { watchIntervalMs: number }): Promise<number> {
  const { runSetBackup, checkSetBackup } = await import('../backup/index.js');
  if (args['check']) {
    const c = await checkSetBackup(io.host, req, deps);
    const refused = c.present.refusals.length > 0 || c.present.rehearsal !== null;
    const members = c.members.map((m, i) => {
      const plan = c.present.members.find((p) => nameOf(p.target) === nameOf(m.target))?.planned.plan;
      const steps = plan ? mutatingChanges(plan).map((ch) => ({ kind: ch.kind, action: ch.action, id: ch.id, commands: ch.steps.flatMap((st) => (st.type === 'exec' ? [[...st.argv]] : [])) })) : [];
      return { order: i, vg: m.target.vg, lv: m.target.lv, snapshot: m.target.snapshot, prefix: m.prefix, archive: m.archive, present: { changes: steps }, archiveCommand: m.archiveCommand, verifyCommand: m.verifyCommand, leftovers: m.leftovers, companions: m.companions, commit: m.commit, prune: m.prune };
    });
    if (args['json']) {
      io.stdout(`${JSON.stringify({ ok: !refused, check: true, set: true, members, refusals: c.present.refusals, rehearsal: c.present.rehearsal }, null, 2)}\n`);
    } else {
      const line = (argv: readonly string[]) => `    ${argv.join(' ')}\n`;
      let out = `lvmsnap backup --check: snapshot set of ${members.length}, would write ${members.map((m) => m.archive).join(', ')} (nothing changed)\n` +
        `  make the snapshots, one after another (apply --state present):\n`;
      for (const m of members) out += `   ${m.vg}/${m.snapshot}:\n${m.present.changes.flatMap((x) => x.commands).map(line).join('') || '    nothing: it is already there (--reuse-snapshot)\n'}`;
      for (const m of members) {
        out += `  archive ${m.vg}/${m.snapshot} into <name>.partial, checksum and test:\n    ${m.archiveCommand.map((a) => a.join(' ')).join(' | ')}\n    sha256sum\n    ${m.verifyCommand.map((a) => a.join(' ')).join(' | ')}\n`;
      }
      out += `  commit, once every archive is verified:\n${members.flatMap((m) => [...m.companions.map((f) => `# write ${f} (mode 0600)`.split(' ')), ...m.commit]).map(line).join('')}` +
        '  remove every snapshot (apply --state absent): the same chains, in reverse\n' +
        (members.some((m) => m.prune.commands.length) ? `  prune:\n${members.flatMap((m) => m.prune.commands).map(line).join('')}` : '');
      io.stdout(out);
      for (const r of c.present.refusals) io.stderr(`lvmsnap: refused: ${r}\n`);
      if (c.present.rehearsal) io.stderr(`lvmsnap: the plan would fail: ${c.present.rehearsal}\n`);
    }
    return refused ? EXIT.refused : EXIT.ok;
  }
  const progress = progressReporter(ttyProgress(args), io.stderr, 'archived');
  const r = await runSetBackup(io.host, req, {
    ...deps,
    warn: (m) => { progress.done(); io.stderr(`lvmsnap: warning: ${m}\n`); },
    onProgress: (p) => { if (p.phase === 'archive') progress.update(p); },
  }).finally(() => progress.done());
  if (args['json']) {
    const members = r.members.map((m) => ({
      vg: m.target.vg, lv: m.target.lv, snapshot: m.target.snapshot, prefix: m.prefix, archive: m.archive, manifestPath: m.manifestPath, name: m.manifest.name,
      sizeBytes: m.manifest.sizes.archiveBytes, sourceBytes: m.manifest.sizes.sourceBytes, sha256: m.manifest.sha256, seconds: m.manifest.seconds,
      peakSnapshotUsagePercent: m.manifest.peakSnapshotUsagePercent, snapshotGrows: m.manifest.snapshot.grows ?? [], pruned: m.pruned, manifest: m.manifest,
    }));
    io.stdout(`${JSON.stringify({ ok: true, set: true, format: req.format, members, archives: members.map((m) => m.archive), pruned: r.members.flatMap((m) => m.pruned), removedLeftovers: r.removedLeftovers, warnings: r.warnings }, null, 2)}\n`);
  } else {
    io.stdout(`lvmsnap backup: snapshot set of ${r.members.length}, snapshotted one after another, archived and verified; every snapshot removed\n`);
    for (const m of r.members) {
      const peak = m.manifest.peakSnapshotUsagePercent;
      io.stdout(`  ${m.target.vg}/${m.target.lv}: ${m.archive}: ${bytes(m.manifest.sizes.archiveBytes)} in ${m.manifest.seconds.toFixed(1)} s; peak snapshot usage ${peak === null ? 'unknown' : `${peak.toFixed(1)} %`}\n`);
      if (m.pruned.length) io.stdout(`    pruned: ${m.pruned.join(', ')}\n`);
    }
  }
  return EXIT.ok;
}
