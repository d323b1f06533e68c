// Shared fixtures for the backup tests on the simulated host.
import type { HostPort } from '../../src/port.js';
import { runBackup, type BackupDeps, type BackupRequest } from '../../src/backup/run.js';
import { addDirs, simpleSystem } from '../../src/sim/build.js';
import { SimHost } from '../../src/sim/host.js';
import type { SimSystem } from '../../src/sim/state.js';
import { toTarget } from '../../src/target.js';

export const DEST = '/srv/backups';
export const system = (o: Parameters<typeof simpleSystem>[0] = {}): SimSystem =>
  addDirs(simpleSystem({ originUsedBytes: 40 * 1024 * 1024, ...o }), ['/srv', DEST]);

export const target = (extra: Record<string, unknown> = {}) =>
  toTarget({ vg: 'vg0', lv: 'root', size: '32M', stateDir: '/var/lib/lvmsnap', ...extra }, 'test');

export const request = (o: Partial<BackupRequest> = {}): BackupRequest => ({
  target: target(), dest: DEST, format: 'tar.zst', keep: {}, reuseSnapshot: false, cores: 2, version: 'test',
  now: () => new Date(2026, 10, 30, 12, 0, 0), ...o,
});

export const backup = (host: HostPort, o: Partial<BackupRequest> = {}, deps: Partial<BackupDeps> = {}) =>
  runBackup(host, request(o), { host, lockDir: '/run/lock/lvmsnap', watchIntervalMs: 60_000, ...deps });

/** Names in the destination directory (tree files and state files). */
export function destNames(s: SimSystem): string[] {
  const tree = Object.keys(s.paths).filter((p) => p.startsWith(`${DEST}/`)).map((p) => p.slice(DEST.length + 1));
  const state = Object.keys(s.stateFiles).filter((p) => p.startsWith(`${DEST}/`)).map((p) => p.slice(DEST.length + 1));
  return [...tree, ...state].sort();
}

/** No snapshot, loop device, lvmsnap PV or lvmsnap mount is left. */
export function chainLeft(s: SimSystem): string[] {
  const left: string[] = [];
  for (const lv of Object.values(s.lvs)) if (lv.origin !== null) left.push(`snapshot ${lv.vg}/${lv.name}`);
  for (const pv of Object.values(s.pvs)) if (pv.tags.includes('lvmsnap')) left.push(`pv ${pv.lastDevice}`);
  for (const l of Object.values(s.loops)) if (l.ino !== null) left.push(`loop ${l.name}`);
  for (const m of s.mounts) if (m.target.startsWith('/run/lvmsnap') || m.target === '/media/snap') left.push(`mount ${m.target}`);
  return left;
}

export const COMPLETE = /^[^/]+__\d{8}_\d{6}\.(tar\.zst|tar\.gz|img\.zst|fsa)$/;
export { SimHost };
