// lvmsnap initramfs install: boot-time recovery for a VG that holds / (src/sysinstall, packaging/).
import { INSTALL_GROUPS, installRun } from './install-run.js';
import type { CommandSpec } from './spec.js';

export const initramfsInstall: CommandSpec = {
  name: 'initramfs install',
  summary: 'install the initramfs hook that repairs a root VG after an unclean reboot',
  usage: 'initramfs install [--check] [--json]',
  description:
    'Installs the initramfs-tools hook and local-top script (Debian, Ubuntu) or the dracut module 90lvmsnap (RHEL, ' +
    'Fedora), whichever builder the host has, and rebuilds the initramfs (update-initramfs -u, or dracut --force). At ' +
    'boot, before the root VG is activated, the script removes lvmsnap snapshots whose loop PV was lost and that ' +
    'missing PV (lvremove, vgreduce --removemissing, never --force), only when every missing PV carries the lvmsnap ' +
    'tag and every LV on one is an lvmsnap snapshot; otherwise it changes nothing and prints why. No builder: exit 3. ' +
    'When the lvmsnap package installed the hook (/usr/share/initramfs-tools) or module, there is nothing to do: the ' +
    "package's dpkg trigger rebuilds the initramfs. The single executable carries no hook files: without the package " +
    'or an lvmsnap checkout (or LVMSNAP_PACKAGING_DIR) it exits 3 and says so.',
  groups: INSTALL_GROUPS,
  examples: [
    ['initramfs install --check', 'which builder was found, what would be installed and run'],
    ['initramfs install', 'install the hook and rebuild the initramfs (as root)'],
  ],
  exitCodes: [
    [0, 'installed and rebuilt, or nothing to do, or --check'],
    [1, 'a step failed, e.g. the rebuild (the message says what is in place and what to run)'],
    [3, 'not possible here (neither initramfs-tools nor dracut, no hook files to install, not root); nothing changed'],
  ],
  run: installRun('initramfs'),
};
