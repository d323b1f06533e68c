// Plan for `lvmsnap systemd install`: the shutdown guard template and the boot-time recovery unit
// into /etc/systemd/system, daemon-reload, and enabling the boot unit (never --now). When the lvmsnap
// package installed the units (/lib/systemd/system), only the enabling, if it is missing.
import { UnsupportedHost } from '../errors.js';
import { daemonReloadArgv, enableArgv } from './commands.js';
import { fileSteps, type ShippedFile } from './files.js';
import type { InstallPlan, InstallProbe, InstallStep } from './types.js';

export const UNIT_DIR = '/etc/systemd/system';
/** Where the .deb puts the units (Debian 12: not /usr/lib, usrmerge is not assumed). */
export const PACKAGE_UNIT_DIR = '/lib/systemd/system';
export const GUARD_UNIT = 'lvmsnap-guard@.service';
export const RECOVER_UNIT = 'lvmsnap-recover.service';
export const SYSTEMD_FILES: readonly ShippedFile[] = [
  { rel: `systemd/${GUARD_UNIT}`, dest: `${UNIT_DIR}/${GUARD_UNIT}`, mode: '0644', packaged: `${PACKAGE_UNIT_DIR}/${GUARD_UNIT}` },
  { rel: `systemd/${RECOVER_UNIT}`, dest: `${UNIT_DIR}/${RECOVER_UNIT}`, mode: '0644', packaged: `${PACKAGE_UNIT_DIR}/${RECOVER_UNIT}` },
];
const RUNNING = '/run/systemd/system';
const WANTS_LINK = `${UNIT_DIR}/sysinit.target.wants/${RECOVER_UNIT}`;
/** systemd's fixed search path for a command given without a directory (ExecStop=lvmsnap ...). */
const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
export const LVMSNAP_CANDIDATES = SEARCH_PATH.map((d) => `${d}/lvmsnap`);
export const NODE_CANDIDATES = SEARCH_PATH.map((d) => `${d}/node`);
export const SYSTEMD_PROBES = [RUNNING, WANTS_LINK, ...LVMSNAP_CANDIDATES, ...NODE_CANDIDATES, ...SYSTEMD_FILES.map((f) => f.packaged)];

export function planSystemd(p: InstallProbe): InstallPlan {
  if (!p.modes.has(RUNNING)) {
    throw new UnsupportedHost(
      `this host is not running systemd (${RUNNING} does not exist), and the shutdown guard needs systemd as init. ` +
        "Without it, run 'lvmsnap check reboot' before every reboot (packaging/molly-guard/run.d/30-lvmsnap does it for molly-guard) " +
        "and 'lvmsnap recover' after an unclean one.",
    );
  }
  if (!LVMSNAP_CANDIDATES.some((c) => p.modes.has(c))) {
    throw new UnsupportedHost(
      `the units run 'lvmsnap recover', but no lvmsnap is on systemd's search path (${SEARCH_PATH.join(':')}). ` +
        'Link it there first, e.g.: sudo ln -s /path/to/lvmsnap/bin/lvmsnap.cjs /usr/local/sbin/lvmsnap',
    );
  }
  const { steps, upToDate, packaged, shadowing } = fileSteps('systemd', SYSTEMD_FILES, p);
  const all: InstallStep[] = [...steps];
  if (steps.length > 0) all.push({ type: 'exec', argv: daemonReloadArgv(), reason: 'load the new unit files' });
  if (!p.modes.has(WANTS_LINK)) all.push({ type: 'exec', argv: enableArgv(RECOVER_UNIT), reason: 'run lvmsnap recover early at every boot' });
  const notes = [
    `${GUARD_UNIT}: 'lvmsnap apply --state present' starts one instance per tmp-file directory; stopping it (shutdown) runs 'lvmsnap recover'. 'lvmsnap check reboot' reports chains whose guard is not active.`,
    `${RECOVER_UNIT}: runs 'lvmsnap recover' at boot before local file systems are mounted (after reboot -f, power loss, panic). It cannot repair a VG that holds /: run 'lvmsnap initramfs install' for that.`,
  ];
  for (const d of shadowing) notes.push(`warning: ${d} (from an earlier 'lvmsnap systemd install') overrides the package's unit: remove it (rm ${d}; systemctl daemon-reload).`);
  // The package's executable needs no node; a checkout's or npm's lvmsnap does.
  if (packaged.length === 0 && !NODE_CANDIDATES.some((c) => p.modes.has(c))) notes.push(`warning: no node on systemd's search path (${SEARCH_PATH.join(':')}); lvmsnap needs Node.js 20 there.`);
  return { what: 'systemd', flavor: 'systemd', steps: all, upToDate, notes, packaged };
}
