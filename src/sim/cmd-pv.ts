// LVM commands on PVs: vgextend (initialising the PV), pvchange --addtag, vgreduce (one PV, or
// --removemissing with lvm2's real --force hazard: it deletes every partial LV, the origin included).
import { produce } from 'immer';
import { REMOVE, edit, setFields, type Edits } from './edit.js';
import { lvMounted } from './fsview.js';
import { fail, notModelled, ok, parseArgs, type ExecOutput } from './ops.js';
import { missingPvWarnings } from './report-lvm.js';
import {
  MiB, PE_START, devIndex, deviceByName, presentDevices, lvPartial, lvmUuid, missingPvs, usedExtents, vgLvs, vgPvs,
  type SimPv, type SimSystem,
} from './state.js';

export const ECMD_FAILED = 5;

export const vgNotFound = (s: SimSystem, vg: string): ExecOutput =>
  fail(s, ECMD_FAILED, `  Volume group "${vg}" not found\n  Cannot process volume group ${vg}\n`);

/** lvm refuses to write metadata of a VG with missing PVs (except in lvremove and vgreduce). */
export function refusePartial(s: SimSystem, vg: string): ExecOutput | null {
  if (missingPvs(s, vg).length === 0) return null;
  return fail(s, ECMD_FAILED, `${missingPvWarnings(s, [vg])}  Cannot change VG ${vg} while PVs are missing.\n` +
    `  See vgreduce --removemissing and vgextend --restoremissing.\n  Cannot process volume group ${vg}\n`);
}

type PvEdits = Record<string, SimPv | typeof REMOVE>;
/** Update "last written to" of every present PV of the VG, as each metadata write does (pvs: edits so far). */
function touchVg(s: SimSystem, vg: string, pvs: PvEdits): PvEdits {
  const byLabel = devIndex(s).byLabel;
  for (const pv of vgPvs(s, vg)) {
    const dev = byLabel.get(pv.uuid);
    const current = Object.hasOwn(pvs, pv.uuid) ? pvs[pv.uuid] : s.pvs[pv.uuid];
    if (dev && current && current !== REMOVE) pvs[pv.uuid] = setFields(current, { lastDevice: dev.name });
  }
  return pvs;
}

/** The label (PV uuid) written onto a present disk or onto the file behind a loop device. */
function labelEdits(s: SimSystem, device: string, uuid: string): Edits {
  const disk = s.disks[device];
  if (disk) return { disks: { [device]: setFields(disk, { label: uuid, fstype: null }) } };
  const ino = s.loops[device]!.ino!;
  return { inodes: { [ino]: setFields(s.inodes[ino]!, { label: uuid }) } };
}

export function vgextend(s: SimSystem, args: readonly string[]): ExecOutput {
  const p = parseArgs(args, ['--yes', '-y'], []);
  if (!p || p.pos.length !== 2) return notModelled(s, ['vgextend', ...args]);
  const [vg, device] = p.pos as [string, string];
  if (!s.vgs[vg]) return vgNotFound(s, vg);
  const refused = refusePartial(s, vg);
  if (refused) return refused;
  const dev = deviceByName(s, device);
  if (!dev) return fail(s, ECMD_FAILED, `  Cannot use ${device}: device not found\n`);
  if (dev.label !== null && s.pvs[dev.label]) {
    const other = s.pvs[dev.label]!.vg;
    return fail(s, ECMD_FAILED, `  Physical volume '${dev.name}' is already in volume group '${other}'\n` +
      `  Unable to add physical volume '${dev.name}' to volume group '${other}'\n  ${dev.name}: physical volume not initialized.\n`);
  }
  const es = s.vgs[vg]!.extentSize;
  const peCount = Math.floor((dev.size - PE_START) / es);
  if (dev.size < 2 * MiB || peCount < 1) return fail(s, ECMD_FAILED, `  Cannot use ${dev.name}: device is too small (pv_min_size)\n`);
  if (s.mounts.some((m) => s.filesystems[m.fs]?.source === dev.name)) {
    return fail(s, ECMD_FAILED, `  Can't open ${dev.name} exclusively.  Mounted filesystem?\n`);
  }
  const wasOrphan = dev.label !== null;
  const label = dev.label ?? null; // none: a new PV uuid from the counter
  const uuid = label ?? lvmUuid(s.counters.uuid + 1);
  const pvs = touchVg(s, vg, { [uuid]: { uuid, vg, peCount, tags: [], lastDevice: dev.name } });
  const counters = label === null ? { counters: { uuid: s.counters.uuid + 1 } } : {};
  const next = edit(s, { ...counters, pvs, ...labelEdits(s, dev.name, uuid) });
  const created = wasOrphan ? '' : `  Physical volume "${dev.name}" successfully created.\n`;
  return ok(next, `${created}  Volume group "${vg}" successfully extended\n`);
}

