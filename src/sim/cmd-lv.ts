// LVM commands on LVs: lvcreate --snapshot (extent rounding, lvm2's COW size cap, optional PV list
// restricting allocation), lvextend of a snapshot's COW, and lvremove (refuses open LVs; --yes on an origin
// takes its snapshots along).
import { produce } from 'immer';
import { REMOVE, edit } from './edit.js';
import { lvMounted } from './fsview.js';
import { fail, humanSize, notModelled, ok, parseArgs, type ExecOutput } from './ops.js';
import { ECMD_FAILED, refusePartial, vgNotFound } from './cmd-pv.js';
import { missingPvWarnings } from './report-lvm.js';
import {
  deviceByName, findLv, freeAreas, lowestFreeMinor, lvBytes, lvPartial, lvTime, lvmUuid, snapshotsOf, thinLvsOf, vgPvs,
  type SimLv, type SimPv, type SimSeg, type SimSystem,
} from './state.js';

const CHUNK = 4096;
const LV_NAME = /^[A-Za-z0-9+_.][A-Za-z0-9+_.-]*$/;
const RESERVED = /(_cdata|_cmeta|_corig|_mimage|_mlog|_pmspare|_rimage|_rmeta|_tdata|_tmeta|_vorigin|_vdata)|^snapshot/;

/** lvm2's cow_max_size(): the largest COW an origin of this size can ever use, in whole extents. */
export function cowMaxBytes(originBytes: number, extentSize: number): number {
  const originChunks = Math.ceil(originBytes / CHUNK);
  const perArea = CHUNK / 16;
  const metadataChunks = Math.floor((originChunks + perArea) / perArea);
  const bytes = (1 + originChunks + metadataChunks) * CHUNK;
  return Math.ceil(bytes / extentSize) * extentSize;
}

/** Place `need` extents on the PVs in order, lowest free extents first; null when they do not fit. */
export function allocate(s: SimSystem, pvs: readonly SimPv[], need: number): SimSeg[] | null {
  const segs: SimSeg[] = [];
  let left = need;
  for (const pv of pvs) {
    for (const [pe, count] of freeAreas(s, pv)) {
      if (left === 0) break;
      const take = Math.min(left, count);
      segs.push({ pv: pv.uuid, pe, count: take });
      left -= take;
    }
  }
  return left === 0 ? segs : null;
}
const freeOn = (s: SimSystem, pvs: readonly SimPv[]): number =>
  pvs.reduce((a, pv) => a + freeAreas(s, pv).reduce((b, [, c]) => b + c, 0), 0);

