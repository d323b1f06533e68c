// `lvm fullreport --units b --nosuffix --reportformat json` of a simulated system, laid out like lvm2's
// JSON (one report[] entry per VG with vg/pv/lv/pvseg/seg rows, then one entry for orphan PVs).
// The text is built directly (rowFormat) and kept per set of (frozen) sub-objects it depends on.
import { LV_FIELDS, PVSEG_FIELDS, PV_FIELDS, SEG_FIELDS, VG_FIELDS, rowFormat } from './report-fields.js';
import { collate } from './collate.js';
import { Memo } from './memo.js';
import {
  DM_MAJOR, PE_START, devIndex, dmPath, findLv, freeAreas, lvBytes, lvExtents, lvIndex, lvPartial, missingPvs,
  orphanDevices, snapshotsOf, thinLvsOf, usedExtents, vgLvs, vgPvs, type SimLv, type SimPv, type SimSystem,
} from './state.js';

const MDA = '1044480';
const MDA_FREE = '519168';
const VG_ROW = rowFormat(VG_FIELDS);
const PV_ROW = rowFormat(PV_FIELDS);
const LV_ROW = rowFormat(LV_FIELDS);
const PVSEG_ROW = rowFormat(PVSEG_FIELDS);
const SEG_ROW = rowFormat(SEG_FIELDS);

/** stderr lines lvm prints for each VG with missing PVs. */
export function missingPvWarnings(s: SimSystem, vgs: readonly string[] = Object.keys(s.vgs)): string {
  const missing = vgs.flatMap((vg) => missingPvs(s, vg));
  return missing.map((p) => `  WARNING: Couldn't find device with uuid ${p.uuid}.\n`).join('') +
    missing.map((p) => `  WARNING: VG ${p.vg} is missing PV ${p.uuid} (last written to ${p.lastDevice}).\n`).join('');
}

const pvName = (s: SimSystem, pv: SimPv): string => devIndex(s).byLabel.get(pv.uuid)?.name ?? '[unknown]';

function vgRow(s: SimSystem, vg: string): string {
  const v = s.vgs[vg]!;
  const pvs = vgPvs(s, vg);
  const lvs = vgLvs(s, vg);
  const total = pvs.reduce((a, p) => a + p.peCount, 0);
  const free = pvs.reduce((a, p) => a + p.peCount - usedExtents(s, p.uuid), 0);
  const missing = missingPvs(s, vg).length;
  const present = String(pvs.length - missing);
  return VG_ROW({
    vg_uuid: v.uuid, vg_name: vg, vg_attr: missing ? 'wz-pn-' : 'wz--n-', vg_partial: missing ? 'partial' : '',
    vg_size: String(total * v.extentSize), vg_free: String(free * v.extentSize), vg_extent_size: String(v.extentSize),
    vg_extent_count: String(total), vg_free_count: String(free), pv_count: String(pvs.length),
    vg_missing_pv_count: String(missing), lv_count: String(lvs.length),
    snap_count: String(lvs.filter((l) => l.origin !== null && !l.thin).length), vg_seqno: String(1 + pvs.length + lvs.length),
    vg_mda_count: present, vg_mda_used_count: present,
  });
}

function pvRow(s: SimSystem, pv: SimPv): string {
  const dev = devIndex(s).byLabel.get(pv.uuid);
  const es = s.vgs[pv.vg]!.extentSize;
  const used = usedExtents(s, pv.uuid);
  return PV_ROW({
    pv_uuid: pv.uuid, dev_size: String(dev?.size ?? 0), pv_name: dev?.name ?? '[unknown]',
    pv_major: String(dev?.major ?? 0), pv_minor: String(dev?.minor ?? 0), pv_mda_free: dev ? MDA_FREE : '0',
    pv_mda_size: dev ? MDA : '0', pv_ext_vsn: dev ? '2' : '', pe_start: String(PE_START),
    pv_size: String(pv.peCount * es), pv_free: String((pv.peCount - used) * es), pv_used: String(used * es),
    pv_attr: dev ? 'a--' : 'a-m', pv_allocatable: 'allocatable', pv_missing: dev ? '' : 'missing',
    pv_pe_count: String(pv.peCount), pv_pe_alloc_count: String(used), pv_tags: pv.tags.join(','),
    pv_mda_count: dev ? '1' : '0', pv_mda_used_count: dev ? '1' : '0', pv_in_use: 'used',
  });
}

