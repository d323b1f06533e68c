// A real lvm2 2.03.16 report of a thin pool (captured in the VM by test/real/scenarios/thin.sh): the pool,
// a thin origin with lvmsnap's thin snapshot (active, no activation-skip flag) and the user's own thin
// snapshot (lvm2's default activation-skip flag, inactive), another thin LV and a linear LV. lvm2's
// hidden sub-LVs ([pool_tdata], [pool_tmeta], [lvol0_pmspare]) are not in fullreport's lv rows.
import { describe, expect, it } from 'vitest';
import { parseFullreport } from '../../src/parse/index.js';
import { fixture } from './fixtures.js';

describe('parseFullreport: thin pool, thin LVs and thin snapshots (real capture)', () => {
  const r = parseFullreport(fixture('thin.fullreport.json'));
  const lv = (name: string) => r.lvs.find((l) => l.name === name)!;

  it('reads the pool: kind, data and metadata usage, no pool of its own', () => {
    expect(lv('pool')).toMatchObject({ attr: 'twi-aotz--', path: '', sizeBytes: 167772160, active: true, origin: null, isSnapshot: false,
      thin: { kind: 'pool', pool: null, dataPercent: 23.79, metadataPercent: 11.62 } });
    expect(lv('pool').devices).toEqual(['pool_tdata']);
    expect(lv('pool').activationSkip).toBeUndefined();
  });

  it("reads lvmsnap's thin snapshot: origin, pool, tags, active, virtual size, no extents", () => {
    expect(lv('data-lvmsnap')).toMatchObject({ origin: 'data', isSnapshot: false, tags: ['lvmsnap'], active: true, sizeBytes: 268435456,
      devices: [], snapshotInvalid: false, thin: { kind: 'volume', pool: 'pool', dataPercent: 12.18, metadataPercent: null } });
    expect(lv('data-lvmsnap').activationSkip).toBeUndefined();
  });

  it("reads the activation-skip flag of the user's thin snapshot (inactive, no usage)", () => {
    expect(lv('data-mine')).toMatchObject({ attr: 'Vwi---tz-k', origin: 'data', active: false, majMin: null, activationSkip: true,
      thin: { kind: 'volume', pool: 'pool', dataPercent: null } });
  });

  it('reads the thin origin and a plain thin LV; the linear LV has no thin info', () => {
    expect(lv('data')).toMatchObject({ origin: null, active: true, thin: { kind: 'volume', pool: 'pool', dataPercent: 12.33 } });
    expect(lv('other').thin).toEqual({ kind: 'volume', pool: 'pool', dataPercent: 0, metadataPercent: null });
    expect(lv('root').thin).toBeUndefined();
    expect(lv('root').devices).toEqual(['/dev/vda']);
    expect(r.lvs.map((l) => l.name).sort()).toEqual(['data', 'data-lvmsnap', 'data-mine', 'other', 'pool', 'root']);
  });
});
