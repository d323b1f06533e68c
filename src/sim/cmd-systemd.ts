// systemctl: just enough of systemd for lvmsnap's shutdown guard (src/systemd-units.ts): `show` of
// Id/LoadState/ActiveState and `start`. SimSystem.systemd present means systemd is PID 1 (and then
// /run/systemd/system exists, see withSystemd); absent, systemctl fails like on a host without systemd.
// Units do nothing when started or stopped here: only their active state is modelled.
import { addDirs } from './build.js';
import { edit } from './edit.js';
import { fail, notModelled, ok, parseArgs, type ExecOutput } from './ops.js';
import type { SimSystem } from './state.js';

export const SYSTEMD_RUN_DIR = '/run/systemd/system';
const SHOW_PROPERTIES = 'Id,LoadState,ActiveState';
const NO_SYSTEMD = "System has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: Host is down\n";

/** The unit file that defines a unit: itself, or its template for an instance (name@inst.service). */
const templateOf = (unit: string): string => unit.replace(/@[^.]*\./, '@.');
const loadable = (s: SimSystem, unit: string): boolean =>
  s.systemd!.unitFiles.includes(unit) || s.systemd!.unitFiles.includes(templateOf(unit));
const validName = (unit: string): boolean => /^[A-Za-z0-9:_.\\@-]+\.(service|target|socket|mount)$/.test(unit);

/** systemd runs as PID 1 with these unit files installed (e.g. lvmsnap-guard@.service) and units active. */
export function withSystemd(s: SimSystem, unitFiles: readonly string[] = ['lvmsnap-guard@.service', 'lvmsnap-recover.service'], active: readonly string[] = []): SimSystem {
  return edit(addDirs(s, [SYSTEMD_RUN_DIR]), {}, { systemd: { unitFiles: [...unitFiles], active: [...active] } });
}

export function systemctl(s: SimSystem, args: readonly string[]): ExecOutput {
  const argv = ['systemctl', ...args];
  const p = parseArgs(args, [], ['--property']);
  if (!p) return notModelled(s, argv);
  if (!s.systemd) return fail(s, 1, NO_SYSTEMD);
  const [verb, ...units] = p.pos;
  if (units.length === 0 || !units.every(validName)) return notModelled(s, argv, 'needs unit names');
  if (verb === 'show' && p.flags.get('--property')?.join() === SHOW_PROPERTIES && p.flags.size === 1) {
    const blocks = units.map((u) => {
      const load = loadable(s, u) ? 'loaded' : 'not-found';
      const active = s.systemd!.active.includes(u) ? 'active' : 'inactive';
      return `Id=${u}\nLoadState=${load}\nActiveState=${active}\n`;
    });
    return ok(s, blocks.join('\n'));
  }
  if (verb === 'start' && p.flags.size === 0 && units.length === 1) {
    const u = units[0]!;
    if (!loadable(s, u)) return fail(s, 5, `Failed to start ${u}: Unit ${templateOf(u)} not found.\n`);
    if (s.systemd.active.includes(u)) return ok(s);
    return ok(edit(s, {}, { systemd: { ...s.systemd, active: [...s.systemd.active, u] } }));
  }
  return notModelled(s, argv);
}