/**
 * A thin pool or thin LV, shaped after lvm2's (lvs(8) attr: pool 'twi-aotz--', thin LV 'Vwi-aotz--', a thin
 * snapshot with the activation-skip flag 'Vwi---tz-k'). The pool's hidden _tdata/_tmeta/_pmspare LVs are not
 * reported (not modelled: the pool's extents are its own segments).
 */
function thinRow(s: SimSystem, lv: SimLv, mounted: ReadonlySet<string>): string {
  const a = lv.active;
  const pool = lv.thin ? findLv(s, lv.vg, lv.thin.pool) : undefined;
  const origin = lv.thin && lv.origin !== null ? findLv(s, lv.vg, lv.origin) : undefined;
  const thinSnaps = vgLvs(s, lv.vg).filter((l) => l.thin && l.origin === lv.name).map((l) => l.name).sort(collate);
  const open = a && (lv.thinPool ? thinLvsOf(s, lv).some((t) => t.active) : mounted.has(`lv:${lv.uuid}`));
  const attr = `${lv.thinPool ? 't' : 'V'}wi-${a ? 'a' : '-'}${open ? 'o' : '-'}tz-${lv.thin?.skip ? 'k' : '-'}`;
  const pct = (n: number): string => (a ? n.toFixed(2) : '');
  // As lvm2 2.03.16 reports them (fixtures/real-lvm/thin.fullreport.json).
  const role = lv.thinPool ? 'private' : origin ? 'public,snapshot,thinsnapshot'
    : thinSnaps.length > 1 ? 'public,origin,thinorigin,multithinorigin' : thinSnaps.length ? 'public,origin,thinorigin' : 'public';
  return LV_ROW({
    lv_uuid: lv.uuid, lv_name: lv.name, lv_full_name: `${lv.vg}/${lv.name}`, lv_path: lv.thinPool ? '' : `/dev/${lv.vg}/${lv.name}`,
    lv_dm_path: dmPath(lv.vg, lv.name), lv_layout: lv.thinPool ? 'thin,pool' : 'thin,sparse', lv_role: role,
    lv_skip_activation: lv.thin?.skip ? 'skip activation' : '',
    lv_active: a ? 'active' : '', lv_active_locally: a ? 'active locally' : '', lv_active_exclusively: a ? 'active exclusively' : '',
    lv_size: String(lvBytes(s, lv)), lv_metadata_size: lv.thinPool ? String(s.vgs[lv.vg]!.extentSize) : '', seg_count: '1',
    origin: origin?.name ?? '', origin_uuid: origin?.uuid ?? '', origin_size: origin ? String(lvBytes(s, origin)) : '',
    lv_ancestors: origin?.name ?? '', lv_full_ancestors: origin?.name ?? '',
    lv_descendants: thinSnaps.join(','), lv_full_descendants: thinSnaps.join(','),
    data_lv: lv.thinPool ? `[${lv.name}_tdata]` : '', metadata_lv: lv.thinPool ? `[${lv.name}_tmeta]` : '',
    pool_lv: pool?.name ?? '', pool_lv_uuid: pool?.uuid ?? '',
    lv_tags: lv.tags.join(','), lv_time: lv.time, lv_modules: lv.thinPool ? 'thin-pool' : 'thin,thin-pool',
    lv_kernel_major: a ? String(DM_MAJOR) : '-1', lv_kernel_minor: a ? String(lv.minor) : '-1',
    lv_kernel_read_ahead: a ? '131072' : '-1', lv_permissions: 'writeable',
    lv_suspended: a ? '' : '', lv_live_table: a ? 'live table present' : '', lv_device_open: open ? 'open' : '',
    // lvm2 reports a thin LV's (and a pool's) data_percent as snap_percent too.
    data_percent: pct(lv.thinPool ? lv.thinPool.dataPercent : lv.thin!.mappedPercent),
    snap_percent: pct(lv.thinPool ? lv.thinPool.dataPercent : lv.thin!.mappedPercent), metadata_percent: lv.thinPool ? pct(lv.thinPool.metadataPercent) : '',
    lv_check_needed: 'unknown', lv_merge_failed: 'unknown', lv_snapshot_invalid: 'unknown', lv_attr: attr,
  });
}

