// systemFromSnapshot: observing the rebuilt model gives back the observation it was built from.
import { describe, expect, it } from 'vitest';
import * as C from '../../src/commands.js';
import { observe } from '../../src/observe.js';
import { SimHost } from '../../src/sim/host.js';
import { drift, simpleSystem, type SimSystem } from '../../src/sim/model.js';
import { systemFromSnapshot } from '../../src/sim/from-snapshot.js';
import type { Target } from '../../src/types.js';
import { MIB, SNAP, TMP, forward, runOk } from './helpers.js';

const target: Target = {
  vg: 'vg0', lv: 'root', snapshot: SNAP, size: { kind: 'bytes', bytes: 60 * MIB }, mountpoint: '/media/snap',
  tmpFile: TMP, allocate: 'auto', removeMountpoint: true, stateDir: '/var/lib/lvmsnap',
};
const journal = { version: 1, vg: 'vg0', snapshot: SNAP, tmpFile: { path: TMP } };

const states: [string, () => SimSystem][] = [
  ['clean', () => simpleSystem()],
  ['clean xfs, origin unmounted', () => simpleSystem({ fstype: 'xfs', originMounted: false })],
  ['present', () => ({ ...runOk(simpleSystem(), ...forward()), stateFiles: { '/var/lib/lvmsnap/vg0/root_snap.json': JSON.stringify(journal) } })],
  ['half way', () => runOk(simpleSystem(), ...forward().slice(0, 3))],
  ['after reboot', () => drift.reboot(runOk(simpleSystem({ tmpDirFs: 'ext4' }), ...forward()))],
  ['back-file deleted', () => runOk(simpleSystem(), ...forward().slice(0, 5), C.rmFileArgv(TMP))],
];

describe('systemFromSnapshot', () => {
  it.each(states)('%s: observe(model from observation) equals the observation', async (_name, make) => {
    const first = await observe(new SimHost(make()), target);
    const rebuilt = systemFromSnapshot(first, { target });
    const second = await observe(new SimHost(rebuilt), target);
    expect(second).toEqual(first);
  });

  it('rehearses a plan step on the rebuilt model like on the original', async () => {
    const original = runOk(simpleSystem(), ...forward().slice(0, 4));
    const rebuilt = systemFromSnapshot(await observe(new SimHost(original), target), { target });
    for (const argv of [forward()[4]!, forward()[5]!, forward()[6]!, C.lvcreateSnapshotArgv('vg0', 'root', 'big', 400 * MIB)]) {
      const a = await new SimHost(original).run(argv, { mutating: true });
      const b = await new SimHost(rebuilt).run(argv, { mutating: true });
      expect(b.exitCode, argv.join(' ')).toBe(a.exitCode);
    }
  });
});
