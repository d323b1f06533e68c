// Parses `lvm fullreport --units b --nosuffix --reportformat json` into VGs, PVs and LVs.
// fullreport groups rows per VG: each report[] entry holds vg (0 or 1 row), pv, lv, pvseg and seg rows.
// PV rows carry no vg_name, so a PV's VG is the one of its entry (none for orphan PVs).
import type { ObservedLv, ObservedPv, ObservedVg, ThinInfo } from '../types.js';
import { fail, int, isRow, nonEmpty, optDecimal, parseJson, rows, splitList, str, toInt, type Row } from './util.js';

const CMD = 'lvm fullreport';

export interface Fullreport {
  vgs: ObservedVg[];
  pvs: ObservedPv[];
  lvs: ObservedLv[];
}

export function parseFullreport(json: string): Fullreport {
  const doc = parseJson(CMD, json);
  if (!isRow(doc) || !Array.isArray(doc.report)) fail(CMD, 'missing "report" array', json);
  const out: Fullreport = { vgs: [], pvs: [], lvs: [] };
  (doc.report as unknown[]).forEach((entry, i) => {
    if (!isRow(entry)) fail(CMD, `report[${i}] is not an object`, entry);
    const vgRows = rows(CMD, entry, 'vg');
    if (vgRows.length > 1) fail(CMD, `report[${i}] has ${vgRows.length} vg rows`, entry);
    const vg = vgRows[0] ? parseVg(vgRows[0]) : null;
    if (vg) out.vgs.push(vg);
    for (const r of rows(CMD, entry, 'pv')) out.pvs.push(parsePv(r, vg?.name ?? null));
    const segs = rows(CMD, entry, 'seg');
    for (const r of rows(CMD, entry, 'lv')) {
      if (!vg) fail(CMD, `report[${i}] has lv rows but no vg`, r);
      out.lvs.push(parseLv(r, vg.name, segs));
    }
  });
  return out;
}

function parseVg(r: Row): ObservedVg {
  const attr = str(CMD, r, 'vg_attr');
  return {
    name: nonEmpty(CMD, r, 'vg_name'),
    uuid: nonEmpty(CMD, r, 'vg_uuid'),
    sizeBytes: int(CMD, r, 'vg_size'),
    freeBytes: int(CMD, r, 'vg_free'),
    extentSize: int(CMD, r, 'vg_extent_size'),
    extentCount: int(CMD, r, 'vg_extent_count'),
    freeExtents: int(CMD, r, 'vg_free_count'),
    partial: str(CMD, r, 'vg_partial') === 'partial' || attr[3] === 'p',
    missingPvCount: int(CMD, r, 'vg_missing_pv_count'),
  };
}

function parsePv(r: Row, vg: string | null): ObservedPv {
  const attr = str(CMD, r, 'pv_attr');
  return {
    uuid: nonEmpty(CMD, r, 'pv_uuid'),
    name: nonEmpty(CMD, r, 'pv_name'),
    vg,
    sizeBytes: int(CMD, r, 'pv_size'),
    freeBytes: int(CMD, r, 'pv_free'),
    peCount: int(CMD, r, 'pv_pe_count'),
    peAllocCount: int(CMD, r, 'pv_pe_alloc_count'),
    tags: splitList(str(CMD, r, 'pv_tags')),
    missing: str(CMD, r, 'pv_missing') === 'missing' || attr[2] === 'm',
  };
}

function parseLv(r: Row, vg: string, segs: readonly Row[]): ObservedLv {
  const uuid = nonEmpty(CMD, r, 'lv_uuid');
  const attr = str(CMD, r, 'lv_attr');
  if (attr.length < 5) fail(CMD, 'field "lv_attr" is too short', r);
  const majMin = kernelMajMin(r);
  const origin = str(CMD, r, 'origin');
  // 's' snapshot, 'S' merging snapshot.
  const isSnapshot = attr[0] === 's' || attr[0] === 'S';
  const thin = thinInfo(r, uuid, attr, segs);
  // lv_attr's 10th character 'k': the activation-skip flag (thin snapshots get it by default).
  const skip = attr[9] === 'k' || r.lv_skip_activation === 'skip activation';
  return {
    uuid,
    vg,
    name: nonEmpty(CMD, r, 'lv_name'),
    path: str(CMD, r, 'lv_path'),
    dmPath: str(CMD, r, 'lv_dm_path'),
    attr,
    sizeBytes: int(CMD, r, 'lv_size'),
    origin: origin === '' ? null : origin,
    isSnapshot,
    // State 'I' (invalid) or 'S' (invalid suspended); lv_snapshot_invalid is "unknown" when inactive.
    snapshotInvalid: isSnapshot && (attr[4] === 'I' || attr[4] === 'S' || r.lv_snapshot_invalid === 'invalid'),
    snapPercent: optDecimal(CMD, r, 'snap_percent'),
    active: str(CMD, r, 'lv_active') === 'active' || majMin !== null,
    tags: splitList(str(CMD, r, 'lv_tags')),
    devices: devicesOf(uuid, segs),
    majMin,
    ...(thin ? { thin } : {}),
    ...(skip ? { activationSkip: true as const } : {}),
  };
}

/** Thin pool (segtype thin-pool, lv_attr 't') or thin volume (segtype thin, lv_attr 'V'), else undefined. */
function thinInfo(r: Row, uuid: string, attr: string, segs: readonly Row[]): ThinInfo | undefined {
  const segtype = segs.find((s) => s.lv_uuid === uuid)?.segtype;
  const kind = segtype === 'thin-pool' || attr[0] === 't' ? 'pool' : segtype === 'thin' || attr[0] === 'V' ? 'volume' : null;
  if (kind === null) return undefined;
  const pool = typeof r.pool_lv === 'string' && r.pool_lv !== '' ? r.pool_lv.replace(/^\[|\]$/g, '') : null;
  return {
    kind,
    pool: kind === 'volume' ? pool : null,
    dataPercent: optDecimal(CMD, r, 'data_percent'),
    metadataPercent: kind === 'pool' ? optDecimal(CMD, r, 'metadata_percent') : null,
  };
}

/** "MAJ:MIN" from lv_kernel_major/minor, which are -1 (or empty) when the LV is not active. */
function kernelMajMin(r: Row): string | null {
  const rawMaj = r.lv_kernel_major;
  const rawMin = r.lv_kernel_minor;
  if (rawMaj === '' || rawMin === '' || rawMaj === undefined || rawMin === undefined) return null;
  const maj = toInt(CMD, 'lv_kernel_major', rawMaj);
  const min = toInt(CMD, 'lv_kernel_minor', rawMin);
  return maj >= 0 && min >= 0 ? `${maj}:${min}` : null;
}

/** PV names from the segments' `devices` ("/dev/loop0(0),/dev/vda(25)"), in order, without duplicates. */
function devicesOf(lvUuid: string, segs: readonly Row[]): string[] {
  const out: string[] = [];
  for (const seg of segs) {
    if (seg.lv_uuid !== lvUuid) continue;
    // A thin volume's segment has no devices; a pool's are its hidden sub-LVs ("pool_tdata(0)").
    for (const item of splitList(str(CMD, seg, 'devices'))) {
      const m = /^(.+)\((\d+)\)$/.exec(item);
      if (!m) fail(CMD, 'unexpected seg "devices" entry', item);
      if (!out.includes(m[1]!)) out.push(m[1]!);
    }
  }
  return out;
}