function thinSegRow(s: SimSystem, lv: SimLv): string {
  const pool = lv.thinPool;
  return SEG_ROW({
    segtype: pool ? 'thin-pool' : 'thin', chunk_size: pool ? '65536' : '0', thin_count: pool ? String(thinLvsOf(s, lv).length) : '',
    discards: pool ? 'passdown' : '', zero: pool ? 'zero' : 'unknown', transaction_id: pool ? String(thinLvsOf(s, lv).length) : '',
    thin_id: lv.thin ? String(1 + vgLvs(s, lv.vg).filter((l) => l.thin?.pool === lv.thin!.pool && l.time < lv.time).length) : '',
    seg_start: '0', seg_start_pe: '0', seg_size: String(lvBytes(s, lv)), seg_size_pe: String(Math.ceil(lvBytes(s, lv) / s.vgs[lv.vg]!.extentSize)),
    seg_pe_ranges: pool ? `[${lv.name}_tdata]:0-${Math.ceil(pool.dataBytes / s.vgs[lv.vg]!.extentSize) - 1}` : '',
    seg_le_ranges: pool ? `[${lv.name}_tdata]:0-${Math.ceil(pool.dataBytes / s.vgs[lv.vg]!.extentSize) - 1}` : '',
    seg_metadata_le_ranges: pool ? `[${lv.name}_tmeta]:0-0` : '',
    devices: pool ? `${lv.name}_tdata(0)` : '', metadata_devices: pool ? `${lv.name}_tmeta(0)` : '',
    seg_monitor: pool && lv.active ? 'monitored' : '', lv_uuid: lv.uuid,
  });
}

function lvRow(s: SimSystem, lv: SimLv, mounted: ReadonlySet<string>): string {
  if (lv.thin || lv.thinPool) return thinRow(s, lv, mounted);
  const origin = lv.origin !== null ? findLv(s, lv.vg, lv.origin) : undefined;
  const snaps = snapshotsOf(s, lv).map((l) => l.name).sort();
  const role = origin ? 'public,snapshot,thicksnapshot' : snaps.length ? 'public,origin,thickorigin' : 'public';
  const partial = lvPartial(s, lv);
  const a = lv.active;
  const open = a && mounted.has(`lv:${lv.uuid}`);
  const percent = a && origin ? (lv.invalid ? 100 : lv.cowPercent).toFixed(2) : '';
  const state = !a ? '-' : origin && lv.invalid ? 'I' : 'a';
  const attr = `${origin ? 's' : snaps.length ? 'o' : '-'}wi-${state}${open ? 'o' : '-'}${origin || snaps.length ? 's' : '-'}-${partial ? 'p' : '-'}-`;
  const unknownIfInactive = (v: string): string => (a ? v : partial ? 'unknown' : '');
  return LV_ROW({
    lv_uuid: lv.uuid, lv_name: lv.name, lv_full_name: `${lv.vg}/${lv.name}`, lv_path: `/dev/${lv.vg}/${lv.name}`,
    lv_dm_path: dmPath(lv.vg, lv.name), lv_role: role,
    lv_active: a ? 'active' : '', lv_active_locally: a ? 'active locally' : '', lv_active_exclusively: a ? 'active exclusively' : '',
    lv_size: String(lvBytes(s, lv)), seg_count: String(lv.segs.length),
    origin: origin?.name ?? '', origin_uuid: origin?.uuid ?? '',
    origin_size: origin ? String(lvBytes(s, origin)) : snaps.length ? String(lvBytes(s, lv)) : '',
    lv_ancestors: origin?.name ?? '', lv_full_ancestors: origin?.name ?? '',
    lv_descendants: snaps.join(','), lv_full_descendants: snaps.join(','),
    lv_tags: lv.tags.join(','), lv_time: lv.time, lv_modules: origin || snaps.length ? 'snapshot' : '',
    lv_kernel_major: a ? String(DM_MAJOR) : '-1', lv_kernel_minor: a ? String(lv.minor) : '-1',
    lv_kernel_read_ahead: a ? '131072' : '-1',
    lv_permissions: a ? 'writeable' : partial ? 'unknown' : 'writeable',
    lv_suspended: unknownIfInactive(''), lv_live_table: unknownIfInactive('live table present'),
    lv_inactive_table: unknownIfInactive(''), lv_device_open: a ? (open ? 'open' : '') : partial ? 'unknown' : '',
    data_percent: percent, snap_percent: percent,
    lv_health_status: partial ? 'partial' : a && origin && lv.invalid ? 'invalid' : '',
    lv_check_needed: 'unknown',
    lv_merge_failed: a && origin ? '' : 'unknown',
    lv_snapshot_invalid: a && origin ? (lv.invalid ? 'invalid' : '') : 'unknown',
    lv_attr: attr,
  });
}

