// Shared fixtures for the backup tests on the simulated host.
import type { CommandResult, HostPort, PipeResult, RunOptions } from '../../src/port.js';
import { runBackup, type BackupDeps, type BackupRequest } from '../../src/backup/run.js';
import { main } from '../../src/cli/main.js';
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

/** lvmsnap ARGV through main() on the simulated host: exit code, stdout, stderr, and stdout parsed as JSON. */
export async function cli(argv: string[], host: SimHost) {
  let out = '';
  let err = '';
  const code = await main(argv, { host, stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, version: '9.9.9', deps: { lockDir: '/run/lock/lvmsnap' } });
  return { code, out, err, json: () => JSON.parse(out) };
}

/** A host that forwards every call to a SimHost; test hosts extend it and override what they inject.
 *  No lvmShell: every command is forked through run(), so an override of run sees each one. */
export class ForwardingHost implements HostPort {
  constructor(readonly inner: SimHost) {}
  run(...a: Parameters<HostPort['run']>): Promise<CommandResult> { return this.inner.run(...a); }
  pipe(...a: Parameters<HostPort['pipe']>): Promise<PipeResult> { return this.inner.pipe(...a); }
  writeFile(p: string, d: string) { return this.inner.writeFile(p, d); }
  removeFile(p: string) { return this.inner.removeFile(p); }
  readFile(p: string) { return this.inner.readFile(p); }
  lock(p: string) { return this.inner.lock(p); }
  unlock(p: string) { return this.inner.unlock(p); }
  uid() { return this.inner.uid(); }
  listDir(p: string) { return this.inner.listDir(p); }
  readMountinfo() { return this.inner.readMountinfo(); }
  readLoopSysfs() { return this.inner.readLoopSysfs(); }
  lstat(p: string) { return this.inner.lstat(p); }
  realpath(p: string) { return this.inner.realpath(p); }
  statfsAvail(p: string) { return this.inner.statfsAvail(p); }
}

/** Fails the k-th mutating operation: a command exits 1, a pipeline stage exits 1 (its output stays). */
export class FailingHost extends ForwardingHost {
  n = 0;
  constructor(inner: SimHost, readonly k: number) { super(inner); }
  private hit(): boolean { this.n += 1; return this.n === this.k; }
  override async run(argv: readonly string[], opts: RunOptions): Promise<CommandResult> {
    if (opts.mutating && this.hit()) return { argv, exitCode: 1, stdout: '', stderr: 'injected failure\n', ms: 0 };
    return this.inner.run(argv, opts);
  }
  override async pipe(...a: Parameters<HostPort['pipe']>): Promise<PipeResult> {
    const r = await this.inner.pipe(...a);
    if (a[3].mutating && this.hit()) return { ...r, stages: r.stages.map((s, i) => (i === 0 ? { ...s, exitCode: 1, stderr: 'injected\n' } : s)) };
    return r;
  }
  override async writeFile(p: string, d: string): Promise<void> { if (this.hit()) throw new Error('injected write failure'); return this.inner.writeFile(p, d); }
  override async removeFile(p: string): Promise<void> { if (this.hit()) throw new Error('injected remove failure'); return this.inner.removeFile(p); }
}