export function lvcreate(s: SimSystem, args: readonly string[]): ExecOutput {
  const p = parseArgs(args, ['--yes', '-y', '--snapshot', '-s'], ['--size', '-L', '--name', '-n', '--addtag', '--setactivationskip', '--type', '--virtualsize', '-V', '--thinpool']);
  const get = (a: string, b: string): string | undefined => p?.flags.get(a)?.[0] ?? p?.flags.get(b)?.[0];
  const size = get('--size', '-L');
  const name = get('--name', '-n');
  const m = /^(\d+)[bB]$/.exec(size ?? '');
  if (p && (p.flags.has('--type') || p.flags.has('--thinpool') || p.flags.has('--virtualsize') || p.flags.has('-V'))) return lvcreateThin(s, p, args);
  if (p && (p.flags.has('--snapshot') || p.flags.has('-s')) && size === undefined && name !== undefined && p.pos.length === 1 && p.pos[0]!.includes('/')) {
    return thinSnapshot(s, p.pos[0]!, name, p.flags.get('--addtag') ?? [], p.flags.get('--setactivationskip')?.[0]);
  }
  if (p?.flags.has('--setactivationskip')) return notModelled(s, ['lvcreate', ...args]);
  if (p && !(p.flags.has('--snapshot') || p.flags.has('-s')) && m && name !== undefined && p.pos.length === 1 && !p.pos[0]!.includes('/')) {
    return linear(s, p.pos[0]!, name, Number(m[1]), p.flags.get('--addtag') ?? []);
  }
  if (!p || !(p.flags.has('--snapshot') || p.flags.has('-s')) || !m || name === undefined || p.pos.length < 1 || !p.pos[0]!.includes('/')) {
    return notModelled(s, ['lvcreate', ...args]);
  }
  const [vg, originName] = p.pos[0]!.split('/') as [string, string];
  const tags = p.flags.get('--addtag') ?? [];
  if (!s.vgs[vg]) return vgNotFound(s, vg);
  const refused = refusePartial(s, vg);
  if (refused) return refused;
  const origin = findLv(s, vg, originName);
  if (!origin) return fail(s, ECMD_FAILED, `  Failed to find logical volume "${vg}/${originName}"\n`);
  if (origin.origin !== null) return fail(s, ECMD_FAILED, '  Snapshots of snapshots are not supported.\n');
  if (!LV_NAME.test(name) || name.length > 127 || RESERVED.test(name)) {
    return fail(s, 3, `  Logical volume name "${name}" is invalid.\n  Run \`lvcreate --help' for more information.\n`);
  }
  if (findLv(s, vg, name)) return fail(s, ECMD_FAILED, `  Logical Volume "${name}" already exists in volume group "${vg}"\n`);
  const es = s.vgs[vg]!.extentSize;
  const bytes = Number(m[1]);
  if (bytes === 0) return fail(s, 3, '  Size may not be zero.\n  Invalid argument for --size: 0b\n');
  let out = '';
  let extents = Math.ceil(bytes / es);
  if (bytes % es !== 0) out += `  Rounding up size to full physical extent ${humanSize(extents * es)}.\n`;
  const max = cowMaxBytes(lvBytes(s, origin), es) / es;
  if (extents > max) {
    out += `  Reducing COW size ${humanSize(extents * es)} down to maximum usable size ${humanSize(max * es)}.\n`;
    extents = max;
  }
  let pvs = vgPvs(s, vg);
  if (p.pos.length > 1) {
    const chosen: SimPv[] = [];
    for (const name of p.pos.slice(1)) {
      const dev = deviceByName(s, name);
      const pv = dev?.label ? s.pvs[dev.label] : undefined;
      if (!pv || pv.vg !== vg) return fail(s, ECMD_FAILED, `  Physical Volume "${name}" not found in Volume Group "${vg}".\n`);
      if (!chosen.includes(pv)) chosen.push(pv);
    }
    pvs = chosen;
  }
  const segs = allocate(s, pvs, extents);
  if (!segs) {
    return p.pos.length > 1
      ? fail(s, ECMD_FAILED, `  Insufficient free space: ${extents} extents needed, but only ${freeOn(s, pvs)} available\n`)
      : fail(s, ECMD_FAILED, `  Volume group "${vg}" has insufficient free space (${freeOn(s, pvs)} extents): ${extents} required.\n`);
  }
  const uuid = lvmUuid(s.counters.uuid + 1);
  const time = s.counters.time + 1;
  const lv: SimLv = {
    uuid, name, vg, segs, tags: [...new Set(tags)], active: origin.active,
    minor: origin.active ? lowestFreeMinor(s) : null, origin: origin.name, invalid: false,
    // A fresh COW holds its header and first exception chunks (real lvm shows ~0.02 % for 60 MiB).
    cowPercent: Math.round(((3 * CHUNK) / (extents * es)) * 1e4) / 100,
    // A crash-consistent copy: the journal/log needs recovery if the origin was mounted.
    fs: { ...origin.fs, dirty: origin.fs.dirty || lvMounted(s, origin) },
    time: lvTime(time),
  };
  const next = edit(s, { counters: { uuid: s.counters.uuid + 1, time }, lvs: { [uuid]: lv } });
  return ok(next, `${out}  Logical volume "${name}" created.\n`);
}

/** A plain linear LV from the VG's free extents (backup --format lv's target): active, no filesystem. */
function linear(s: SimSystem, vg: string, name: string, bytes: number, tags: readonly string[]): ExecOutput {
  if (!s.vgs[vg]) return vgNotFound(s, vg);
  const refused = refusePartial(s, vg);
  if (refused) return refused;
  const bad = NAME_CHECK(s, vg, name);
  if (bad) return bad;
  if (bytes === 0) return fail(s, 3, '  Size may not be zero.\n  Invalid argument for --size: 0b\n');
  const es = s.vgs[vg]!.extentSize;
  const extents = Math.ceil(bytes / es);
  const out = bytes % es !== 0 ? `  Rounding up size to full physical extent ${humanSize(extents * es)}.\n` : '';
  const pvs = vgPvs(s, vg);
  const segs = allocate(s, pvs, extents);
  if (!segs) return fail(s, ECMD_FAILED, `  Volume group "${vg}" has insufficient free space (${freeOn(s, pvs)} extents): ${extents} required.\n`);
  const uuid = lvmUuid(s.counters.uuid + 1);
  const time = s.counters.time + 1;
  const lv: SimLv = {
    uuid, name, vg, segs, tags: [...new Set(tags)], active: true, minor: lowestFreeMinor(s), origin: null, cowPercent: 0, invalid: false,
    fs: { type: 'none', uuid: '', usedBytes: 0, dirty: false }, time: lvTime(time),
  };
  return ok(edit(s, { counters: { uuid: s.counters.uuid + 1, time }, lvs: { [uuid]: lv } }), `${out}  Logical volume "${name}" created.\n`);
}

