// lvmsnap remove-unsuccessful: manage_backups.py remove-unsuccessful (src/compat/manage-backups.ts).
import { BACKUP_NAME_GROUP, nameFlags } from './compat-flags.js';
import { EXIT } from './exit.js';
import type { CommandSpec } from './spec.js';

export const removeUnsuccessful: CommandSpec = {
  name: 'remove-unsuccessful',
  dropIn: 'manage_backups.py',
  summary: 'drop-in for manage_backups.py remove-unsuccessful: remove the leftover of a failed backup',
  usage: 'remove-unsuccessful --backup-dest-dir DIR --prefix P --extension EXT --remove-file FILE',
  description:
    'Removes FILE when it is a regular file in DIR whose name starts with P and ends with EXT; anything else is left alone (exit 1, ' +
    'the reason on stdout). A FILE that does not exist is success (exit 0): the leftover is already gone.',
  groups: [BACKUP_NAME_GROUP, { title: 'Remove', flags: [
    { name: 'remove-file', type: 'string', value: 'FILE', required: true, complete: 'file', describe: 'the leftover to remove' },
  ] }],
  examples: [['remove-unsuccessful --backup-dest-dir /media/backups --prefix system_dump --extension tar.gz --remove-file "$BACKUP_FILE"', 'after a failed backup into $BACKUP_FILE']],
  exitCodes: [[0, 'removed, or it did not exist'], [1, 'not removed: not a regular file, wrong name or directory, or the removal failed'], [3, 'bad input']],
  run: async (args, io) => {
    const { removeUnsuccessful: remove } = await import('../compat/manage-backups.js');
    const r = await remove(io.host, { ...nameFlags(args), file: String(args['remove-file']) });
    io.stdout(r.stdout);
    io.stderr(r.stderr);
    return r.exitCode === 0 ? EXIT.ok : EXIT.failed;
  },
};
