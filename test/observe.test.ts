import { describe, expect, it } from 'vitest';
import { fullreportArgv } from '../src/commands.js';
import { CommandFailed } from '../src/errors.js';
import { JournalCorrupt } from '../src/journal.js';
import { observe } from '../src/observe.js';
import type { CommandResult, FileStat, HostPort, RunOptions, SysfsLoop } from '../src/port.js';
import type { Target } from '../src/types.js';
import { fixture } from './parse/fixtures.js';
import { sysfsFixture } from './parse/kernel-fixtures.js';

type Canned = { exitCode?: number; stdout?: string; stderr?: string };

interface Kernel {
  mountinfo: string;
  loops: SysfsLoop[];
  stats: Record<string, FileStat>;
  avail: Record<string, number>;
}

/** A HostPort answering commands from a table and kernel reads from `kernel`; records every call.
 *  Unknown commands fail the test. */
function fakeHost(table: Record<string, Canned>, kernel: Kernel, files: Record<string, string> = {}) {
  const calls: { argv: string; opts: RunOptions }[] = [];
  const reads: string[] = [];
  const host: HostPort = {
    async run(argv: readonly string[], opts: RunOptions): Promise<CommandResult> {
      const key = argv.join(' ');
      calls.push({ argv: key, opts });
      const canned = table[key];
      if (!canned) throw new Error(`unexpected command: ${key}`);
      await new Promise((r) => setTimeout(r, 1));
      return { argv, exitCode: canned.exitCode ?? 0, stdout: canned.stdout ?? '', stderr: canned.stderr ?? '', ms: 1 };
    },
    readFile: async (path) => files[path] ?? null,
    listDir: async () => { throw new Error('observe must not list directories'); },
    writeFile: async () => { throw new Error('observe must not write'); },
    removeFile: async () => { throw new Error('observe must not remove'); },
    pipe: async () => { throw new Error('observe must not run a pipeline'); },
    lock: async () => { throw new Error('observe must not lock'); },
    unlock: async () => { throw new Error('observe must not unlock'); },
    readMountinfo: async () => { reads.push('mountinfo'); return kernel.mountinfo; },
    readLoopSysfs: async () => { reads.push('sysfs'); return kernel.loops; },
    lstat: async (p) => { reads.push(`lstat ${p}`); return kernel.stats[p] ?? null; },
    realpath: async () => { throw new Error('observe resolves symlinks only for a --cow-device'); },
    statfsAvail: async (p) => { reads.push(`statfs ${p}`); return kernel.avail[p] ?? null; },
    uid: () => 0,
  };
  return { host, calls, reads, commands: () => calls.map((c) => c.argv) };
}

const FULLREPORT = fullreportArgv().join(' ');
const FIND = 'losetup --find';
const BLKID = 'blkid --probe --output value --match-tag TYPE -- /dev/mapper/vg0-root';
const JOURNAL = '/var/lib/lvmsnap/vg0/root_snap.json';

const target: Target = {
  vg: 'vg0', lv: 'root', snapshot: 'root_snap', size: { kind: 'bytes', bytes: 62914560 },
  mountpoint: '/media/snap', tmpFile: '/var/space/extra.tmp', tmpFileSize: 67108864,
  allocate: 'auto', removeMountpoint: false, stateDir: '/var/lib/lvmsnap',
};
const bare: Target = { ...target, mountpoint: undefined, tmpFile: undefined, tmpFileSize: undefined };

// What node's fs.lstat / fs.statfs said in the VM at the moment of the kernel.* captures.
const STATS: Record<string, FileStat> = {
  '/var/space/extra.tmp': { type: 'file', dev: 33, ino: 2, size: 71303168 },
  '/var/space': { type: 'directory', dev: 33, ino: 1, size: 60 },
  '/media/snap': { type: 'directory', dev: 64771, ino: 2, size: 1024 },
  '/media': { type: 'directory', dev: 24, ino: 44, size: 60 },
};
const AVAIL = { '/var/space': 138412032 };
const JOURNAL_TEXT = JSON.stringify({
  version: 1, vg: 'vg0', snapshot: 'root_snap', tmpFile: { path: '/var/space/extra.tmp', dev: 33, ino: 2 },
});

const presentKernel = (): Kernel => ({
  mountinfo: fixture('kernel.mountinfo'), loops: sysfsFixture('kernel.sysfs-loop.txt'), stats: { ...STATS }, avail: { ...AVAIL },
});
const withoutMounts = (k: Kernel, ...targets: string[]): Kernel => ({
  ...k, mountinfo: k.mountinfo.split('\n').filter((l) => !targets.includes(l.split(' ')[4]!)).join('\n'),
});
/** All loop devices unbound (after a reboot). */
const unbound = (k: Kernel): Kernel => ({
  ...k, loops: k.loops.map((l) => ({ name: l.name, files: { dev: l.files['dev']!, size: '0\n' } })),
});