const NAME_CHECK = (s: SimSystem, vg: string, name: string): ExecOutput | null => {
  if (!LV_NAME.test(name) || name.length > 127 || RESERVED.test(name)) {
    return fail(s, 3, `  Logical volume name "${name}" is invalid.\n  Run \`lvcreate --help' for more information.\n`);
  }
  if (findLv(s, vg, name)) return fail(s, ECMD_FAILED, `  Logical Volume "${name}" already exists in volume group "${vg}"\n`);
  return null;
};

/**
 * lvcreate --snapshot without a size: of a thin origin, a thin snapshot in its pool (lvm2 gives it the
 * activation-skip flag unless --setactivationskip n, and then does not activate it); of any other origin
 * lvm2 asks for a size. Refused, like lvm2's pool_below_threshold(), when the pool is full.
 */
function thinSnapshot(s: SimSystem, spec: string, name: string, tags: readonly string[], skipArg: string | undefined): ExecOutput {
  const [vg, originName] = spec.split('/') as [string, string];
  if (!s.vgs[vg]) return vgNotFound(s, vg);
  const refused = refusePartial(s, vg);
  if (refused) return refused;
  if (skipArg !== undefined && skipArg !== 'y' && skipArg !== 'n') return fail(s, 3, `  Invalid argument for --setactivationskip: ${skipArg}\n`);
  const origin = findLv(s, vg, originName);
  if (!origin) return fail(s, ECMD_FAILED, `  Failed to find logical volume "${vg}/${originName}"\n`);
  if (!origin.thin) return fail(s, 3, '  Please specify either size or extents with snapshots.\n  Run `lvcreate --help\' for more information.\n');
  const bad = NAME_CHECK(s, vg, name);
  if (bad) return bad;
  const pool = findLv(s, vg, origin.thin.pool)!;
  if (pool.thinPool!.dataPercent >= 100 || pool.thinPool!.metadataPercent >= 100)
    return fail(s, ECMD_FAILED, `  Cannot create new thin volume, free space in thin pool ${vg}/${pool.name} reached threshold.\n`);
  const skip = skipArg !== 'n';
  const active = !skip && pool.active;
  const uuid = lvmUuid(s.counters.uuid + 1);
  const time = s.counters.time + 1;
  const lv: SimLv = {
    uuid, name, vg, segs: [], tags: [...new Set(tags)], active, minor: active ? lowestFreeMinor(s) : null, origin: origin.name,
    invalid: false, cowPercent: 0, fs: { ...origin.fs, dirty: origin.fs.dirty || lvMounted(s, origin) }, time: lvTime(time),
    // Shares every block of its origin: nothing new is mapped; the pool's metadata grows a little.
    thin: { pool: pool.name, virtualBytes: origin.thin.virtualBytes, mappedPercent: origin.thin.mappedPercent, skip },
  };
  const grown = { ...pool.thinPool!, metadataPercent: Math.min(100, Math.round((pool.thinPool!.metadataPercent + 0.1) * 100) / 100) };
  const next = edit(s, { counters: { uuid: s.counters.uuid + 1, time }, lvs: { [uuid]: lv, [pool.uuid]: { ...pool, thinPool: grown } } });
  return ok(next, `  Logical volume "${name}" created.\n`);
}

