// Drift helpers: what happens behind lvmsnap's back, and how the reports show it.
import { describe, expect, it } from 'vitest';
import * as C from '../../src/commands.js';
import { drift, exec, findLv, lookup, simpleSystem } from '../../src/sim/model.js';
import { SNAP, TMP, forward, report, runOk } from './helpers.js';

const up = () => runOk(simpleSystem(), ...forward());

describe('drift', () => {
  it('reboot: loops detached, lvmsnap mounts gone, tmpfs emptied, COW PV missing, origin and snapshot inactive', () => {
    const s = drift.reboot(up());
    expect(Object.values(s.loops).every((l) => l.ino === null)).toBe(true);
    expect(lookup(s, TMP)).toBeUndefined();
    expect(s.mounts.map((m) => m.target)).toEqual(['/', '/dev', '/proc', '/run', '/tmp', '/var/space']); // /mnt/root: origin inactive
    expect(findLv(s, 'vg0', 'root')!.active).toBe(false);
    expect(findLv(s, 'vg0', SNAP)!.active).toBe(false);
    const r = report(s).report[0];
    expect(r.vg[0].vg_partial).toBe('partial');
    expect(r.lv.map((l: any) => l.lv_attr).sort()).toEqual(['owi---s-p-', 'swi---s-p-']);
    // Recovery that keeps the origin: remove the partial snapshot, then the empty missing PV.
    const fixed = runOk(s, C.lvremoveArgv('vg0', SNAP), C.vgreduceMissingArgv('vg0'));
    expect(findLv(fixed, 'vg0', 'root')).toBeDefined();
    expect(report(fixed).report[0].vg[0].vg_partial).toBe('');
  });

  it('reboot with the tmp file on a persistent filesystem: re-attaching the file brings the PV back', () => {
    const s = drift.reboot(runOk(simpleSystem({ tmpDirFs: 'ext4' }), ...forward()));
    expect(lookup(s, TMP)).toBeDefined();
    const back = runOk(s, C.losetupAttachArgv('/dev/loop3', TMP));
    const pv = report(back).report[0].pv.find((p: any) => p.pv_tags.includes('lvmsnap'));
    expect(pv).toMatchObject({ pv_name: '/dev/loop3', pv_missing: '' });
  });

  it('reboot drops state files on tmpfs and all locks', () => {
    const s = { ...up(), stateFiles: { '/run/lvmsnap/x.json': '{}', '/var/lib/lvmsnap/y.json': '{}' }, locks: { '/run/l': { pid: 1, holder: 'pid 1' } } };
    const r = drift.reboot(s);
    expect(Object.keys(r.stateFiles)).toEqual(['/var/lib/lvmsnap/y.json']);
    expect(r.locks).toEqual({});
  });

  it('unmount, invalidate, deleteFile, detachLoop', () => {
    const s = up();
    expect(exec(drift.unmount(s, '/media/snap'), C.findmntArgv()).result.stdout).not.toMatch(/media\/snap/);
    expect(report(drift.invalidateSnapshot(s, 'vg0', SNAP)).report[0].lv.find((l: any) => l.lv_name === SNAP).lv_attr).toBe('swi-Ios---');
    expect(report(drift.fillCow(s, 'vg0', SNAP, 42)).report[0].lv.find((l: any) => l.lv_name === SNAP).snap_percent).toBe('42.00');
    const del = drift.deleteFile(s, TMP);
    expect(JSON.parse(exec(del, C.losetupListArgv()).result.stdout).loopdevices[0]['back-file']).toBe(`${TMP} (deleted)`);
    expect(drift.detachLoop(s, '/dev/loop0').loops['/dev/loop0']!.autoclear).toBe(true);
    const forced = drift.detachLoop(s, '/dev/loop0', true);
    expect(findLv(forced, 'vg0', SNAP)!.active).toBe(false);
    expect(forced.mounts.some((m) => m.target === '/media/snap')).toBe(false);
    expect(lookup(forced, TMP)).toBeDefined();
  });
});
