// The simulator's read-only outputs look like the real tools': same keys (and key order) as the
// fixtures captured on a real host, same values for the same layout, and the project's parsers read them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as C from '../../src/commands.js';
import { parseLosetupList } from '../../src/parse/index.js';
import { addFile, addFilesystem, drift, emptySystem, exec, simpleSystem, type SimSystem } from '../../src/sim/model.js';
import { MIB, forward, runOk } from './helpers.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/real-lvm/${name}`, import.meta.url), 'utf8');
const realPresent = JSON.parse(fixture('present.fullreport.json')).report[0];
const realMissing = JSON.parse(fixture('missing-pv.fullreport.json')).report[0];
const SECTIONS = ['vg', 'pv', 'lv', 'pvseg', 'seg'] as const;

/** The fixtures' layout: vg0 = /dev/vda (400 MiB, 99 extents) + /dev/loop0 (68 MiB file), root 100 MiB, root_snap 60 MiB. */
const present = (): SimSystem => runOk(simpleSystem({ originBytes: 100 * MIB, vgFreeBytes: 74 * 4 * MIB }), ...forward().slice(0, 7));
const missing = (): SimSystem => drift.reboot(runOk(simpleSystem({ originBytes: 100 * MIB, vgFreeBytes: 74 * 4 * MIB }), ...forward().slice(0, 5)));
const sim = (s: SimSystem) => JSON.parse(exec(s, C.fullreportArgv()).result.stdout).report[0];

const VOLATILE = /uuid|lv_time|kernel_minor|vg_seqno|pv_tags|pv_name|devices|ranges|lv_dm_path$/;
function comparable(row: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(row).filter(([k]) => !VOLATILE.test(k)));
}

describe('lvm fullreport', () => {
  it.each(SECTIONS)('%s rows carry exactly the real keys, in the real order', (section) => {
    for (const report of [sim(present()), sim(missing())]) {
      expect(report[section].length).toBeGreaterThan(0);
      for (const row of report[section]) expect(Object.keys(row)).toEqual(Object.keys(realPresent[section][0]));
    }
  });

  it.each(SECTIONS)('%s rows match the real values for the same layout (present PV)', (section) => {
    const ours = sim(present())[section];
    const real = realPresent[section];
    expect(ours.map(comparable)).toEqual(expect.arrayContaining(real.map(comparable)));
    expect(ours).toHaveLength(real.length);
  });

  it.each(SECTIONS)('%s rows match the real values after the loop PV went missing', (section) => {
    const ours = sim(missing())[section];
    const real = realMissing[section];
    const norm = (r: Record<string, string>) => comparable(r);
    expect(ours.map(norm)).toEqual(expect.arrayContaining(real.map(norm)));
    expect(ours).toHaveLength(real.length);
  });

  it('names the missing PV [unknown] and warns on stderr like lvm', () => {
    const s = missing();
    const r = exec(s, C.fullreportArgv()).result;
    expect(r.exitCode).toBe(0);
    const shape = (t: string) => t.replace(/[A-Za-z0-9]{6}(-[A-Za-z0-9]{4}){5}-[A-Za-z0-9]{6}/g, 'UUID');
    expect(shape(r.stderr)).toBe(shape(fixture('missing-pv.fullreport.stderr')));
    expect(sim(s).seg.find((g: any) => g.devices.startsWith('[unknown]')).devices).toBe('[unknown](0)');
  });

  it('doubles dashes inside names in lv_dm_path', () => {
    const s = runOk(simpleSystem({ vg: 'vg-a', lv: 'my-root' }), C.lvcreateSnapshotArgv('vg-a', 'my-root', 'my-root-lvmsnap', 8 * MIB));
    const paths = sim(s).lv.map((l: any) => l.lv_dm_path).sort();
    expect(paths).toEqual(['/dev/mapper/vg--a-my--root', '/dev/mapper/vg--a-my--root--lvmsnap']);
  });

  it('shows an invalid snapshot as swi-I-s---', () => {
    const s = drift.invalidateSnapshot(runOk(simpleSystem(), ...forward().slice(0, 5)), 'vg0', 'root_snap');
    expect(sim(s).lv.find((l: any) => l.lv_name === 'root_snap')).toMatchObject({ lv_attr: 'swi-I-s---', snap_percent: '100.00', lv_snapshot_invalid: 'invalid' });
  });
});

describe('losetup and findmnt', () => {
  it('losetup --list --json has the real keys and values; prints nothing when nothing is bound', () => {
    const real = JSON.parse(fixture('present.losetup.json'));
    const ours = JSON.parse(exec(present(), C.losetupListArgv()).result.stdout);
    expect(ours).toEqual(real);
    expect(exec(simpleSystem(), C.losetupListArgv()).result).toMatchObject({ exitCode: 0, stdout: '' });
  });

  it('findmnt --json is a tree under "/" with the real keys', () => {
    const real = JSON.parse(fixture('present.findmnt.json'));
    const ours = JSON.parse(exec(present(), C.findmntArgv()).result.stdout);
    const keys = (n: any) => Object.keys(n).filter((k) => k !== 'children');
    expect(ours.filesystems).toHaveLength(1);
    expect(ours.filesystems[0].target).toBe('/');
    expect(keys(ours.filesystems[0])).toEqual(keys(real.filesystems[0]));
    for (const child of ours.filesystems[0].children) expect(keys(child)).toEqual(keys(real.filesystems[0].children[0]));
    const snapMount = ours.filesystems[0].children.find((c: any) => c.target === '/media/snap');
    const realSnap = real.filesystems[0].children.find((c: any) => c.target === '/media/snap');
    expect({ ...snapMount, 'maj:min': '' }).toEqual({ ...realSnap, 'maj:min': '' });
  });
});