/** lvcreate --type thin-pool --size B --name P VG, and lvcreate --virtualsize B --thinpool P --name T VG (test setups). */
function lvcreateThin(s: SimSystem, p: NonNullable<ReturnType<typeof parseArgs>>, args: readonly string[]): ExecOutput {
  const get = (a: string, b?: string): string | undefined => p.flags.get(a)?.[0] ?? (b ? p.flags.get(b)?.[0] : undefined);
  const name = get('--name', '-n');
  const vg = p.pos[0];
  if (name === undefined || vg === undefined || p.pos.length !== 1 || vg.includes('/')) return notModelled(s, ['lvcreate', ...args]);
  if (!s.vgs[vg]) return vgNotFound(s, vg);
  const bad = NAME_CHECK(s, vg, name);
  if (bad) return bad;
  const es = s.vgs[vg]!.extentSize;
  const uuid = lvmUuid(s.counters.uuid + 1);
  const time = s.counters.time + 1;
  const base = { uuid, name, vg, tags: [...new Set(p.flags.get('--addtag') ?? [])], origin: null, invalid: false, cowPercent: 0, time: lvTime(time) };
  if (get('--type') === 'thin-pool') {
    const m = /^(\d+)[bB]$/.exec(get('--size', '-L') ?? '');
    if (!m) return notModelled(s, ['lvcreate', ...args]);
    const dataExt = Math.ceil(Number(m[1]) / es);
    // Data, metadata and the spare metadata area (one extent each for metadata at these sizes).
    const segs = allocate(s, vgPvs(s, vg), dataExt + 2);
    if (!segs) return fail(s, ECMD_FAILED, `  Volume group "${vg}" has insufficient free space (${freeOn(s, vgPvs(s, vg))} extents): ${dataExt + 2} required.\n`);
    const lv: SimLv = { ...base, segs, active: true, minor: lowestFreeMinor(s), fs: { type: 'none', uuid: '', usedBytes: 0, dirty: false },
      thinPool: { dataBytes: dataExt * es, dataPercent: 0, metadataPercent: 10.55 } };
    return ok(edit(s, { counters: { uuid: s.counters.uuid + 1, time }, lvs: { [uuid]: lv } }), `  Logical volume "${name}" created.\n`);
  }
  const v = /^(\d+)[bB]$/.exec(get('--virtualsize', '-V') ?? '');
  const poolName = get('--thinpool');
  const pool = poolName === undefined ? undefined : findLv(s, vg, poolName);
  if (!v || poolName === undefined || p.flags.has('--type')) return notModelled(s, ['lvcreate', ...args]);
  if (!pool?.thinPool) return fail(s, ECMD_FAILED, `  Thin pool ${vg}/${poolName} not found.\n`);
  const bytes = Math.ceil(Number(v[1]) / es) * es;
  const lv: SimLv = { ...base, segs: [], active: pool.active, minor: pool.active ? lowestFreeMinor(s) : null,
    fs: { type: 'none', uuid: '', usedBytes: 0, dirty: false }, thin: { pool: pool.name, virtualBytes: bytes, mappedPercent: 0, skip: false } };
  return ok(edit(s, { counters: { uuid: s.counters.uuid + 1, time }, lvs: { [uuid]: lv } }), `  Logical volume "${name}" created.\n`);
}

export function lvremove(s: SimSystem, args: readonly string[]): ExecOutput {
  const p = parseArgs(args, ['--yes', '-y'], []);
  if (!p || p.pos.length !== 1 || !p.pos[0]!.includes('/')) return notModelled(s, ['lvremove', ...args]);
  const [vg, name] = p.pos[0]!.split('/') as [string, string];
  if (!s.vgs[vg]) return vgNotFound(s, vg);
  const warn = missingPvWarnings(s, [vg]); // lvremove works on VGs with missing PVs
  const lv = findLv(s, vg, name);
  if (!lv) return fail(s, ECMD_FAILED, `${warn}  Failed to find logical volume "${vg}/${name}"\n`);
  const yes = p.flags.has('--yes') || p.flags.has('-y');
  const snaps = snapshotsOf(s, lv);
  if (snaps.length > 0 && !yes) {
    return fail(s, ECMD_FAILED, `${warn}  Removing origin ${name} will also remove ${snaps.length} snapshots(s). Proceed? [y/n]: [n]\n` +
      `  Logical volume ${name} not removed.\n`);
  }
  // A pool takes its thin LVs along (lvm2 asks first; --yes answers).
  const thins = lv.thinPool ? thinLvsOf(s, lv) : [];
  if (thins.length > 0 && !yes) {
    return fail(s, ECMD_FAILED, `${warn}  Removing pool "${name}" will remove ${thins.length} dependent volume(s). Proceed? [y/n]: [n]\n  Logical volume "${name}" not removed.\n`);
  }
  const victims: SimLv[] = [...snaps, ...thins, lv];
  const open = victims.find((v) => v.active && lvMounted(s, v));
  if (open) return fail(s, ECMD_FAILED, `${warn}  Logical volume ${vg}/${open.name} contains a filesystem in use.\n`);
  if (!yes && lv.active) {
    return fail(s, ECMD_FAILED, `${warn}  Do you really want to remove active logical volume ${vg}/${name}? [y/n]: [n]\n` +
      `  Logical volume ${name} not removed.\n`);
  }
  const next = edit(s, { lvs: Object.fromEntries(victims.map((v) => [v.uuid, REMOVE])) });
  return ok(next, victims.map((v) => `  Logical volume "${v.name}" successfully removed.\n`).join(''), warn);
}

/**
 * lvextend --yes --size Nb VG/SNAPSHOT [PV...]: a thick snapshot's COW grows to N bytes (rounded up to
 * extents, capped at lvm2's maximum), the new extents from the named PVs (default: the VG's). Used
 * extents stay, so the usage percent falls in proportion. Other LVs are not modelled.
 */
