// lvmsnap backups list|prune|verify|restore: the archives in a destination directory (src/backup/).
import { FORMATS } from '../backup/formats.js';
import { UsageError } from '../errors.js';
import { bytes, cores, KEEP_GROUP, keepFrom, progressReporter, ttyProgress } from './backup-flags.js';
import { EXIT } from './exit.js';
import type { CommandSpec, FlagGroup, ParsedArgs } from './spec.js';

const JSON_GROUP: FlagGroup = { title: 'Output', flags: [{ name: 'json', type: 'boolean', default: false, describe: 'print one JSON object on stdout' }] };
const positional = (args: ParsedArgs, what: string): string => {
  const v = args._[0];
  if (v === undefined) throw new UsageError(`name the ${what}; see lvmsnap backups --help`);
  return v;
};
const age = (s: number): string => (s < 3600 ? `${Math.round(s / 60)}m` : s < 172_800 ? `${Math.round(s / 3600)}h` : `${Math.round(s / 86_400)}d`);

export const backupsList: CommandSpec = {
  name: 'backups list',
  summary: 'list the archives in a directory with sizes, ages and verification state',
  usage: 'backups list --dest DIR [--prefix P] [--json]',
  groups: [{ title: 'List', flags: [
    { name: 'dest', type: 'string', value: 'DIR', required: true, complete: 'dir', describe: 'directory holding the archives' },
    { name: 'prefix', type: 'string', value: 'P', describe: 'only archives named P__...' },
  ] }, JSON_GROUP],
  examples: [['backups list --dest /backup', 'every archive, newest first per prefix'], ['backups list --dest /backup --prefix vg0-root --json', 'for scripts']],
  run: async (args, io) => {
    const { listBackups } = await import('../backup/index.js');
    const l = await listBackups(io.host, String(args['dest']), new Date(), args['prefix'] === undefined ? undefined : String(args['prefix']));
    if (args['json']) {
      io.stdout(`${JSON.stringify({ dest: l.dest, archives: l.archives.map(({ manifest, ...a }) => ({ ...a, sha256: manifest?.sha256 ?? null, peakSnapshotUsagePercent: manifest?.peakSnapshotUsagePercent ?? null })), leftovers: l.leftovers }, null, 2)}\n`);
      return EXIT.ok;
    }
    const rows = l.archives.map((a) => `  ${a.name.padEnd(44)} ${bytes(a.sizeBytes).padStart(10)}  ${age(a.ageSeconds).padStart(5)}  ${a.verification}`);
    io.stdout(`${l.archives.length} archive(s) in ${l.dest}\n${rows.join('\n')}${rows.length ? '\n' : ''}`);
    if (l.leftovers.length) io.stdout(`leftovers of interrupted backups (removed by the next backup of that prefix): ${l.leftovers.join(', ')}\n`);
    return EXIT.ok;
  },
};

