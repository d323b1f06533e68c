// The simulator's single entry point: a pure function from (system, argv) to (system, result).
import { lvchange, lvcreate, lvextend, lvremove } from './cmd-lv.js';
import { losetup } from './cmd-loop.js';
import { dd, fallocate, mkdir, rm, rmdir } from './cmd-fs.js';
import { find, mv, sha256sum, sync, versionProbe } from './cmd-backup.js';
import { mount, umount } from './cmd-mount.js';
import { pvchange, pvcreate, pvremove, pvresize, vgextend, vgreduce } from './cmd-pv.js';
import { systemctl } from './cmd-systemd.js';
import { notModelled, ok, settle, type ExecOutput, type Handler } from './ops.js';
import { blkid, df, findmnt, stat } from './report-host.js';
import { fullreport } from './report-lvm.js';
import { fullreportArgv } from '../commands.js';
import type { SimSystem } from './state.js';

// Exactly lvmsnap's argv (src/commands.ts): other columns would give another report.
const FULLREPORT = fullreportArgv().slice(1).join(' ');

const lvm: Handler = (s, args) => {
  if (args[0] === 'fullreport' && args.join(' ') === FULLREPORT) {
    const r = fullreport(s);
    return ok(s, r.stdout, r.stderr);
  }
  const sub = args[0] !== undefined ? HANDLERS[args[0]] : undefined;
  return sub && args[0] !== 'lvm' ? sub(s, args.slice(1)) : notModelled(s, ['lvm', ...args]);
};

const HANDLERS: Readonly<Record<string, Handler>> = {
  lvm,
  losetup,
  findmnt: (s, args) => {
    // Only with the columns spelled out: util-linux's default columns have no MAJ:MIN (seen in the VM).
    const cols = args.length === 3 && ['--output', '-o'].includes(args[1]!) ? args[2]!.toUpperCase() : null;
    const ok = args[0] === '--json' && cols === 'TARGET,SOURCE,FSTYPE,OPTIONS,MAJ:MIN';
    return ok ? findmnt(s) : notModelled(s, ['findmnt', ...args]);
  },
  stat,
  df,
  blkid,
  fallocate,
  dd,
  rm,
  mkdir,
  rmdir,
  mount,
  umount,
  pvcreate,
  pvremove,
  vgextend,
  pvchange,
  vgreduce,
  lvcreate,
  lvremove,
  lvextend,
  pvresize,
  lvchange,
  systemctl,
  sync,
  mv,
  sha256sum,
  find,
  tar: versionProbe('tar'),
  zstd: versionProbe('zstd'),
  gzip: versionProbe('gzip'),
};

/** Names of the commands the simulator answers (each only in the argv shapes of src/commands.ts). */
export const SIMULATED_COMMANDS: readonly string[] = Object.keys(HANDLERS);

/**
 * Run argv against the system. Pure: returns the next system (the same object when nothing changed)
 * and what the command printed. Unknown commands or argv shapes exit 127.
 */
export function exec(system: SimSystem, argv: readonly string[]): ExecOutput {
  const handler = argv[0] !== undefined ? HANDLERS[argv[0].replace(/^.*\//, '')] : undefined;
  const out = handler ? handler(system, argv.slice(1)) : notModelled(system, argv);
  const next = out.system === system ? system : settle(out.system);
  return { system: next, result: out.result };
}
