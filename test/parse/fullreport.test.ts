import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/errors.js';
import { parseFullreport } from '../../src/parse/index.js';
import { fixture } from './fixtures.js';

describe('parseFullreport: present (snapshot on a loop PV)', () => {
  const r = parseFullreport(fixture('present.fullreport.json'));

  it('parses the VG', () => {
    expect(r.vgs).toEqual([
      {
        name: 'vg0', uuid: 'gONJXy-KOKZ-Lc0p-9IdE-0YkN-NiwQ-7HSKXQ', sizeBytes: 482344960, freeBytes: 314572800,
        extentSize: 4194304, extentCount: 115, freeExtents: 75, partial: false, missingPvCount: 0,
      },
    ]);
  });

  it('assigns PVs the VG of their report entry and splits tags', () => {
    expect(r.pvs).toEqual([
      {
        uuid: 'TdIOKu-lq7r-qTQI-YE4x-4B3c-Lcl0-khmhuP', name: '/dev/loop0', vg: 'vg0', sizeBytes: 67108864,
        freeBytes: 4194304, peCount: 16, peAllocCount: 15, tags: ['lvmsnap'], missing: false,
      },
      {
        uuid: 'Hb34md-2cmJ-mNcS-AdsE-AU9J-ePed-bMwx5c', name: '/dev/vda', vg: 'vg0', sizeBytes: 415236096,
        freeBytes: 310378496, peCount: 99, peAllocCount: 25, tags: [], missing: false,
      },
    ]);
  });

  it('parses the origin and the snapshot with devices and MAJ:MIN', () => {
    const [root, snap] = r.lvs;
    expect(root).toEqual({
      uuid: '3gjRvC-LD8z-Ase6-3kji-OaVn-eipM-KG15Ea', vg: 'vg0', name: 'root', path: '/dev/vg0/root',
      dmPath: '/dev/mapper/vg0-root', attr: 'owi-aos---', sizeBytes: 104857600, origin: null, isSnapshot: false,
      snapshotInvalid: false, snapPercent: null, active: true, tags: [], devices: ['/dev/vda'], majMin: '253:0',
    });
    expect(snap).toEqual({
      uuid: 'jba3uA-0yCN-eXco-bH8i-MQ7K-mSW2-dyuMzV', vg: 'vg0', name: 'root_snap', path: '/dev/vg0/root_snap',
      dmPath: '/dev/mapper/vg0-root_snap', attr: 'swi-aos---', sizeBytes: 62914560, origin: 'root', isSnapshot: true,
      snapshotInvalid: false, snapPercent: 0.02, active: true, tags: ['lvmsnap'], devices: ['/dev/loop0'],
      majMin: '253:3',
    });
  });
});

describe('parseFullreport: missing PV', () => {
  const r = parseFullreport(fixture('missing-pv.fullreport.json'));

  it('marks the VG partial with one missing PV', () => {
    expect(r.vgs[0]).toMatchObject({ name: 'vg0', partial: true, missingPvCount: 1 });
  });

  it('keeps the missing PV as "[unknown]" with its tags', () => {
    const missing = r.pvs.find((p) => p.uuid === 'TdIOKu-lq7r-qTQI-YE4x-4B3c-Lcl0-khmhuP');
    expect(missing).toEqual({
      uuid: 'TdIOKu-lq7r-qTQI-YE4x-4B3c-Lcl0-khmhuP', name: '[unknown]', vg: 'vg0', sizeBytes: 67108864,
      freeBytes: 4194304, peCount: 16, peAllocCount: 15, tags: ['lvmsnap'], missing: true,
    });
    expect(r.pvs.find((p) => p.name === '/dev/vda')?.missing).toBe(false);
  });

  it('reports the LVs inactive, without MAJ:MIN, the snapshot on "[unknown]"', () => {
    const [root, snap] = r.lvs;
    expect(root).toMatchObject({ name: 'root', attr: 'owi---s-p-', active: false, majMin: null, devices: ['/dev/vda'] });
    expect(snap).toMatchObject({
      name: 'root_snap', attr: 'swi---s-p-', isSnapshot: true, origin: 'root', active: false, majMin: null,
      devices: ['[unknown]'], snapPercent: null, snapshotInvalid: false, tags: ['lvmsnap'],
    });
  });
});

