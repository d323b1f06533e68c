// lvmsnap backup: snapshot, archive, verify, remove the snapshot, prune (src/backup/run.ts).
import { FORMATS } from '../backup/formats.js';
import { EXIT } from './exit.js';
import type { CommandSpec, ParsedArgs } from './spec.js';
import type { BackupRequest } from '../backup/run.js';
import { mutatingChanges } from '../plan.js';
import type { Target } from '../types.js';
import { cores, KEEP_GROUP, keepFrom, progressReporter, ttyProgress, bytes, watchIntervalFrom, WATCH_ENV } from './backup-flags.js';
import { UsageError } from '../errors.js';
import { backupLv } from './backup-lv.js';
import { makeLog, OUTPUT_GROUP, selectionFrom, TARGET_GROUP } from './target-flags.js';

/** --format lv copies into --dest-lv; the archive formats write into --dest. Checked before anything else (exit 3). */
function destProblem(args: ParsedArgs): string | null {
  const lv = args['format'] === 'lv';
  if (lv) {
    if (args['dest-lv'] === undefined) return '--format lv needs --dest-lv VG/LV (the backup LV; lvmsnap creates it when missing)';
    const extra = ['dest', 'prefix', 'level', 'keep-daily', 'keep-weekly', 'keep-monthly', 'keep-yearly', 'keep-within', 'grow-snapshot'].find((f) => args[f] !== undefined && args[f] !== false);
    if (extra) return `--${extra} does not apply to --format lv (one backup LV, overwritten by each run)`;
    return null;
  }
  if (args['dest-lv'] !== undefined) return '--dest-lv is only for --format lv; archives go into --dest DIR';
  if (args['dest'] === undefined) return 'Missing required argument: --dest DIR (or --format lv --dest-lv VG/LV)';
  return null;
}

/** The request's flags; the target (or a set's members) is added by the caller. */
const requestFlags = async (args: ParsedArgs, version: string | undefined): Promise<Omit<BackupRequest, 'target'>> => ({
  dest: String(args['dest']), format: args['format'] as (typeof FORMATS)[number],
  ...(args['prefix'] !== undefined ? { prefix: String(args['prefix']) } : {}),
  ...(args['level'] !== undefined ? { level: Number(args['level']) } : {}),
  keep: await keepFrom(args), reuseSnapshot: args['reuse-snapshot'] === true, growSnapshot: args['grow-snapshot'] === true, cores: await cores(), version: version ?? 'dev',
});
const request = async (args: ParsedArgs, target: Target, version: string | undefined): Promise<BackupRequest> => ({ ...(await requestFlags(args, version)), target });