export const backupsPrune: CommandSpec = {
  name: 'backups prune',
  summary: 'remove archives the keep rules do not keep (--check: only show)',
  usage: 'backups prune --dest DIR --prefix P [--format F] [keep options] [--check] [--json]',
  description: 'Each rule keeps the newest archive of each of its N most recent periods that hold one (days, ISO weeks, months, years); ' +
    '--keep-within keeps everything newer than the duration; an archive is kept if any rule keeps it. Only archives named exactly ' +
    'P__YYYYmmdd_HHMMSS.<ext> are considered, each format on its own; a pruned archive goes with its .sha256 and .json. ' +
    'The removals are a plan run by the same applier as apply: --check prints its commands (and --json lists them in "commands").',
  groups: [{ title: 'Prune', flags: [
    { name: 'dest', type: 'string', value: 'DIR', required: true, complete: 'dir', describe: 'directory holding the archives' },
    { name: 'prefix', type: 'string', value: 'P', required: true, describe: 'archives named P__...' },
    { name: 'format', type: 'string', choices: [...FORMATS], describe: 'only this format [default: each format separately]' },
    { name: 'check', type: 'boolean', default: false, describe: 'show what would be removed; remove nothing' },
  ] }, KEEP_GROUP, JSON_GROUP],
  examples: [
    ['backups prune --dest /backup --prefix vg0-root --keep-daily 7 --keep-weekly 4 --check', 'what would go'],
    ['backups prune --dest /backup --prefix vg0-root --keep-within 14d --keep-monthly 12', 'two weeks of everything, a year of monthlies'],
  ],
  run: async (args, io) => {
    const { prune } = await import('../backup/index.js');
    const r = await prune(io.host, {
      dest: String(args['dest']), prefix: String(args['prefix']), keep: await keepFrom(args), now: new Date(), check: args['check'] === true,
      ...(args['format'] !== undefined ? { format: args['format'] as (typeof FORMATS)[number] } : {}),
    });
    if (args['json']) {
      io.stdout(`${JSON.stringify({ check: args['check'] === true, changed: r.removed.length > 0, archives: r.decisions, removed: r.removed, commands: r.commands }, null, 2)}\n`);
    } else {
      for (const d of r.decisions) io.stdout(`  ${d.keep ? 'keep  ' : args['check'] ? 'would remove' : 'removed'} ${d.name}${d.keep ? `  (${d.reasons.join(', ')})` : ''}\n`);
      io.stdout(`${r.decisions.filter((d) => d.keep).length} kept, ${r.decisions.filter((d) => !d.keep).length} ${args['check'] ? 'to remove (--check: nothing removed)' : 'removed'}\n`);
      if (args['check'] && r.commands.length) io.stdout(`commands it would run:\n${r.commands.map((c) => `  ${c.join(' ')}\n`).join('')}`);
    }
    return EXIT.ok;
  },
};

export const backupsVerify: CommandSpec = {
  name: 'backups verify',
  summary: 'check an archive against its .sha256 and its own integrity',
  usage: 'backups verify FILE [--json]',
  description: 'Reads the whole archive: its sha256 must match the .sha256 written with it, and the format\'s own test must pass ' +
    '(zstd/gzip stream and tar structure, zstd -t for images, fsarchiver archinfo). Exit 1 on any corruption.',
  positionals: [{ name: 'FILE', describe: 'the archive (absolute path), or a backup LV as /dev/VG/LV', required: true }],
  groups: [JSON_GROUP],
  examples: [['backups verify /backup/vg0-root__20261130_020000.tar.zst', 'exit 0: intact; 1: corrupt']],
  exitCodes: [[0, 'checksum and integrity ok'], [1, 'corrupt: checksum mismatch or missing, or the integrity test failed'], [3, 'bad input: not an lvmsnap archive, missing file']],
  run: async (args, io) => {
    const { verifyArchive } = await import('../backup/index.js');
    const progress = progressReporter(ttyProgress(args), io.stderr, 'read');
    const r = await verifyArchive(io.host, positional(args, 'archive'), await cores(), (p) => progress.update(p)).finally(() => progress.done());
    if (args['json']) io.stdout(`${JSON.stringify(r, null, 2)}\n`);
    else io.stdout(r.ok ? `${r.file}: ok (sha256 ${r.sha256}, ${r.format} integrity ok)\n` : `${r.file}: CORRUPT\n${r.problems.map((p) => `  ${p}\n`).join('')}`);
    return r.ok ? EXIT.ok : EXIT.failed;
  },
};

