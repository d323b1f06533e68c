import { describe, expect, it } from 'vitest';
import { CommandFailed } from '../src/errors.js';
import { JournalCorrupt } from '../src/journal.js';
import { observe } from '../src/observe.js';
import type { CommandResult, HostPort, RunOptions } from '../src/port.js';
import type { Target } from '../src/types.js';
import { fixture } from './parse/fixtures.js';

type Canned = { exitCode?: number; stdout?: string; stderr?: string };

/** A HostPort answering argv.join(' ') from a table; records every call. Unknown commands fail the test. */
function fakeHost(table: Record<string, Canned>, files: Record<string, string> = {}) {
  const calls: { argv: string; opts: RunOptions }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const host: HostPort = {
    async run(argv: readonly string[], opts: RunOptions): Promise<CommandResult> {
      const key = argv.join(' ');
      calls.push({ argv: key, opts });
      const canned = table[key];
      if (!canned) throw new Error(`unexpected command: ${key}`);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      return { argv, exitCode: canned.exitCode ?? 0, stdout: canned.stdout ?? '', stderr: canned.stderr ?? '', ms: 1 };
    },
    readFile: async (path) => files[path] ?? null,
    listDir: async () => { throw new Error('observe must not list directories'); },
    writeFile: async () => { throw new Error('observe must not write'); },
    removeFile: async () => { throw new Error('observe must not remove'); },
    lock: async () => { throw new Error('observe must not lock'); },
    unlock: async () => { throw new Error('observe must not unlock'); },
    uid: () => 0,
  };
  return { host, calls, commands: () => calls.map((c) => c.argv), maxInFlight: () => maxInFlight };
}

const FULLREPORT = 'lvm fullreport --units b --nosuffix --reportformat json';
const LOSETUP_LIST = 'losetup --list --json';
const FINDMNT = 'findmnt --json --output TARGET,SOURCE,FSTYPE,OPTIONS,MAJ:MIN';
const STAT = "stat --printf %n\t%F\t%d\t%i\t%s\t%m\n -- /var/space/extra.tmp /var/space /media/snap /media /run/systemd/system";
const DF = 'df --block-size=1 --output=source,fstype,avail,target -- /var/space';
const FIND = 'losetup --find';
const BLKID = 'blkid --probe --output value --match-tag TYPE -- /dev/mapper/vg0-root';
const JOURNAL = '/var/lib/lvmsnap/vg0/root_snap.json';

const target: Target = {
  vg: 'vg0', lv: 'root', snapshot: 'root_snap', size: { kind: 'bytes', bytes: 62914560 },
  mountpoint: '/media/snap', tmpFile: '/var/space/extra.tmp', tmpFileSize: 67108864,
  allocate: 'auto', removeMountpoint: false, stateDir: '/var/lib/lvmsnap',
};
const bare: Target = { ...target, mountpoint: undefined, tmpFile: undefined, tmpFileSize: undefined };

const STAT_ALL = [
  '/var/space/extra.tmp\tregular file\t29\t2\t67108864\t/var/space',
  '/var/space\tdirectory\t29\t1\t60\t/var/space',
  '/media/snap\tdirectory\t27\t1\t4096\t/media/snap',
  '',
].join('\n');
const DF_OUT = 'Filesystem     Type     Avail Mounted on\ntmpfs          tmpfs 142606336 /var/space\n';
const JOURNAL_TEXT = JSON.stringify({
  version: 1, vg: 'vg0', snapshot: 'root_snap', tmpFile: { path: '/var/space/extra.tmp', dev: 29, ino: 2 },
});

/** The real findmnt output without some mounts (all of them are children of /). */
function withoutMounts(...targets: string[]): string {
  const doc = JSON.parse(fixture('present.findmnt.json')) as { filesystems: [{ children: { target: string }[] }] };
  doc.filesystems[0].children = doc.filesystems[0].children.filter((c) => !targets.includes(c.target));
  return JSON.stringify(doc);
}