export const backup: CommandSpec = {
  name: 'backup',
  summary: 'snapshot, archive into --dest, verify, remove the snapshot, prune',
  usage: 'backup TARGET|--config SET --dest DIR [--format F] [--prefix P] [--level N] [keep options] [options] | backup TARGET --format lv --dest-lv VG/LV',
  description:
    'Makes the snapshot (as apply --state present), archives it into DIR as <prefix>__YYYYmmdd_HHMMSS.<ext> (local time) ' +
    'with a .sha256 and a .json manifest beside it, tests the archive, removes the snapshot (as apply --state absent) ' +
    'and, with keep options, prunes older archives of the same prefix and format. The archive is written as ' +
    '<name>.partial and renamed only when complete and checked: a failed, interrupted or killed backup never leaves ' +
    'a complete-looking file. The snapshot is removed on success, failure, SIGINT and SIGTERM. Tar formats mount the ' +
    'snapshot read-only (at --mountpoint, or /run/lvmsnap-<vg>-<snapshot>); img.zst and fsa read its block device. ' +
    'Refused before any change: an existing snapshot (unless --reuse-snapshot), a DIR on the origin or on the snapshot ' +
    'chain, a DIR without room for about the last archive plus 20 % (or 60 % of the data for a first one). While archiving, ' +
    `the snapshot's usage is watched (every 5 s; ${WATCH_ENV}=MS sets another interval, e.g. 500 for a small snapshot of a busy origin): at 80 % it warns, or with --grow-snapshot grows the snapshot (as often as needed, each time ` +
    'by half, up to what the origin can ever need); if the snapshot becomes invalid the backup fails and the chain is removed. ' +
    'A snapshot set (--config with targets: [...]) is backed up together: every check for every member (and room in DIR for the sum ' +
    'of the estimates) before the first change; the snapshots are made one after another (not at one instant: each volume is ' +
    'crash-consistent on its own, the set is not consistent across volumes unless the application is quiesced), each member is archived ' +
    'into its own <vg>-<lv>__... archive (--prefix P: P-<vg>-<lv>__...), and the archives are renamed into place only when every one ' +
    'is verified; any failure removes every partial archive and every member\'s snapshot chain. Every snapshot stays until the last ' +
    'member is archived: size each member\'s COW space for the whole run. Rotation runs per member prefix. ' +
    '--format lv --dest-lv VG/LV copies the snapshot device block for block into a backup LV instead (like lvmbackup; one target, not a set): ' +
    'it is created with the origin\'s size and the tag lvmsnap_backup when missing; an existing LV is overwritten only with that tag, ' +
    'the origin\'s size, and neither mounted nor open. Source and copy are compared by sha256; the manifest is ' +
    '<state-dir>/backup-lv/<VG>-<LV>.json ("copying" while the copy runs, "complete" once verified). backups restore /dev/VG/LV writes it back; --check lists its commands.',
  groups: [
    {
      title: 'Backup',
      flags: [
        { name: 'dest', type: 'string', value: 'DIR', complete: 'dir', describe: 'directory for the archives (must exist; not on the origin); required except with --format lv' },
        { name: 'format', type: 'string', choices: [...FORMATS, 'lv'], default: 'tar.zst', describe: 'tar.zst (multi-threaded zstd), tar.gz (pigz if installed), fsa (fsarchiver), img.zst (raw image of the snapshot device), lv (block copy into --dest-lv)' },
        { name: 'dest-lv', type: 'string', value: 'VG/LV', describe: 'with --format lv: the backup LV (created with the origin\'s size and tag lvmsnap_backup when missing)' },
        { name: 'prefix', type: 'string', value: 'P', shownDefault: '<vg>-<lv>', describe: 'archive names start with P__ (a set: each member\'s with P-<vg>-<lv>__)' },
        { name: 'level', type: 'number', value: 'N', shownDefault: 'zstd 3, gzip 6', describe: 'compression level' },
        { name: 'reuse-snapshot', type: 'boolean', describe: 'archive an lvmsnap snapshot that already exists (its data date from when it was made), then remove it' },
        { name: 'check', type: 'boolean', default: false, describe: 'show every command the backup would run (snapshot plan, pipelines, rename, prune); change nothing' },
        { name: 'grow-snapshot', type: 'boolean', describe: 'when the snapshot passes 80 % full while archiving, grow it by half (lvextend from VG free space; with --tmp-file: grow the file, its loop device and PV first)' },
      ],
    },
    KEEP_GROUP,
    TARGET_GROUP,
    OUTPUT_GROUP,
  ],
  examples: [
    ['backup --vg vg0 --lv root --dest /backup', 'vg0-root__20261130_020000.tar.zst (+ .sha256, .json) in /backup'],
    ['backup --vg vg0 --lv root --dest /backup --keep-daily 7 --keep-weekly 4 --keep-monthly 6', 'then keep 7 daily, 4 weekly, 6 monthly archives'],
    ['backup --vg vg0 --lv data --tmp-file /var/tmp/cow.img --size 2G --dest /backup', 'full VG: COW space from a file'],
    ['backup --vg vg0 --lv vm1 --format img.zst --dest /backup --json', 'raw image of the snapshot device; a JSON summary'],
    ['backup --vg vg0 --lv db --size 1G --grow-snapshot --dest /backup', 'a busy origin: the snapshot grows instead of filling up'],
    ['backup --vg vg0 --lv root --dest /backup --keep-daily 7 --check', 'every command it would run, nothing changed'],
    ['backup --config /etc/lvmsnap/set.yaml --dest /backup --keep-daily 7', 'a snapshot set: vg0-root__..., vg1-home__... (one archive per member)'],
    ['backup --vg vg0 --lv data --format lv --dest-lv backupvg/data-copy', 'block copy into an LV of another VG (lvmbackup), verified by sha256'],
    ['backups restore /dev/backupvg/data-copy --to /dev/vg0/data', 'and back onto the unmounted origin (see backups restore --help)'],
  ],
  exitCodes: [
    [0, 'the archive is complete and verified, and the snapshot is removed'],
    [1, 'failed: the message says what is left (a partial archive is always removed)'],
    [3, 'refused before any change: bad input, a snapshot already exists, no room, destination on the origin, tool missing, lock held'],
  ],
  run: async (args, io) => {
    // Bad input before anything else (exit 3, nothing changed).
    const watchIntervalMs = watchIntervalFrom();
    const problem = destProblem(args);
    if (problem) throw new UsageError(problem);
    if (args['format'] === 'lv') {
      const { parseDestLv } = await import('../backup/index.js');
      parseDestLv(String(args['dest-lv']));
      const selection = await selectionFrom(args, io.host);
      if (selection.kind === 'set') throw new UsageError('--format lv copies one target into one backup LV, not a snapshot set: run it per member');
      return await backupLv(args, io, selection.target, watchIntervalMs);
    }
    const { runBackup, checkBackup } = await import('../backup/index.js');
    // Archives are private: tools that create their own output file (fsarchiver) inherit this, too.
    process.umask(0o077);
    const selection = await selectionFrom(args, io.host);
    const log = await makeLog(args);
    if (selection.kind === 'set') {
      const { setBackupCommand } = await import('./backup-set.js');
      return setBackupCommand(args, io, { ...(await requestFlags(args, io.version)), members: selection.members, source: String(args['config']) }, { host: io.host, ...io.deps, ...(log ? { log } : {}), watchIntervalMs });
    }
    const target = selection.target;
    if (args['check']) {
      const c = await checkBackup(io.host, await request(args, target, io.version), { host: io.host, ...io.deps, ...(log ? { log } : {}) });
      const plan = c.present.planned.plan;
      const steps = mutatingChanges(plan).map((ch) => ({ kind: ch.kind, action: ch.action, id: ch.id, commands: ch.steps.flatMap((st) => (st.type === 'exec' ? [[...st.argv]] : [])) }));
      const refused = plan.refusals.length > 0 || c.present.rehearsal !== null;
      if (args['json']) {
        io.stdout(`${JSON.stringify({ ok: !refused, check: true, archive: c.archive, present: { changes: steps, refusals: plan.refusals, rehearsal: c.present.rehearsal }, archiveCommand: c.archiveCommand, verifyCommand: c.verifyCommand, commit: c.commit, companions: c.companions, leftovers: c.leftovers, prune: c.prune }, null, 2)}\n`);
      } else {
        const line = (argv: readonly string[]) => `    ${argv.join(' ')}\n`;
        io.stdout(`lvmsnap backup --check: would write ${c.archive} (nothing changed)\n` +
          (c.leftovers.length ? `  remove leftovers of interrupted backups:\n${c.leftovers.map(line).join('')}` : '') +
          `  make the snapshot (apply --state present):\n${steps.flatMap((x) => x.commands).map(line).join('') || '    nothing: it is already there (--reuse-snapshot)\n'}` +
          `  archive into ${c.archive.replace(/[^/]+$/, '')}<name>.partial:\n    ${c.archiveCommand.map((a) => a.join(' ')).join(' | ')}\n` +
          `  checksum and test:\n    sha256sum\n    ${c.verifyCommand.map((a) => a.join(' ')).join(' | ')}\n` +
          `  commit:\n${c.companions.map((f) => `    # write ${f} (mode 0600)\n`).join('')}${c.commit.map(line).join('')}` +
          '  remove the snapshot (apply --state absent): the same chain, in reverse\n' +
          (c.prune.commands.length ? `  prune:\n${c.prune.commands.map(line).join('')}` : ''));
        for (const r of plan.refusals) io.stderr(`lvmsnap: refused: ${r}\n`);
        if (c.present.rehearsal) io.stderr(`lvmsnap: the plan would fail: ${c.present.rehearsal}\n`);
      }
      return refused ? EXIT.refused : EXIT.ok;
    }
    const progress = progressReporter(ttyProgress(args), io.stderr, 'archived');
    const r = await runBackup(io.host, await request(args, target, io.version), {
      host: io.host, ...io.deps, ...(log ? { log } : {}), watchIntervalMs,
      warn: (m) => { progress.done(); io.stderr(`lvmsnap: warning: ${m}\n`); },
      onProgress: (p) => { if (p.phase === 'archive') progress.update(p); },
    }).finally(() => progress.done());
    const m = r.manifest;
    if (args['json']) {
      io.stdout(`${JSON.stringify({ ok: true, archive: r.archive, name: m.name, format: m.format, sizeBytes: m.sizes.archiveBytes, sourceBytes: m.sizes.sourceBytes, sha256: m.sha256, seconds: m.seconds, peakSnapshotUsagePercent: m.peakSnapshotUsagePercent, snapshotGrows: m.snapshot.grows ?? [], pruned: r.pruned, removedLeftovers: r.removedLeftovers, warnings: r.warnings, manifest: m }, null, 2)}\n`);
    } else {
      const ratio = m.sizes.sourceBytes ? ` (${((m.sizes.archiveBytes / m.sizes.sourceBytes) * 100).toFixed(0)} % of ${bytes(m.sizes.sourceBytes)})` : '';
      io.stdout(`lvmsnap backup: ${r.archive}: ${bytes(m.sizes.archiveBytes)}${ratio} in ${m.seconds.toFixed(1)} s, verified; ` +
        `peak snapshot usage ${m.peakSnapshotUsagePercent === null ? 'unknown' : `${m.peakSnapshotUsagePercent.toFixed(1)} %`}` +
        `${m.snapshot.grows?.length ? ` (grown ${m.snapshot.grows.length} time(s), to ${bytes(m.snapshot.grows.at(-1)!.toBytes)})` : ''}; snapshot removed\n`);
      if (r.pruned.length) io.stdout(`pruned: ${r.pruned.join(', ')}\n`);
    }
    return EXIT.ok;
  },
};