export const backupsRestore: CommandSpec = {
  name: 'backups restore',
  summary: 'extract an archive into a directory, or write an image onto a device or file',
  usage: 'backups restore FILE|/dev/VG/LV --to DIR|DEVICE [--force] [--state-dir DIR] [--check] [--json]',
  description: 'Checks the archive against its .sha256 first. tar archives are extracted into an existing directory with owners, ' +
    'modes, links, xattrs and ACLs; img.zst is written onto a block device or into a file; fsa is restored onto a block device ' +
    'with fsarchiver. A backup LV (backup --format lv) is checked against its manifest\'s sha256 and copied onto a device or into a file. ' +
    'A mounted device is always refused; a non-empty directory or an existing file only with --force. ' +
    'Before writing anything, an image (img.zst, its size from the archive\'s manifest, or a backup LV) must fit: a smaller device, ' +
    'or a file on a filesystem without room for it, is refused (exit 3, nothing restored); a larger device keeps its bytes past the image\'s end.',
  positionals: [{ name: 'FILE', describe: 'the archive (absolute path)', required: true }],
  groups: [{ title: 'Restore', flags: [
    { name: 'to', type: 'string', value: 'DIR|DEVICE', required: true, complete: 'file', describe: 'where to restore: a directory, a file, or a block device (/dev/sdX, /dev/VG/LV, /dev/mapper/NAME, or a stable /dev/disk/by-id/NAME link, which is followed to the disk for the mount and size checks)' },
    { name: 'force', type: 'boolean', default: false, describe: 'extract into a non-empty directory, or overwrite an existing file' },
    { name: 'state-dir', type: 'string', value: 'DIR', complete: 'dir', default: '/var/lib/lvmsnap', describe: 'where backup --format lv wrote the backup LV\'s manifest (backup-lv/VG-LV.json)' },
    { name: 'check', type: 'boolean', default: false, describe: 'run every check (checksum, destination, room) and show the commands; write nothing' },
  ] }, JSON_GROUP],
  examples: [
    ['backups restore /backup/vg0-root__20261130_020000.tar.zst --to /mnt/restore', 'the tree, as it was in the snapshot'],
    ['backups restore /backup/vg0-vm1__20261130_020000.img.zst --to /dev/vg0/vm1-restored', 'the image onto an unmounted LV'],
    ['backups restore /dev/backupvg/data-copy --to /dev/vg0/data', 'a backup LV (backup --format lv) back onto the unmounted origin'],
    ['backups restore /backup/vg0-vm1__20261130_020000.img.zst --to /dev/sdc --check', 'would it fit? nothing written'],
  ],
  run: async (args, io) => {
    const { restoreArchive, restoreBackupLv, isLvDevice } = await import('../backup/index.js');
    const check = args['check'] === true;
    const progress = progressReporter(ttyProgress(args) && !check, io.stderr, 'read');
    const source = positional(args, 'archive');
    const r = isLvDevice(source)
      ? await restoreBackupLv(io.host, { device: source, to: String(args['to']), force: args['force'] === true, stateDir: String(args['state-dir']), check }, (p) => progress.update(p)).finally(() => progress.done())
      : await restoreArchive(io.host, { file: positional(args, 'archive'), to: String(args['to']), force: args['force'] === true, cores: await cores(), check }, (p) => progress.update(p))
      .finally(() => progress.done());
    if (args['json']) {
      io.stdout(`${JSON.stringify({ ok: true, check, changed: !check, file: r.file, to: r.to, format: r.format, sha256: r.sha256, checksum: r.checksum, ms: r.ms, room: r.room, warnings: r.warnings, commands: r.commands }, null, 2)}\n`);
      return EXIT.ok;
    }
    for (const w of r.warnings) io.stderr(`lvmsnap: warning: ${w}\n`);
    const room = r.room && r.room.result === 'fits' ? `; ${r.room.note}` : '';
    if (check) {
      io.stdout(`lvmsnap backups restore --check: would restore ${r.file} to ${r.to} (nothing changed)\n` +
        `  checksum: sha256 ${r.sha256} ${r.checksum === 'missing' ? '(no .sha256 beside it: not checked)' : r.format === 'lv' ? 'matches the backup LV\'s manifest' : 'matches its .sha256'}\n` +
        (r.room ? `  room: ${r.room.result === 'fits' ? r.room.note : 'not checked (see the warning)'}\n` : '') +
        `  commands:\n${r.commands.map((c) => `    ${c}\n`).join('')}`);
    } else {
      io.stdout(`restored ${r.file} to ${r.to} in ${(r.ms / 1000).toFixed(1)} s${room}\n`);
    }
    return EXIT.ok;
  },
};