const present = (): Record<string, Canned> => ({ [FULLREPORT]: { stdout: fixture('present.fullreport.json') } });

describe('observe', () => {
  it('observes the present state with one process (the LVM report) and kernel reads', async () => {
    const f = fakeHost(present(), presentKernel(), { [JOURNAL]: JOURNAL_TEXT });
    const snap = await observe(f.host, target);
    expect(f.commands()).toEqual([FULLREPORT]);
    expect(f.calls.every((c) => c.opts.mutating === false)).toBe(true);
    expect(f.reads.sort()).toEqual(['lstat /media', 'lstat /media/snap', 'lstat /run/systemd/system', 'lstat /var/space', 'lstat /var/space/extra.tmp', 'mountinfo', 'statfs /var/space', 'sysfs']);
    expect(snap.uid).toBe(0);
    expect(snap.lvs.map((l) => l.name)).toEqual(['root', 'root_snap']);
    expect(snap.pvs.find((p) => p.name === '/dev/loop0')).toMatchObject({ vg: 'vg0', tags: ['lvmsnap'], peAllocCount: 15 });
    expect(snap.loops).toEqual([{ name: '/dev/loop0', backFile: '/var/space/extra.tmp', backFileDeleted: false }]);
    expect(snap.mounts).toHaveLength(12);
    expect(Object.keys(snap.paths).sort()).toEqual(['/media', '/media/snap', '/var/space', '/var/space/extra.tmp']);
    // The mount point column of the old `stat %m`, from mountinfo (kernel.stat.txt has the real one).
    expect(snap.paths['/var/space/extra.tmp']).toEqual({
      path: '/var/space/extra.tmp', type: 'file', dev: 33, ino: 2, size: 71303168, mountPoint: '/var/space',
    });
    expect(snap.paths['/media']?.mountPoint).toBe('/');
    expect(snap.paths['/media/snap']?.mountPoint).toBe('/media/snap');
    // df's answer (kernel.df.txt): "tmpfs tmpfs 138412032 /var/space".
    expect(snap.tmpFs).toEqual({ source: 'tmpfs', fstype: 'tmpfs', availBytes: 138412032, target: '/var/space' });
    expect(snap.freeLoop).toBeNull();
    expect(snap.originFstype).toBe('ext4'); // from mountinfo: /mnt/root is 253:0
    expect(snap.journal).toEqual(JSON.parse(JOURNAL_TEXT));
  });

  it('reads no path and no free space for a target without tmp file or mountpoint', async () => {
    const f = fakeHost(present(), presentKernel());
    const snap = await observe(f.host, bare);
    expect(f.commands()).toEqual([FULLREPORT]);
    expect(f.reads.sort()).toEqual(['mountinfo', 'sysfs']);
    expect(snap.paths).toEqual({});
    expect(snap.tmpFs).toBeNull();
    expect(snap.freeLoop).toBeNull();
    expect(snap.originFstype).toBe('ext4');
    expect(snap.journal).toBeNull();
  });

  it('after a reboot (missing PV): picks the lowest free loop from sysfs, tolerates missing paths, reports lvm warnings', async () => {
    const warnings: string[] = [];
    const k = unbound(withoutMounts(presentKernel(), '/mnt/root', '/media/snap'));
    delete k.stats['/var/space/extra.tmp'];
    const f = fakeHost({ [FULLREPORT]: { stdout: fixture('missing-pv.fullreport.json'), stderr: fixture('missing-pv.fullreport.stderr') } }, k);
    const snap = await observe(f.host, target, { onWarning: (argv, stderr) => warnings.push(`${argv[1]}: ${stderr}`) });
    expect(f.commands()).toEqual([FULLREPORT]); // no losetup --find: the kernel shows free devices
    expect(snap.vgs[0]).toMatchObject({ partial: true, missingPvCount: 1 });
    expect(snap.pvs.find((p) => p.missing)).toMatchObject({ name: '[unknown]', tags: ['lvmsnap'] });
    expect(snap.lvs.every((l) => !l.active && l.majMin === null)).toBe(true);
    expect(snap.paths['/var/space/extra.tmp']).toBeUndefined();
    expect(snap.paths['/var/space']?.type).toBe('directory');
    expect(snap.loops).toEqual([]);
    expect(snap.freeLoop).toBe('/dev/loop0');
    // The origin is neither mounted nor active: nothing to probe with blkid.
    expect(snap.originFstype).toBeNull();
    expect(snap.mounts.map((m) => m.target)).not.toContain('/mnt/root');
    expect(warnings).toEqual([`fullreport: ${fixture('missing-pv.fullreport.stderr')}`]);
  });

  it('picks the lowest unbound device, as LOOP_CTL_GET_FREE does', async () => {
    const k = presentKernel();
    k.stats = { '/var/space': STATS['/var/space']! }; // our file is gone; loop0 still holds the old one
    k.loops = k.loops.map((l) => (l.name === 'loop0' ? { ...l, files: { ...l.files, 'loop/backing_file': '/var/space/extra.tmp (deleted)\n' } } : l));
    const f = fakeHost(present(), k);
    expect((await observe(f.host, target)).freeLoop).toBe('/dev/loop1');
    expect(f.commands()).toEqual([FULLREPORT]);
  });

  it('asks losetup --find only when the kernel shows no unbound device, and accepts "no free device"', async () => {
    const deleted = presentKernel();
    deleted.loops = deleted.loops
      .map((l) => ({ ...l, files: { ...l.files, 'loop/backing_file': l.name === 'loop0' ? '/var/space/extra.tmp (deleted)\n' : '/other\n', 'loop/offset': '0\n', 'loop/sizelimit': '0\n', 'loop/autoclear': '0\n' } }));
    const f = fakeHost({ ...present(), [FIND]: { stdout: '/dev/loop8\n' } }, deleted);
    const snap = await observe(f.host, target);
    expect(f.commands()).toEqual([FULLREPORT, FIND]);
    expect(snap.loops.find((l) => l.name === '/dev/loop0')).toEqual({ name: '/dev/loop0', backFile: '/var/space/extra.tmp', backFileDeleted: true });
    expect(snap.freeLoop).toBe('/dev/loop8');

    const g = fakeHost({ ...present(), [FIND]: { exitCode: 1, stderr: 'losetup: cannot find an unused loop device\n' } }, deleted);
    expect((await observe(g.host, target)).freeLoop).toBeNull();
    const h = fakeHost({ ...present(), [FIND]: { exitCode: 2, stderr: 'losetup: bad usage\n' } }, deleted);
    await expect(observe(h.host, target)).rejects.toBeInstanceOf(CommandFailed);
  });

  it('probes the origin with blkid only when it is active but not mounted', async () => {
    const k = withoutMounts(presentKernel(), '/mnt/root');
    const f = fakeHost({ ...present(), [BLKID]: { stdout: 'xfs\n' } }, k);
    expect((await observe(f.host, target)).originFstype).toBe('xfs');
    expect(f.commands()).toContain(BLKID);

    const g = fakeHost({ ...present(), [BLKID]: { exitCode: 2 } }, k);
    expect((await observe(g.host, target)).originFstype).toBeNull();

    const h = fakeHost(present(), k);
    await observe(h.host, { ...target, mountpoint: undefined, tmpFile: undefined });
    expect(h.commands()).not.toContain(BLKID);
  });

  it('skips statfs when the tmp directory is missing and the free loop when --loop-device is given', async () => {
    const k = unbound(presentKernel());
    k.stats = { '/media/snap': STATS['/media/snap']! };
    const f = fakeHost(present(), k);
    const snap = await observe(f.host, { ...target, loopDevice: '/dev/loop5' });
    expect(f.commands()).toEqual([FULLREPORT]);
    expect(f.reads.filter((r) => r.startsWith('statfs'))).toEqual([]);
    expect(snap.tmpFs).toBeNull();
    expect(snap.freeLoop).toBeNull();
  });

  it('fails when fullreport fails, keeping argv, exit code and stderr', async () => {
    const stderr = '  WARNING: Running as a non-root user. Functionality may be unavailable.\n  /run/lock/lvm/P_global:aux: open failed: Permission denied\n';
    const f = fakeHost({ [FULLREPORT]: { exitCode: 5, stderr } }, presentKernel());
    const err = await observe(f.host, target).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandFailed);
    expect(err).toMatchObject({ argv: FULLREPORT.split(' '), exitCode: 5, stderr });
  });

  it('fails on unparsable kernel views and a corrupt journal', async () => {
    await expect(observe(fakeHost(present(), { ...presentKernel(), mountinfo: 'garbage\n' }).host, target)).rejects.toThrow(/mountinfo/);
    await expect(observe(fakeHost(present(), { ...presentKernel(), loops: [{ name: 'loop0', files: {} }] }).host, target))
      .rejects.toThrow(/loop0: dev is missing/);
    await expect(observe(fakeHost(present(), presentKernel(), { [JOURNAL]: '{"version":1' }).host, target))
      .rejects.toThrow(JournalCorrupt);
    await expect(observe(fakeHost(present(), presentKernel(), { [JOURNAL]: '{"version":1' }).host, target)).rejects.toThrow(JOURNAL);
    const other = JSON.stringify({ version: 1, vg: 'vg1', snapshot: 'root_snap' });
    await expect(observe(fakeHost(present(), presentKernel(), { [JOURNAL]: other }).host, target)).rejects.toThrow(/vg1\/root_snap/);
  });
});