/** pvcreate --yes --uuid U --norestorefile DEV: writes an orphan PV label with a chosen UUID. */
export function pvcreate(s: SimSystem, args: readonly string[]): ExecOutput {
  const p = parseArgs(args, ['--yes', '-y', '--norestorefile'], ['--uuid']);
  const uuid = p?.flags.get('--uuid')?.[0];
  if (!p || !uuid || !p.flags.has('--norestorefile') || p.pos.length !== 1) return notModelled(s, ['pvcreate', ...args]);
  const dev = deviceByName(s, p.pos[0]!);
  if (!dev) return fail(s, ECMD_FAILED, `  Cannot use ${p.pos[0]}: device not found\n`);
  if (dev.label !== null && s.pvs[dev.label]) {
    return fail(s, ECMD_FAILED, `  Can't initialize physical volume "${dev.name}" of volume group "${s.pvs[dev.label]!.vg}" without -ff\n  ${dev.name}: physical volume not initialized.\n`);
  }
  const clash = presentDevices(s).find((d) => d.label === uuid && d.name !== dev.name) ?? (s.pvs[uuid] ? { name: '[unknown]' } : undefined);
  if (clash) return fail(s, ECMD_FAILED, `  uuid ${uuid} already in use on "${clash.name}".\n`);
  if (dev.size < 2 * MiB) return fail(s, ECMD_FAILED, `  Cannot use ${dev.name}: device is too small (pv_min_size)\n`);
  if (s.mounts.some((m) => s.filesystems[m.fs]?.source === dev.name)) {
    return fail(s, ECMD_FAILED, `  Can't open ${dev.name} exclusively.  Mounted filesystem?\n`);
  }
  return ok(edit(s, labelEdits(s, dev.name, uuid)), `  Physical volume "${dev.name}" successfully created.\n`);
}

