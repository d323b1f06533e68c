// The native add-on (src/native/sys.c, built by scripts/native.mjs) on this host: a real tmpfs mount and a
// real loop device (root is needed; without it these tests fail and say so). The real host takes
// `umount -- PATH` and `losetup --detach /dev/loopN` through it when it loads, marks them "inProcess", and
// runs the tool itself whenever the call fails, so a failure reads as the tool's own.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a build script without type declarations
import { buildNative } from '../../scripts/native.mjs';
import { losetupDetachArgv, umountArgv } from '../../src/commands.js';
import { RealHost } from '../../src/host-real.js';
import { nativeOp } from '../../src/in-process/ops.js';
import { loadNativeSys, type NativeSys } from '../../src/native/load.js';

const dir = mkdtempSync(join(tmpdir(), 'lvmsnap-native-'));
const addon = join(dir, 'lvmsnap-sys.node');
let sys: NativeSys;
const mounted = (path: string): boolean => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === path);
const mountTmpfs = (path: string): void => {
  mkdirSync(path, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'lvmsnap-test', path]);
  expect(mounted(path)).toBe(true);
};
const attachLoop = (): string => {
  const file = join(dir, `loop-${Date.now()}.img`);
  writeFileSync(file, '');
  truncateSync(file, 1 << 20);
  return execFileSync('losetup', ['--find', '--show', '--', file], { encoding: 'utf8' }).trim();
};
const bound = (dev: string): boolean => existsSync(`/sys/block/${dev.slice('/dev/'.length)}/loop/backing_file`);

beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error('test/native needs root: it mounts a tmpfs and attaches a loop device');
  buildNative(addon);
  const loaded = loadNativeSys(addon);
  if (loaded === null) throw new Error(`${addon} did not load`);
  sys = loaded;
});
afterAll(() => {
  for (const l of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const target = l.split(' ')[4];
    if (target?.startsWith(dir)) execFileSync('umount', ['--', target]);
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('native add-on', () => {
  it('only umount of an absolute path and losetup --detach of a loop device qualify', () => {
    expect(nativeOp(umountArgv('/media/snap'))).toEqual({ op: 'umount', path: '/media/snap' });
    expect(nativeOp(losetupDetachArgv('/dev/loop12'))).toEqual({ op: 'loopDetach', device: '/dev/loop12' });
    for (const argv of [['umount', '/media/snap'], ['umount', '--', 'media'], ['umount', '-l', '/media/snap'], ['umount', '--', '/a', '/b'],
      ['losetup', '--detach', '/dev/sda'], ['losetup', '-d', '/dev/loop0'], ['losetup', '--detach', '/dev/loop0x'], ['mount', '--', '/a']])
      expect(nativeOp(argv), argv.join(' ')).toBeNull();
  });

  it('umount(path) unmounts and returns 0; the errno otherwise (EINVAL not mounted, ENOENT, EINVAL for a bad argument)', () => {
    const m = join(dir, 'm1');
    mountTmpfs(m);
    expect(sys.umount(m)).toBe(0);
    expect(mounted(m)).toBe(false);
    expect(sys.umount(m)).toBe(22);
    expect(sys.umount(join(dir, 'nothing-here'))).toBe(2);
    expect((sys.umount as (x: unknown) => number)(5)).toBe(22);
    expect(sys.umount('')).toBe(22);
    expect(sys.umount('/a\0b')).toBe(22);
  });

  it('loopDetach(device) detaches a bound loop device and returns 0; ENXIO for an unbound one', () => {
    const dev = attachLoop();
    expect(bound(dev)).toBe(true);
    expect(sys.loopDetach(dev)).toBe(0);
    expect(bound(dev)).toBe(false);
    expect(sys.loopDetach(dev)).toBe(6);
    expect(sys.loopDetach(join(dir, 'no-device'))).toBe(2);
  });

  it('the real host runs umount and losetup --detach through it ("inProcess"), else the tool, whose failure it reports', async () => {
    const host = new RealHost({ native: sys });
    const m = join(dir, 'm2');
    mountTmpfs(m);
    const u = await host.run(umountArgv(m), { mutating: true });
    expect({ exitCode: u.exitCode, inProcess: u.inProcess, stderr: u.stderr }).toEqual({ exitCode: 0, inProcess: true, stderr: '' });
    expect(mounted(m)).toBe(false);
    // Not mounted: the call fails, changes nothing, and umount itself runs and says why (exit 32).
    const again = await host.run(umountArgv(m), { mutating: true });
    expect(again.inProcess).toBeUndefined();
    expect(again.exitCode).toBe(32);
    expect(again.stderr).toMatch(/not mounted/);
    const dev = attachLoop();
    const d = await host.run(losetupDetachArgv(dev), { mutating: true });
    expect({ exitCode: d.exitCode, inProcess: d.inProcess }).toEqual({ exitCode: 0, inProcess: true });
    expect(bound(dev)).toBe(false);
    const d2 = await host.run(losetupDetachArgv(dev), { mutating: true });
    expect(d2.inProcess).toBeUndefined();
    expect(d2.exitCode).toBe(1);
    expect(d2.stderr).toMatch(/detach failed/);
  });

  it('without the add-on (node running the bundle) the tools run as before', async () => {
    const host = new RealHost({ native: null });
    const m = join(dir, 'm3');
    mountTmpfs(m);
    const u = await host.run(umountArgv(m), { mutating: true });
    expect({ exitCode: u.exitCode, inProcess: u.inProcess }).toEqual({ exitCode: 0, inProcess: undefined });
    expect(mounted(m)).toBe(false);
    // Under plain node the real host looks for none: isSea() is false.
    const plain = new RealHost();
    mountTmpfs(m);
    const p = await plain.run(umountArgv(m), { mutating: true });
    expect({ exitCode: p.exitCode, inProcess: p.inProcess }).toEqual({ exitCode: 0, inProcess: undefined });
    expect(loadNativeSys(join(dir, 'missing.node'))).toBeNull();
    writeFileSync(join(dir, 'bad.node'), 'not an ELF');
    expect(loadNativeSys(join(dir, 'bad.node'))).toBeNull();
  });
});