function segRows(s: SimSystem, lv: SimLv): string[] {
  const es = s.vgs[lv.vg]!.extentSize;
  let le = 0;
  return lv.segs.map((g) => {
    const pv = s.pvs[g.pv];
    const dev = pv ? pvName(s, pv) : '[unknown]';
    const range = `${dev}:${g.pe}-${g.pe + g.count - 1}`;
    const row = SEG_ROW({
      chunk_size: lv.origin !== null ? '4096' : '0', seg_start: String(le * es), seg_start_pe: String(le),
      seg_size: String(g.count * es), seg_size_pe: String(g.count), seg_pe_ranges: range, seg_le_ranges: range,
      devices: `${dev}(${g.pe})`, seg_monitor: lv.origin !== null && lv.active ? 'monitored' : '', lv_uuid: lv.uuid,
    });
    le += g.count;
    return row;
  });
}

function pvsegRows(s: SimSystem, pv: SimPv): string[] {
  const used = lvIndex(s).onPv.get(pv.uuid) ?? [];
  const free = freeAreas(s, pv).map(([pe, count]) => ({ pe, count, lv: '' }));
  return [...used, ...free].sort((x, y) => x.pe - y.pe).map((g) =>
    PVSEG_ROW({ pvseg_start: String(g.pe), pvseg_size: String(g.count), pv_uuid: pv.uuid, lv_uuid: g.lv }));
}

function orphanRows(s: SimSystem): { pv: string[]; pvseg: string[] } {
  const devs = orphanDevices(s).sort((x, y) => collate(x.name, y.name));
  const pv = devs.map((d) => PV_ROW({
    pv_uuid: d.label!, dev_size: String(d.size), pv_name: d.name, pv_major: String(d.major), pv_minor: String(d.minor),
    pv_mda_free: MDA_FREE, pv_mda_size: MDA, pv_ext_vsn: '2', pe_start: String(PE_START), pv_size: String(d.size),
    pv_free: String(d.size), pv_used: '0', pv_attr: '---', pv_allocatable: '', pv_missing: '', pv_pe_count: '0',
    pv_pe_alloc_count: '0', pv_tags: '', pv_mda_count: '1', pv_mda_used_count: '0', pv_in_use: '',
  }));
  const pvseg = devs.map((d) => PVSEG_ROW({ pvseg_start: '0', pvseg_size: '0', pv_uuid: d.label!, lv_uuid: '' }));
  return { pv, pvseg };
}

const I14 = ' '.repeat(14);
const I18 = ' '.repeat(18);
function section(name: string, rows: readonly string[]): string {
  const body = rows.length ? `${I18}${rows.join(`,\n${I18}`)}\n` : '';
  return `${I14}"${name}": [\n${body}${I14}]\n`;
}

function build(s: SimSystem): { stdout: string; stderr: string } {
  const mounted = new Set(s.mounts.map((m) => m.fs));
  const entries: string[] = [];
  for (const vg of Object.keys(s.vgs).sort()) {
    const pvs = vgPvs(s, vg);
    const lvs = vgLvs(s, vg).sort((x, y) => collate(x.name, y.name));
    entries.push([
      section('vg', [vgRow(s, vg)]),
      section('pv', [...pvs].sort((x, y) => collate(pvName(s, x), pvName(s, y))).map((p) => pvRow(s, p))),
      section('lv', lvs.map((l) => lvRow(s, l, mounted))),
      section('pvseg', pvs.flatMap((p) => pvsegRows(s, p))),
      section('seg', lvs.flatMap((l) => (l.thin || l.thinPool ? [thinSegRow(s, l)] : lvExtents(l) > 0 ? segRows(s, l) : []))),
    ].join(`${I14},\n`));
  }
  const orphans = orphanRows(s);
  if (orphans.pv.length) entries.push([section('pv', orphans.pv), section('pvseg', orphans.pvseg)].join(`${I14},\n`));
  const body = entries.map((e) => `          {\n${e}          }`).join(',\n');
  return { stdout: `  {\n      "report": [\n${body}\n      ]\n  }\n`, stderr: missingPvWarnings(s) };
}

const reportMemo = new Memo<{ stdout: string; stderr: string }>();
/** Everything the report reads: LVM metadata, devices (disks, loops and their inodes' labels), mounts. */
export const fullreport = (s: SimSystem): { stdout: string; stderr: string } =>
  reportMemo.get([s.lvs, s.pvs, s.vgs, s.mounts, s.loops, s.inodes, s.disks], () => build(s));
