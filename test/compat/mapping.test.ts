// The pure parts of the drop-ins: argv normalisation (argparse habits) and lvm_snaphot.py's flags onto
// lvmsnap's target, including the original's own refusals.
import { describe, expect, it } from 'vitest';
import { normaliseCompatArgv, type CompatCommand } from '../../src/compat/argv.js';
import { snapshotTargetArgs, type OriginalSnapshotArgs } from '../../src/compat/lvm-snapshot.js';
import { dotted, generatedPath } from '../../src/compat/manage-backups.js';
import { UsageError } from '../../src/errors.js';

const CMDS: CompatCommand[] = [
  { name: 'snapshot-mount', valued: ['source-lvm-vg', 'mountpoint'], switches: ['remove-mountpoint', 'verbose', 'v'] },
  { name: 'generate-name', valued: ['backup-dest-dir', 'prefix', 'extension'], switches: ['verbose', 'v'] },
  { name: 'auto-clean', valued: ['backup-dest-dir', 'prefix', 'extension'], switches: ['dry-mode', 'verbose', 'v'] },
];

describe('normaliseCompatArgv', () => {
  it('moves a trailing action to the front', () => {
    expect(normaliseCompatArgv(['--source-lvm-vg', 'vg', '--mountpoint', '/m', 'snapshot-mount'], CMDS)).toEqual(['snapshot-mount', '--source-lvm-vg', 'vg', '--mountpoint', '/m']);
  });
  it('does not take a flag\'s value for the action', () => {
    expect(normaliseCompatArgv(['--prefix', 'auto-clean', '--backup-dest-dir', '/b', 'generate-name'], CMDS))
      .toEqual(['generate-name', '--prefix', 'auto-clean', '--backup-dest-dir', '/b']);
  });
  it('collapses repeated switches and -vv', () => {
    expect(normaliseCompatArgv(['snapshot-mount', '-vv', '--remove-mountpoint', '--verbose', '--remove-mountpoint'], CMDS)).toEqual(['snapshot-mount', '-v', '--remove-mountpoint']);
  });
  it('--dry-mode with any value (the original required one) is dry mode, never "false"', () => {
    expect(normaliseCompatArgv(['auto-clean', '--dry-mode', 'false', '--prefix', 'p'], CMDS)).toEqual(['auto-clean', '--dry-mode', '--prefix', 'p']);
    expect(normaliseCompatArgv(['--dry-mode=false', '--prefix', 'p', 'auto-clean'], CMDS)).toEqual(['auto-clean', '--dry-mode', '--prefix', 'p']);
    expect(normaliseCompatArgv(['auto-clean', '--prefix', 'p', '--dry-mode'], CMDS)).toEqual(['auto-clean', '--prefix', 'p', '--dry-mode']);
  });
  it('leaves every other command line alone', () => {
    const argv = ['apply', '--state', 'present', '--vg', 'vg0', '-v', '-v'];
    expect(normaliseCompatArgv(argv, CMDS)).toBe(argv);
    const flagsFirst = ['--vg', 'vg0', 'apply'];
    expect(normaliseCompatArgv(flagsFirst, CMDS)).toBe(flagsFirst);
  });
});

const base: OriginalSnapshotArgs = {
  'source-lvm-vg': 'vg0', 'source-lvm-lv': 'system', 'lvm-snapshot-name': 'snap1', mountpoint: '/media/s', 'lvm-volume-size-mb': 4096,
};

describe('snapshotTargetArgs', () => {
  it('maps the flags onto the target: size in MiB, dd unless --use-fallocate', () => {
    expect(snapshotTargetArgs(base, 'snapshot-mount')).toEqual({
      vg: 'vg0', lv: 'system', snapshot: 'snap1', size: '4096M', mountpoint: '/media/s', allocate: 'zero', 'remove-mountpoint': false, verbose: false,
    });
    const tmp = snapshotTargetArgs({ ...base, 'lvm-snapshot-tmp-file': '/t/f.tmp', 'loop-device': '/dev/loop5', 'use-fallocate': true, 'lvm-volume-size-mb': 512, verbose: true }, 'snapshot-mount');
    expect(tmp).toMatchObject({ 'tmp-file': '/t/f.tmp', 'loop-device': '/dev/loop5', allocate: 'fallocate', size: '512M', verbose: true });
    expect(snapshotTargetArgs({ ...base, 'remove-mountpoint': true }, 'snapshot-unmount')['remove-mountpoint']).toBe(true);
  });
  it.each<[string, Partial<OriginalSnapshotArgs>, 'snapshot-mount' | 'snapshot-unmount', RegExp]>([
    ['tmp file without loop device', { 'lvm-snapshot-tmp-file': '/t/f' }, 'snapshot-mount', /used together/],
    ['loop device without tmp file', { 'loop-device': '/dev/loop5' }, 'snapshot-unmount', /used together/],
    ['--remove-mountpoint with mount', { 'remove-mountpoint': true }, 'snapshot-mount', /snapshot-unmount only/],
    ['--use-fallocate with unmount', { 'use-fallocate': true }, 'snapshot-unmount', /snapshot-mount only/],
    ['size 0', { 'lvm-volume-size-mb': 0 }, 'snapshot-mount', /whole number/],
    ['size 1.5', { 'lvm-volume-size-mb': 1.5 }, 'snapshot-mount', /whole number/],
  ])('refuses %s', (_n, extra, action, re) => {
    expect(() => snapshotTargetArgs({ ...base, ...extra }, action)).toThrow(UsageError);
    expect(() => snapshotTargetArgs({ ...base, ...extra }, action)).toThrow(re);
  });
});

describe('generated names', () => {
  it('DIR/P__YYYYmmdd_HHMMSS.EXT with the dot added when missing, absolute', () => {
    const now = new Date(2026, 10, 30, 2, 3, 4);
    expect(generatedPath({ dir: '/media/backups', prefix: 'system_dump', extension: 'tar.gz' }, now)).toBe('/media/backups/system_dump__20261130_020304.tar.gz');
    expect(generatedPath({ dir: '/media/backups/', prefix: 'p', extension: '.fsa' }, now)).toBe('/media/backups/p__20261130_020304.fsa');
    expect(dotted('img')).toBe('.img');
  });
});