describe('small tools', () => {
  it('stat prints existing paths and complains about missing ones (exit 1)', () => {
    const r = exec(present(), C.statArgv(['/var/space/extra.tmp', '/nope', '/media/snap'])).result;
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe("stat: cannot statx '/nope': No such file or directory\n");
    const lines = r.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
    expect(lines[0]).toEqual(['/var/space/extra.tmp', 'regular file', String(29), expect.stringMatching(/^\d+$/), String(68 * MIB), '/var/space']);
    expect(lines[1]).toEqual(['/media/snap', 'directory', String(253 * 256 + 1), '2', '4096', '/media/snap']);
  });

  it('df and blkid', () => {
    const s = present();
    const df = exec(s, C.dfArgv('/var/space')).result.stdout.split('\n');
    expect(df[0]).toMatch(/^Filesystem\s+Type\s+Avail Mounted on$/);
    expect(df[1]).toMatch(new RegExp(`^tmpfs\\s+tmpfs\\s+${200 * MIB - 68 * MIB} /var/space$`));
    expect(exec(s, C.blkidTypeArgv('/dev/mapper/vg0-root')).result.stdout).toBe('ext4\n');
    expect(exec(s, C.blkidTypeArgv('/dev/loop0')).result.stdout).toBe('LVM2_member\n');
    expect(exec(s, C.blkidTypeArgv('/dev/mapper/vg0-nothing')).result.exitCode).toBe(2);
  });
});

describe('byte-exact against the VM captures (fixtures/real-lvm/vm-*.txt)', () => {
  const vm = (name: string) => readFileSync(new URL(`../../fixtures/real-lvm/vm-${name}.txt`, import.meta.url), 'utf8');
  const tmp = (o: Parameters<typeof emptySystem>[0] = {}) => addFilesystem(emptySystem(o), {
    id: 'tmp', source: 'tmpfs', fstype: 'tmpfs', majMin: '0:31', sizeBytes: 1030205440, baseUsed: 0, volatile: true, fallocate: true, rootIno: 1,
  }, '/tmp');

  it('df', () => {
    expect(exec(tmp(), C.dfArgv('/tmp')).result.stdout).toBe(vm('df-tmp'));
    const missing = exec(tmp(), C.dfArgv('/missing')).result;
    expect([missing.exitCode, missing.stdout, missing.stderr]).toEqual([1, vm('df-missing'), vm('df-missing.stderr')]);
  });

  it('losetup --list --json, one device and none (newer util-linux prints an empty array)', () => {
    const s = runOk(addFile(tmp(), '/tmp/chunk.img', 64 * MIB), C.losetupAttachArgv('/dev/loop0', '/tmp/chunk.img'));
    expect(exec(s, C.losetupListArgv()).result.stdout).toBe(vm('losetup-list-json-one').replace('/tmp/lvmsnap-smoke/chunk.img', '/tmp/chunk.img'));
    const empty = exec(tmp({ losetupEmptyList: 'empty-array' }), C.losetupListArgv()).result.stdout;
    expect(empty).toBe(vm('losetup-list-json-empty'));
    expect(parseLosetupList(empty)).toEqual([]);
    expect(exec(tmp(), C.losetupFindArgv()).result.stdout).toBe(vm('losetup-find'));
  });

  it('stat of files, directories and device nodes', () => {
    const s = runOk(addFile(tmp(), '/tmp/chunk.img', 64 * MIB), C.mkdirArgv('/tmp/d'));
    const lines = exec(simpleSystem(), C.statArgv(['/dev/vg0/root', '/dev/mapper/vg0-root', '/dev/loop0'])).result.stdout
      .trimEnd().split('\n').map((l) => l.split('\t'));
    const real = vm('stat-kinds').trimEnd().split('\n').map((l) => l.split('\t')).slice(2);
    const shape = (l: string[]) => [l[0], l[1], l[4], l[5]]; // name, type, size, mount point (dev/ino differ)
    expect(lines.map(shape)).toEqual(real.map(shape));
    const files = exec(s, C.statArgv(['/tmp/chunk.img', '/missing'])).result;
    expect(files.stdout).toMatch(/^\/tmp\/chunk.img\tregular file\t31\t\d+\t67108864\t\/tmp\n$/);
    expect(files.stderr).toBe(vm('stat-missing.stderr'));
  });

  it('blkid', () => {
    const s = simpleSystem();
    expect(exec(s, C.blkidTypeArgv('/dev/vg0/root')).result.stdout).toBe(vm('blkid-ext4'));
    expect(exec(s, C.blkidTypeArgv('/dev/vda')).result.stdout).toBe(vm('blkid-pv'));
    expect(exec(s, C.blkidTypeArgv('/dev/loop0')).result).toMatchObject({ exitCode: 2, stdout: vm('blkid-loop-empty') });
    expect(exec(s, C.blkidTypeArgv('/dev/missing')).result).toMatchObject({ exitCode: 2, stdout: vm('blkid-missing') });
  });
});
