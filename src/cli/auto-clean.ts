// lvmsnap auto-clean: manage_backups.py auto-clean, every per-bucket limit enforced by `backups prune`'s
// rotation (src/compat/manage-backups.ts, src/backup/rotation.ts).
import { AUTO_CLEAN_GROUP, BACKUP_NAME_GROUP, cleanFlags } from './compat-flags.js';
import { EXIT } from './exit.js';
import type { CommandSpec } from './spec.js';

export const autoClean: CommandSpec = {
  name: 'auto-clean',
  dropIn: 'manage_backups.py',
  summary: 'drop-in for manage_backups.py auto-clean: remove old backups beyond the daily/weekly/monthly/yearly limits',
  usage: 'auto-clean --backup-dest-dir DIR --prefix P --extension EXT [--daily-backups-max-count N] ... [--dry-mode]',
  description:
    'Considers the regular files DIR/P__YYYYmmdd_HHMMSS.EXT only, by the date in their names. Each limit keeps the newest backup of ' +
    'each of its N most recent days, ISO weeks, months or years that hold one; a backup is kept if any limit keeps it, every other ' +
    'one is removed (with lvmsnap\'s .sha256 and .json next to it). The same rotation as `backups prune --keep-daily N --keep-weekly N ' +
    '--keep-monthly N --keep-yearly N`. All limits 0 is refused: lvmsnap never removes every backup.',
  groups: [BACKUP_NAME_GROUP, AUTO_CLEAN_GROUP],
  examples: [
    ['auto-clean --backup-dest-dir /media/backups --prefix system_dump --extension tar.gz --dry-mode', 'show what the default limits (5 daily, 3 weekly, 6 monthly) would remove'],
    ['auto-clean --backup-dest-dir /media/backups --prefix system_dump --extension tar.gz --daily-backups-max-count 7 --weekly-backups-max-count 4', 'a week of dailies, a month of weeklies'],
  ],
  exitCodes: [[0, 'done (or shown, with --dry-mode)'], [1, 'DIR is not a directory, or a removal failed'], [3, 'bad input, or every limit 0']],
  run: async (args, io) => {
    const { autoClean: clean } = await import('../compat/manage-backups.js');
    const r = await clean(io.host, cleanFlags(args), new Date());
    io.stdout(r.stdout);
    io.stderr(r.stderr);
    return r.exitCode === 0 ? EXIT.ok : EXIT.failed;
  },
};
