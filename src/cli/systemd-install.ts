// lvmsnap systemd install: the shutdown guard template and the boot-time recovery unit (src/sysinstall).
import { EXIT } from './exit.js';
import type { CommandSpec } from './spec.js';
import { makeLog, OUTPUT_GROUP } from './target-flags.js';

export const systemdInstall: CommandSpec = {
  name: 'systemd install',
  summary: 'install the shutdown guard and boot-time recovery units',
  usage: 'systemd install [--check] [--json]',
  description:
    'Copies lvmsnap-guard@.service and lvmsnap-recover.service into /etc/systemd/system, reloads systemd and enables ' +
    'lvmsnap-recover.service (without starting it). `apply --state present` starts one guard instance per tmp-file ' +
    'directory; when the host shuts down, stopping it runs `lvmsnap recover` before that file system is unmounted ' +
    'and while LVM still runs. lvmsnap-recover.service runs `lvmsnap recover` early at boot, for what no guard saw ' +
    '(reboot -f, power loss, panic). Needs systemd as init and lvmsnap on systemd\'s search path (e.g. ' +
    '/usr/local/sbin/lvmsnap); otherwise exit 3, nothing changed. Files already in place are left alone.',
  groups: [
    { title: 'Install', flags: [{ name: 'check', type: 'boolean', default: false, describe: 'print the plan (every command); change nothing' }] },
    OUTPUT_GROUP,
  ],
  examples: [
    ['systemd install --check', 'what would be installed and run'],
    ['systemd install', 'install and enable the units (as root)'],
  ],
  exitCodes: [
    [0, 'installed, or nothing to do, or --check'],
    [1, 'a step failed (the message says what is in place)'],
    [3, 'not possible here (no systemd, lvmsnap not on the search path, not root); nothing changed'],
  ],
  run: async (args, io) => {
    const { installCommand } = await import('../sysinstall/cli-run.js');
    const log = await makeLog(args);
    const code = await installCommand('systemd', { check: args['check'] === true, json: args['json'] === true, ...(log ? { log } : {}) }, {
      stdout: io.stdout, stderr: io.stderr, host: io.host, ...(io.deps?.stopRequested ? { stopRequested: io.deps.stopRequested } : {}),
    });
    return code === 0 ? EXIT.ok : EXIT.failed;
  },
};
