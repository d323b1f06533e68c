// lvmsnap generate-name: manage_backups.py generate-name (src/compat/manage-backups.ts).
import { EXIT } from './exit.js';
import { BACKUP_NAME_GROUP, nameFlags } from './compat-flags.js';
import type { CommandSpec } from './spec.js';

export const generateName: CommandSpec = {
  name: 'generate-name',
  dropIn: 'manage_backups.py',
  summary: 'drop-in for manage_backups.py generate-name: print a fresh backup path DIR/P__YYYYmmdd_HHMMSS.EXT',
  usage: 'generate-name --backup-dest-dir DIR --prefix P --extension EXT',
  description:
    'Prints the absolute path DIR/P__YYYYmmdd_HHMMSS.EXT (local time, the name format `lvmsnap backup` writes and `backups prune` ' +
    'rotates) and creates DIR when missing. When that file already exists, or DIR is not a directory, it prints /dev/null instead ' +
    '(so FILE=$(lvmsnap generate-name ...) never names an existing backup), the reason on stderr, and exits 1.',
  groups: [BACKUP_NAME_GROUP],
  examples: [['generate-name --backup-dest-dir /media/backups --prefix system_dump --extension tar.gz', '/media/backups/system_dump__20261130_020000.tar.gz']],
  exitCodes: [[0, 'the path is printed, DIR exists'], [1, '/dev/null printed: the file exists or DIR is not a directory'], [3, 'bad input']],
  run: async (args, io) => {
    const { generateName: gen } = await import('../compat/manage-backups.js');
    const r = await gen(io.host, nameFlags(args), new Date());
    io.stdout(r.stdout);
    io.stderr(r.stderr);
    return r.exitCode === 0 ? EXIT.ok : EXIT.failed;
  },
};
