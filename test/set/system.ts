// A simulated host for snapshot sets: vg0 (root, var) and vg1 (home), each origin ext4 and mounted.
import { addDisk, addLv, addVg, simpleSystem } from '../../src/sim/build.js';
import type { SimSystem } from '../../src/sim/state.js';
import type { Target } from '../../src/types.js';

const MiB = 1024 * 1024;

export interface SetSystemOptions {
  /** Free space left in vg0 after root (100 MiB) and var (40 MiB). */
  readonly vg0FreeBytes?: number;
  readonly vg1FreeBytes?: number;
}

export function setSystem(o: SetSystemOptions = {}): SimSystem {
  let s = simpleSystem({ vgFreeBytes: 40 * MiB + (o.vg0FreeBytes ?? 200 * MiB) });
  s = addLv(s, 'vg0', 'var', 40 * MiB, { mountpoint: '/mnt/var' });
  const es = 4 * MiB;
  const vg1Ext = Math.ceil((60 * MiB) / es) + Math.floor((o.vg1FreeBytes ?? 100 * MiB) / es);
  s = addDisk(s, '/dev/vdb', 254, 16, (vg1Ext + 1) * es);
  s = addVg(s, 'vg1', ['/dev/vdb'], es);
  return addLv(s, 'vg1', 'home', 60 * MiB, { mountpoint: '/mnt/home' });
}

const base = { size: { kind: 'bytes', bytes: 16 * MiB }, allocate: 'auto', removeMountpoint: false, stateDir: '/var/lib/lvmsnap' } as const;

/** root and var in vg0, home in vg1; home's COW space from a tmp file when tmpHome. */
export function setMembers(o: { tmpHome?: boolean; mount?: boolean } = {}): Target[] {
  const m = (vg: string, lv: string): Target => ({ ...base, vg, lv, snapshot: `${lv}-lvmsnap`, ...(o.mount ? { mountpoint: `/media/${lv}` } : {}) });
  return [m('vg0', 'root'), { ...m('vg1', 'home'), ...(o.tmpHome ? { tmpFile: '/var/space/home-cow.img' } : {}) }, m('vg0', 'var')];
}