const present = (): Record<string, Canned> => ({
  [FULLREPORT]: { stdout: fixture('present.fullreport.json') },
  [LOSETUP_LIST]: { stdout: fixture('present.losetup.json') },
  [FINDMNT]: { stdout: fixture('present.findmnt.json') },
  [STAT]: { stdout: STAT_ALL },
  [DF]: { stdout: DF_OUT },
});

describe('observe', () => {
  it('observes the present state with five read-only commands, concurrently', async () => {
    const f = fakeHost(present(), { [JOURNAL]: JOURNAL_TEXT });
    const snap = await observe(f.host, target);
    expect(f.commands().sort()).toEqual([DF, FINDMNT, FULLREPORT, LOSETUP_LIST, STAT].sort());
    expect(f.calls.every((c) => c.opts.mutating === false)).toBe(true);
    expect(f.maxInFlight()).toBe(4);
    expect(snap.uid).toBe(0);
    expect(snap.lvs.map((l) => l.name)).toEqual(['root', 'root_snap']);
    expect(snap.pvs.find((p) => p.name === '/dev/loop0')).toMatchObject({ vg: 'vg0', tags: ['lvmsnap'], peAllocCount: 15 });
    expect(snap.loops).toEqual([{ name: '/dev/loop0', backFile: '/var/space/extra.tmp', backFileDeleted: false }]);
    expect(snap.mounts).toHaveLength(10);
    expect(Object.keys(snap.paths).sort()).toEqual(['/media/snap', '/var/space', '/var/space/extra.tmp']);
    expect(snap.paths['/var/space/extra.tmp']).toEqual({
      path: '/var/space/extra.tmp', type: 'file', dev: 29, ino: 2, size: 67108864, mountPoint: '/var/space',
    });
    expect(snap.tmpFs).toEqual({ source: 'tmpfs', fstype: 'tmpfs', availBytes: 142606336, target: '/var/space' });
    expect(snap.freeLoop).toBeNull();
    expect(snap.originFstype).toBe('ext4'); // from findmnt: /mnt/root is 253:0
    expect(snap.journal).toEqual(JSON.parse(JOURNAL_TEXT));
  });

  it('runs only the three base commands for a target without tmp file or mountpoint', async () => {
    const f = fakeHost(present());
    const snap = await observe(f.host, bare);
    expect(f.commands().sort()).toEqual([FINDMNT, FULLREPORT, LOSETUP_LIST].sort());
    expect(snap.paths).toEqual({});
    expect(snap.tmpFs).toBeNull();
    expect(snap.freeLoop).toBeNull();
    expect(snap.originFstype).toBe('ext4');
    expect(snap.journal).toBeNull();
  });

  it('after a reboot (missing PV): finds a free loop, tolerates missing paths, reports lvm warnings', async () => {
    const warnings: string[] = [];
    const f = fakeHost({
      [FULLREPORT]: { stdout: fixture('missing-pv.fullreport.json'), stderr: fixture('missing-pv.fullreport.stderr') },
      [LOSETUP_LIST]: { stdout: '' },
      [FINDMNT]: { stdout: withoutMounts('/mnt/root', '/media/snap') },
      [STAT]: {
        exitCode: 1,
        stdout: '/var/space\tdirectory\t29\t1\t40\t/var/space\n/media/snap\tdirectory\t27\t1\t4096\t/media/snap\n',
        stderr: "stat: cannot statx '/var/space/extra.tmp': No such file or directory\n",
      },
      [DF]: { stdout: DF_OUT },
      [FIND]: { stdout: '/dev/loop0\n' },
    });
    const snap = await observe(f.host, target, { onWarning: (argv, stderr) => warnings.push(`${argv[1]}: ${stderr}`) });
    expect(f.commands().sort()).toEqual([DF, FINDMNT, FULLREPORT, FIND, LOSETUP_LIST, STAT].sort());
    expect(f.calls.every((c) => c.opts.mutating === false)).toBe(true);
    expect(snap.vgs[0]).toMatchObject({ partial: true, missingPvCount: 1 });
    expect(snap.pvs.find((p) => p.missing)).toMatchObject({ name: '[unknown]', tags: ['lvmsnap'] });
    expect(snap.lvs.every((l) => !l.active && l.majMin === null)).toBe(true);
    expect(snap.paths['/var/space/extra.tmp']).toBeUndefined();
    expect(snap.paths['/var/space']?.type).toBe('directory');
    expect(snap.freeLoop).toBe('/dev/loop0');
    // The origin is neither mounted nor active: nothing to probe with blkid.
    expect(snap.originFstype).toBeNull();
    expect(snap.mounts.map((m) => m.target)).not.toContain('/mnt/root');
    expect(warnings).toEqual([`fullreport: ${fixture('missing-pv.fullreport.stderr')}`]);
  });

  it('probes the origin with blkid only when it is active but not mounted', async () => {
    const table = { ...present(), [FINDMNT]: { stdout: withoutMounts('/mnt/root') }, [BLKID]: { stdout: 'xfs\n' } };
    const f = fakeHost(table);
    expect((await observe(f.host, target)).originFstype).toBe('xfs');
    expect(f.commands()).toContain(BLKID);

    const g = fakeHost({ ...table, [BLKID]: { exitCode: 2 } });
    expect((await observe(g.host, target)).originFstype).toBeNull();

    const h = fakeHost(table);
    await observe(h.host, { ...target, mountpoint: undefined, tmpFile: undefined });
    expect(h.commands()).not.toContain(BLKID);
  });

  it('skips df when the tmp directory is missing and losetup --find when --loop-device is given', async () => {
    const f = fakeHost({
      ...present(),
      [LOSETUP_LIST]: { stdout: '' },
      [STAT]: { exitCode: 1, stdout: '/media/snap\tdirectory\t27\t1\t4096\t/media/snap\n', stderr: 'stat: cannot statx ...' },
    });
    const snap = await observe(f.host, { ...target, loopDevice: '/dev/loop5' });
    expect(f.commands().sort()).toEqual([FINDMNT, FULLREPORT, LOSETUP_LIST, STAT].sort());
    expect(snap.tmpFs).toBeNull();
    expect(snap.freeLoop).toBeNull();
  });

  it('looks for a free loop when the bound file was deleted, and accepts "no free device"', async () => {
    const deleted = fixture('present.losetup.json').replace('extra.tmp"', 'extra.tmp (deleted)"');
    const f = fakeHost({
      ...present(),
      [LOSETUP_LIST]: { stdout: deleted },
      [FIND]: { exitCode: 1, stderr: 'losetup: cannot find an unused loop device\n' },
    });
    const snap = await observe(f.host, target);
    expect(f.commands()).toContain(FIND);
    expect(snap.freeLoop).toBeNull();
  });

  it('fails when fullreport fails, keeping argv, exit code and stderr', async () => {
    const stderr = '  WARNING: Running as a non-root user. Functionality may be unavailable.\n  /run/lock/lvm/P_global:aux: open failed: Permission denied\n';
    const f = fakeHost({ ...present(), [FULLREPORT]: { exitCode: 5, stderr } });
    const err = await observe(f.host, target).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandFailed);
    expect(err).toMatchObject({ argv: FULLREPORT.split(' '), exitCode: 5, stderr });
  });

  it('fails on other stat failures, unparsable output and a corrupt journal', async () => {
    await expect(observe(fakeHost({ ...present(), [STAT]: { exitCode: 2, stderr: 'stat: bad' } }).host, target))
      .rejects.toBeInstanceOf(CommandFailed);
    await expect(observe(fakeHost({ ...present(), [FINDMNT]: { stdout: 'garbage' } }).host, target))
      .rejects.toThrow(/findmnt/);
    await expect(observe(fakeHost(present(), { [JOURNAL]: '{"version":1' }).host, target))
      .rejects.toThrow(JournalCorrupt);
    await expect(observe(fakeHost(present(), { [JOURNAL]: '{"version":1' }).host, target)).rejects.toThrow(JOURNAL);
    const other = JSON.stringify({ version: 1, vg: 'vg1', snapshot: 'root_snap' });
    await expect(observe(fakeHost(present(), { [JOURNAL]: other }).host, target)).rejects.toThrow(/vg1\/root_snap/);
  });
});
