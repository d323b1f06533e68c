// Plan for `lvmsnap initramfs install`: the initramfs-tools hook + local-top script, or the dracut
// module, whichever builder the host has, then one rebuild of the initramfs when a file changed.
// When the lvmsnap package installed them, nothing: its dpkg trigger rebuilds the initramfs.
import { UnsupportedHost } from '../errors.js';
import { dracutArgv, updateInitramfsArgv } from './commands.js';
import { fileSteps, type ShippedFile } from './files.js';
import type { InstallPlan, InstallProbe, InstallStep } from './types.js';

export const UPDATE_INITRAMFS = ['/usr/sbin/update-initramfs', '/sbin/update-initramfs'];
export const DRACUT = ['/usr/bin/dracut', '/usr/sbin/dracut', '/bin/dracut', '/sbin/dracut'];

const DRACUT_DIR = '/usr/lib/dracut/modules.d/90lvmsnap';
/** The package's initramfs-tools files (the admin's own go to /etc/initramfs-tools). */
const PACKAGE_ITOOLS_DIR = '/usr/share/initramfs-tools';
export const INITRAMFS_TOOLS_FILES: readonly ShippedFile[] = [
  { rel: 'initramfs-tools/hooks/lvmsnap', dest: '/etc/initramfs-tools/hooks/lvmsnap', mode: '0755', packaged: `${PACKAGE_ITOOLS_DIR}/hooks/lvmsnap` },
  { rel: 'initramfs-tools/scripts/local-top/lvmsnap', dest: '/etc/initramfs-tools/scripts/local-top/lvmsnap', mode: '0755', packaged: `${PACKAGE_ITOOLS_DIR}/scripts/local-top/lvmsnap` },
];
// dracut has one module folder: the package's path is ours (dpkg's list tells whose the files are).
export const DRACUT_FILES: readonly ShippedFile[] = [
  { rel: 'dracut/90lvmsnap/module-setup.sh', dest: `${DRACUT_DIR}/module-setup.sh`, mode: '0755', packaged: `${DRACUT_DIR}/module-setup.sh` },
  { rel: 'dracut/90lvmsnap/lvmsnap-recover.sh', dest: `${DRACUT_DIR}/lvmsnap-recover.sh`, mode: '0755', packaged: `${DRACUT_DIR}/lvmsnap-recover.sh` },
];
export const INITRAMFS_PROBES = [...UPDATE_INITRAMFS, ...DRACUT, ...INITRAMFS_TOOLS_FILES.map((f) => f.packaged)];

export type InitramfsFlavor = 'initramfs-tools' | 'dracut';

/** initramfs-tools first: Debian and Ubuntu ship it, and where both exist it is the one in use. */
export function initramfsFlavor(modes: ReadonlyMap<string, string>): InitramfsFlavor {
  if (UPDATE_INITRAMFS.some((p) => modes.has(p))) return 'initramfs-tools';
  if (DRACUT.some((p) => modes.has(p))) return 'dracut';
  throw new UnsupportedHost(
    'neither update-initramfs (initramfs-tools) nor dracut was found, so lvmsnap cannot add its boot-time recovery to the initramfs. ' +
      "Install the one your distribution uses (apt-get install initramfs-tools, dnf install dracut). Without it, lvmsnap-recover.service ('lvmsnap systemd install') still repairs VGs that do not hold /.",
  );
}

export const initramfsFiles = (f: InitramfsFlavor): readonly ShippedFile[] => (f === 'dracut' ? DRACUT_FILES : INITRAMFS_TOOLS_FILES);

export function planInitramfs(p: InstallProbe, flavor: InitramfsFlavor): InstallPlan {
  const { steps, upToDate, packaged, shadowing } = fileSteps('initramfs', initramfsFiles(flavor), p);
  const all: InstallStep[] = [...steps];
  if (steps.length > 0) {
    all.push(flavor === 'dracut'
      ? { type: 'exec', argv: dracutArgv(), reason: 'rebuild the initramfs with the lvmsnap module', progress: true }
      : { type: 'exec', argv: updateInitramfsArgv(), reason: 'rebuild the initramfs with the lvmsnap hook', progress: true });
  }
  const notes = [
    'At boot, before the root VG is activated, the initramfs removes lvmsnap snapshots whose loop PV was lost and the missing PV ' +
      '(lvremove, then vgreduce --removemissing without --force), only when every missing PV carries the lvmsnap tag and every LV on one is an lvmsnap snapshot. ' +
      'Otherwise it changes nothing and prints why.',
  ];
  if (packaged.length > 0) {
    notes.push(`The lvmsnap package's dpkg trigger rebuilds the initramfs when the package is installed, upgraded or removed; to rebuild it now anyway: ${(flavor === 'dracut' ? dracutArgv() : updateInitramfsArgv()).join(' ')}`);
  }
  for (const d of shadowing) notes.push(`warning: ${d} (from an earlier 'lvmsnap initramfs install') takes precedence over the package's copy: remove it (rm ${d}), then rebuild the initramfs.`);
  return { what: 'initramfs', flavor, steps: all, upToDate, notes, packaged };
}
