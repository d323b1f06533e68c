// Deterministic replays of outside drift the exploration of every reachable state found mishandled
// (each failed before its fix): the real engine on the simulator, independent of any random seed.
import { describe, expect, it } from 'vitest';
import { lvFsId } from '../src/sim/state.js';
import { applyOn, applyOp, comparable, drift, initialSystem, MOUNTPOINT, runOps, snapshotLv, targetOf, type Scenario } from './property/harness.js';

const MiB = 1024 * 1024;
const noForeign = { lv: false, file: false, loop: false, mount: false };
const scenario = (useTmp: boolean, fstype: 'ext4' | 'xfs'): Scenario => ({
  // Just enough room for one snapshot: the tmp file's default size, or 8 MiB of VG free space.
  sys: { vgFreeBytes: useTmp ? 0 : 8 * MiB, originBytes: 40 * MiB, fstype, originMounted: true, tmpDirFs: 'tmpfs', tmpDirBytes: 200 * MiB },
  useTmp, useMount: true, sizeMiB: 8, pinLoop: false, foreign: noForeign, ops: [applyOp('present')],
});

describe('present rebuilds a snapshot whose copy-on-write space filled up', () => {
  it.each([
    ['tmp-file chain, ext4', true, 'ext4'], ['tmp-file chain, xfs', true, 'xfs'], ['VG free space, ext4', false, 'ext4'],
  ] as const)('%s: the old snapshot\'s space counts as free, the directory is made again, and it converges', async (_n, useTmp, fstype) => {
    const scn = scenario(useTmp, fstype);
    const t = targetOf(scn);
    const start = initialSystem(scn);
    const { system } = await runOps(start, t, scn.ops);
    const invalid = drift(system, 'invalidate');
    expect(snapshotLv(invalid)?.invalid).toBe(true);

    const r = await applyOn(invalid, t, 'present');
    // Was: refused ("the tmp file provides 4 MiB": the invalid snapshot's extents counted as used).
    expect(r.report!.planned.plan.refusals).toEqual([]);
    // Was: mount failed, the rebuild's destroy had removed the mountpoint directory lvmsnap created.
    expect(r.report!.error?.message).toBeUndefined();
    const lv = snapshotLv(r.system)!;
    expect(lv.invalid).toBe(false);
    expect(lv.tags).toContain('lvmsnap');
    expect(r.system.mounts.filter((m) => m.target === MOUNTPOINT).at(-1)?.fs).toBe(lvFsId(lv.uuid));

    const again = await applyOn(r.system, t, 'present');
    expect(again.report!.changed).toBe(false);
    const absent = await applyOn(r.system, t, 'absent');
    expect(absent.report!.error).toBeUndefined();
    expect(comparable(absent.system)).toEqual(comparable(start));
  });
});