export function lvextend(s: SimSystem, args: readonly string[]): ExecOutput {
  const p = parseArgs(args, ['--yes', '-y'], ['--size', '-L']);
  const size = p?.flags.get('--size')?.[0] ?? p?.flags.get('-L')?.[0];
  const m = /^(\d+)[bB]$/.exec(size ?? '');
  if (!p || !m || p.pos.length < 1 || !p.pos[0]!.includes('/')) return notModelled(s, ['lvextend', ...args]);
  const [vg, name] = p.pos[0]!.split('/') as [string, string];
  if (!s.vgs[vg]) return vgNotFound(s, vg);
  const refused = refusePartial(s, vg);
  if (refused) return refused;
  const lv = findLv(s, vg, name);
  if (!lv) return fail(s, ECMD_FAILED, `  Failed to find logical volume "${vg}/${name}"\n`);
  const origin = lv.origin !== null ? findLv(s, vg, lv.origin) : undefined;
  if (!origin) return notModelled(s, ['lvextend', ...args], 'only snapshots are extended in the simulator');
  if (lv.invalid) return fail(s, ECMD_FAILED, `  Snapshot ${vg}/${name} is invalid: it cannot be resized.\n`);
  const es = s.vgs[vg]!.extentSize;
  const cur = lvBytes(s, lv) / es;
  let want = Math.ceil(Number(m[1]) / es);
  let out = '';
  const max = cowMaxBytes(lvBytes(s, origin), es) / es;
  if (want > max) {
    out += `  Reducing COW size ${humanSize(want * es)} down to maximum usable size ${humanSize(max * es)}.\n`;
    want = max;
  }
  if (want === cur) return fail(s, ECMD_FAILED, `${out}  New size (${want} extents) matches existing size (${cur} extents).\n`);
  if (want < cur) return fail(s, ECMD_FAILED, `${out}  New size given (${want} extents) not larger than existing size (${cur} extents)\n`);
  let pvs = vgPvs(s, vg);
  if (p.pos.length > 1) {
    const chosen: SimPv[] = [];
    for (const dn of p.pos.slice(1)) {
      const dev = deviceByName(s, dn);
      const pv = dev?.label ? s.pvs[dev.label] : undefined;
      if (!pv || pv.vg !== vg) return fail(s, ECMD_FAILED, `  Physical Volume "${dn}" not found in Volume Group "${vg}".\n`);
      if (!chosen.includes(pv)) chosen.push(pv);
    }
    pvs = chosen;
  }
  const added = allocate(s, pvs, want - cur);
  if (!added) return fail(s, ECMD_FAILED, `${out}  Insufficient free space: ${want - cur} extents needed, but only ${freeOn(s, pvs)} available\n`);
  const cowPercent = Math.round(((lv.cowPercent * cur) / want) * 100) / 100;
  const next = edit(s, { lvs: { [lv.uuid]: { ...lv, segs: [...lv.segs, ...added], cowPercent } } });
  return ok(next, `${out}  Size of logical volume ${vg}/${name} changed from ${humanSize(cur * es)} (${cur} extents) to ${humanSize(want * es)} (${want} extents).\n` +
    `  Logical volume ${vg}/${name} successfully resized.\n`);
}

/** lvchange --activate y VG/LV: activates an LV (and its snapshots) unless it is partial. */
export function lvchange(s: SimSystem, args: readonly string[]): ExecOutput {
  const p = parseArgs(args, [], ['--activate']);
  if (!p || p.flags.get('--activate')?.[0] !== 'y' || p.pos.length !== 1 || !p.pos[0]!.includes('/')) return notModelled(s, ['lvchange', ...args]);
  const [vg, name] = p.pos[0]!.split('/') as [string, string];
  if (!s.vgs[vg]) return vgNotFound(s, vg);
  const lv = findLv(s, vg, name);
  if (!lv) return fail(s, ECMD_FAILED, `  Failed to find logical volume "${vg}/${name}"\n`);
  if (lvPartial(s, lv)) return fail(s, ECMD_FAILED, `${missingPvWarnings(s, [vg])}  Refusing activation of partial LV ${vg}/${name}.  Use '--activationmode partial' to override.\n`);
  if (lv.active) return ok(s);
  let next = s;
  for (const v of [lv, ...snapshotsOf(s, lv)]) {
    next = produce(next, (d) => { d.lvs[v.uuid]!.active = true; d.lvs[v.uuid]!.minor = lowestFreeMinor(next); });
  }
  return ok(next);
}