export function pvchange(s: SimSystem, args: readonly string[]): ExecOutput {
  const p = parseArgs(args, [], ['--addtag']);
  const tags = p?.flags.get('--addtag') ?? [];
  if (!p || tags.length === 0 || p.pos.length !== 1) return notModelled(s, ['pvchange', ...args]);
  const device = p.pos[0]!;
  const dev = deviceByName(s, device);
  const notFound = `  Failed to find physical volume "${device}".\n  0 physical volumes changed / 1 physical volume not changed\n`;
  if (!dev || dev.label === null) return fail(s, ECMD_FAILED, notFound);
  const pv = s.pvs[dev.label];
  if (!pv) return notModelled(s, ['pvchange', ...args], 'tags on orphan PVs are not modelled');
  if (tags.some((t) => !/^[A-Za-z0-9_+.\-/=!:&#]+$/.test(t))) return fail(s, 3, `  Invalid tag ${tags.join(',')}\n`);
  const refused = refusePartial(s, pv.vg);
  if (refused) return refused;
  const cur = s.pvs[pv.uuid]!;
  const t = [...cur.tags];
  for (const tag of tags) if (!t.includes(tag)) t.push(tag);
  const next = edit(s, { pvs: touchVg(s, pv.vg, { [pv.uuid]: t.length === cur.tags.length ? cur : { ...cur, tags: t } }) });
  return ok(next, `  Physical volume "${dev.name}" changed\n  1 physical volume changed / 0 physical volumes not changed\n`);
}

/** pvresize --yes DEV: a PV in a VG grows to its device's size (the device grew: losetup --set-capacity). */
export function pvresize(s: SimSystem, args: readonly string[]): ExecOutput {
  const p = parseArgs(args, ['--yes', '-y'], []);
  if (!p || p.pos.length !== 1) return notModelled(s, ['pvresize', ...args]);
  const device = p.pos[0]!;
  const dev = deviceByName(s, device);
  if (!dev || dev.label === null) return fail(s, ECMD_FAILED, `  Failed to find physical volume "${device}".\n  0 physical volume(s) resized or updated / 0 physical volume(s) not resized\n`);
  const pv = s.pvs[dev.label];
  if (!pv) return notModelled(s, ['pvresize', ...args], 'resizing orphan PVs is not modelled');
  const refused = refusePartial(s, pv.vg);
  if (refused) return refused;
  const peCount = Math.floor((dev.size - PE_START) / s.vgs[pv.vg]!.extentSize);
  if (peCount < usedExtents(s, pv.uuid)) return notModelled(s, ['pvresize', ...args], 'shrinking a PV below its used extents is not modelled');
  const next = edit(s, { pvs: touchVg(s, pv.vg, { [pv.uuid]: peCount === pv.peCount ? s.pvs[pv.uuid]! : setFields(s.pvs[pv.uuid]!, { peCount }) }) });
  return ok(next, `  Physical volume "${dev.name}" changed\n  1 physical volume(s) resized or updated / 0 physical volume(s) not resized\n`);
}

export function vgreduce(s: SimSystem, args: readonly string[]): ExecOutput {
  const p = parseArgs(args, ['--yes', '-y', '--removemissing', '--force', '-f'], []);
  if (!p) return notModelled(s, ['vgreduce', ...args]);
  const force = p.flags.has('--force') || p.flags.has('-f');
  if (p.flags.has('--removemissing') && p.pos.length === 1) return removeMissing(s, p.pos[0]!, force);
  if (p.flags.has('--removemissing') || force || p.pos.length !== 2) return notModelled(s, ['vgreduce', ...args]);
  const [vg, device] = p.pos as [string, string];
  if (!s.vgs[vg]) return vgNotFound(s, vg);
  const dev = deviceByName(s, device);
  const pv = dev?.label ? s.pvs[dev.label] : undefined;
  if (!dev) return fail(s, ECMD_FAILED, `${missingPvWarnings(s, [vg])}  Failed to find physical volume "${device}".\n`);
  if (!pv || pv.vg !== vg) return fail(s, ECMD_FAILED, `  Physical Volume "${dev.name}" not found in Volume Group "${vg}".\n`);
  const refused = refusePartial(s, vg);
  if (refused) return refused;
  if (usedExtents(s, pv.uuid) > 0) return fail(s, ECMD_FAILED, `  Physical volume "${dev.name}" still in use.\n`);
  if (vgPvs(s, vg).length === 1) {
    return fail(s, ECMD_FAILED, `  Can't remove final physical volume "${dev.name}" from volume group "${vg}"\n`);
  }
  // The label stays on the device: it is an orphan PV now.
  const next = edit(s, { pvs: touchVg(s, vg, { [pv.uuid]: REMOVE }) });
  return ok(next, `  Removed "${dev.name}" from volume group "${vg}"\n`);
}

function removeMissing(s: SimSystem, vg: string, force: boolean): ExecOutput {
  if (!s.vgs[vg]) return vgNotFound(s, vg);
  const missing = missingPvs(s, vg);
  if (missing.length === 0) return ok(s, `  Volume group "${vg}" is already consistent.\n`);
  const warn = missingPvWarnings(s, [vg]);
  const partial = vgLvs(s, vg).filter((lv) => lvPartial(s, lv));
  if (partial.length > 0 && !force) {
    const empty = missing.filter((pv) => usedExtents(s, pv.uuid) === 0);
    const next = produce(s, (d) => { for (const pv of empty) delete d.pvs[pv.uuid]; });
    return fail(next, ECMD_FAILED, `${warn}${partial.map((lv) => `  WARNING: Partial LV ${lv.name} needs to be repaired or removed. \n`).join('')}` +
      `  There are still partial LVs in VG ${vg}.\n  To remove them unconditionally use: vgreduce --removemissing --force.\n` +
      '  To remove them unconditionally from mirror LVs use: vgreduce --removemissing --mirrorsonly --force.\n' +
      '  WARNING: Proceeding to remove empty missing PVs.\n', empty.length ? `  Wrote out consistent volume group ${vg}.\n` : '');
  }
  const open = partial.find((lv) => lv.active && lvMounted(s, lv));
  if (open) return fail(s, ECMD_FAILED, `${warn}  Logical volume ${vg}/${open.name} in use.\n`);
  // lvm2 removes every partial LV here: a snapshot whose COW was on the missing PV takes its origin along.
  const next = produce(s, (d) => {
    for (const lv of partial) delete d.lvs[lv.uuid];
    for (const pv of missing) delete d.pvs[pv.uuid];
  });
  return ok(next, `  Wrote out consistent volume group ${vg}.\n`, warn);
}

/** pvremove --yes DEV: wipes the label of an orphan PV (one in a VG's metadata is refused, as lvm2 does). */
export function pvremove(s: SimSystem, args: readonly string[]): ExecOutput {
  const p = parseArgs(args, ['--yes', '-y'], []);
  if (!p || p.pos.length !== 1) return notModelled(s, ['pvremove', ...args]);
  const dev = deviceByName(s, p.pos[0]!);
  if (!dev) return fail(s, ECMD_FAILED, `  Cannot use ${p.pos[0]}: device not found\n`);
  if (dev.label === null) return fail(s, ECMD_FAILED, `  No PV found on device ${dev.name}.\n`);
  const pv = s.pvs[dev.label];
  if (pv) return fail(s, ECMD_FAILED, `  PV ${dev.name} is used by VG ${pv.vg} so please use vgreduce first.\n  (If you are certain you need pvremove, then confirm by using --force twice.)\n  ${dev.name}: physical volume label not removed.\n`);
  const disk = s.disks[dev.name];
  if (!disk) return notModelled(s, ['pvremove', ...args], 'pvremove of a loop device is not modelled');
  return ok(edit(s, { disks: { [dev.name]: setFields(disk, { label: null }) } }), `  Labels on physical volume "${dev.name}" successfully wiped.\n`);
}
