// lvmsnap systemd install: the shutdown guard template and the boot-time recovery unit (src/sysinstall).
import { INSTALL_GROUPS, installRun } from './install-run.js';
import type { CommandSpec } from './spec.js';

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
    '/usr/local/sbin/lvmsnap); otherwise exit 3, nothing changed. Files already in place are left alone. When the ' +
    'lvmsnap package installed the units (/lib/systemd/system), nothing is copied: it only enables lvmsnap-recover.service ' +
    'if that is not enabled. The single executable carries no unit files: without the package or an lvmsnap checkout ' +
    '(or LVMSNAP_PACKAGING_DIR) it exits 3 and says so.',
  groups: INSTALL_GROUPS,
  examples: [
    ['systemd install --check', 'what would be installed and run'],
    ['systemd install', 'install and enable the units (as root)'],
  ],
  exitCodes: [
    [0, 'installed, or nothing to do, or --check'],
    [1, 'a step failed (the message says what is in place)'],
    [3, 'not possible here (no systemd, lvmsnap not on the search path, no unit files to install, not root); nothing changed'],
  ],
  run: installRun('systemd'),
};