describe('parseFullreport: shapes beyond the fixtures', () => {
  const base = JSON.parse(fixture('present.fullreport.json')) as { report: Record<string, unknown[]>[] };
  const withEntry = (entry: Record<string, unknown>, lvPatch: Record<string, unknown> = {}): string => {
    const copy = structuredClone(base);
    const lv = copy.report[0]!.lv![1] as Record<string, unknown>;
    Object.assign(lv, lvPatch);
    copy.report.push(entry as Record<string, unknown[]>);
    return JSON.stringify(copy);
  };
  const orphan = (structuredClone(base.report[0]!.pv![0]) as Record<string, unknown>);
  Object.assign(orphan, { pv_name: '/dev/loop7', pv_uuid: 'orphan-uuid', pv_tags: 'lvmsnap,lvmsnap_for_x' });

  it('accepts entries without a vg (orphan PVs) and multiple tags', () => {
    const r = parseFullreport(withEntry({ vg: [], pv: [orphan] }));
    expect(r.vgs).toHaveLength(1);
    expect(r.pvs.at(-1)).toMatchObject({ name: '/dev/loop7', vg: null, tags: ['lvmsnap', 'lvmsnap_for_x'] });
    expect(parseFullreport(withEntry({ pv: [orphan] })).pvs.at(-1)?.vg).toBeNull();
  });

  it('flags an invalid snapshot from lv_attr', () => {
    const r = parseFullreport(withEntry({}, { lv_attr: 'swi-Ios---', snap_percent: '100.00' }));
    expect(r.lvs[1]).toMatchObject({ snapshotInvalid: true, snapPercent: 100, active: true });
  });

  it('collects devices of several segments and comma-separated lists, without duplicates', () => {
    const copy = structuredClone(base);
    const segs = copy.report[0]!.seg as Record<string, unknown>[];
    segs[1]!.devices = '/dev/loop0(0),/dev/vda(30)';
    segs.push({ ...segs[1], devices: '/dev/loop0(10)' });
    expect(parseFullreport(JSON.stringify(copy)).lvs[1]?.devices).toEqual(['/dev/loop0', '/dev/vda']);
  });

  it('accepts an empty report', () => {
    expect(parseFullreport('{"report":[]}')).toEqual({ vgs: [], pvs: [], lvs: [] });
  });
});

describe('parseFullreport: malformed input', () => {
  const text = fixture('present.fullreport.json');
  const cases: [string, string][] = [
    ['not JSON', 'WARNING: something'],
    ['empty output', ''],
    ['no report array', '{"foo":[]}'],
    ['a non-strict number', text.replace('"vg_size":"482344960"', '"vg_size":"482344960B"')],
    ['a decimal size', text.replace('"pv_pe_count":"16"', '"pv_pe_count":"16.5"')],
    ['an empty number', text.replace('"lv_size":"62914560"', '"lv_size":""')],
    ['a missing field', text.replace('"pv_uuid":"TdIOKu-lq7r-qTQI-YE4x-4B3c-Lcl0-khmhuP", ', '')],
    ['a bad devices entry', text.replace('"devices":"/dev/loop0(0)"', '"devices":"/dev/loop0"')],
    ['a bad snap_percent', text.replace('"snap_percent":"0.02"', '"snap_percent":"n/a"')],
  ];
  it.each(cases)('rejects %s with a ParseError naming the command', (_, input) => {
    expect(input).not.toBe(text);
    expect(() => parseFullreport(input)).toThrow(ParseError);
    try {
      parseFullreport(input);
    } catch (err) {
      expect((err as ParseError).command).toBe('lvm fullreport');
      expect((err as ParseError).excerpt.length).toBeLessThanOrEqual(80);
    }
  });
});
