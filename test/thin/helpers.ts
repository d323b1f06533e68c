// A simulated host with a thin pool: vg0 holds `root` (linear, as in simpleSystem), a thin pool `pool` and a
// thin origin `data` mounted at /mnt/data, plus the user's own thin LV `other` and thin snapshot `data-mine`
// (foreign objects lvmsnap must never touch).
import { addThinLv, addThinPool, simpleSystem } from '../../src/sim/build.js';
import { fillPool } from '../../src/sim/drift.js';
import type { SimSystem } from '../../src/sim/state.js';
import type { Target } from '../../src/types.js';

const MiB = 1024 * 1024;

export interface ThinOptions { readonly fstype?: 'ext4' | 'xfs'; readonly dataPercent?: number; readonly metadataPercent?: number; readonly mounted?: boolean; readonly foreign?: boolean }

export function thinSystem(o: ThinOptions = {}): SimSystem {
  let s = simpleSystem({ vgFreeBytes: 300 * MiB, fstype: o.fstype ?? 'ext4' });
  s = addThinPool(s, 'vg0', 'pool', 160 * MiB);
  s = addThinLv(s, 'vg0', 'data', 'pool', 256 * MiB, { fstype: o.fstype ?? 'ext4', ...(o.mounted ?? true ? { mountpoint: '/mnt/data' } : {}) });
  if (o.foreign ?? true) {
    s = addThinLv(s, 'vg0', 'other', 'pool', 128 * MiB, { fstype: 'ext4' });
    s = addThinLv(s, 'vg0', 'data-mine', 'pool', 256 * MiB, { origin: 'data', skip: true });
  }
  return fillPool(s, 'vg0', 'pool', o.dataPercent ?? 40, o.metadataPercent ?? 12);
}

export const thinTarget = (extra: Partial<Target> = {}): Target => ({
  vg: 'vg0', lv: 'data', snapshot: 'data-lvmsnap', size: { kind: 'percentOrigin', percent: 20 },
  allocate: 'auto', removeMountpoint: false, stateDir: '/var/lib/lvmsnap', ...extra,
});

export const T = ['--vg', 'vg0', '--lv', 'data'];
