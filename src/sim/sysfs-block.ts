// /sys/class/block/NAME for the simulated block devices (HostPort.readFile / listDir, as src/cow-device/observe.ts
// and src/backup/restore-room.ts read them): disks with size (512-byte sectors), dev (MAJ:MIN), partitions as
// subdirectories named after the disk, and holders/ (dm-N of every active LV with extents on the PV labelled
// on the device); and dm-N of every active LV (size, dev, dm/name: the device-mapper name). The directory
// itself lists them all. Pure.
import { DM_MAJOR, dmName, lvDevSize, lvIndex, type SimDisk, type SimLv, type SimSystem } from './state.js';

export const SYS_BLOCK = '/sys/class/block/';
const SECTOR = 512;

const diskOf = (s: SimSystem, name: string): SimDisk | undefined => s.disks[`/dev/${name}`];
/** The active LV whose device-mapper device is dm-N. */
const dmOf = (s: SimSystem, name: string): SimLv | undefined => {
  const m = /^dm-(\d+)$/.exec(name);
  return m ? Object.values(s.lvs).find((l) => l.active && l.minor === Number(m[1])) : undefined;
};

function holders(s: SimSystem, d: SimDisk): string[] {
  if (d.label === null || !s.pvs[d.label]) return [];
  const onPv = lvIndex(s).onPv.get(d.label) ?? [];
  const minors = new Set(onPv.map((g) => s.lvs[g.lv]).filter((lv) => lv?.active && lv.minor !== null).map((lv) => lv!.minor!));
  return [...minors].sort((a, b) => a - b).map((m) => `dm-${m}`);
}

/** Contents of a sysfs block file, or null when there is none (as ENOENT). */
export function sysfsBlockFile(s: SimSystem, path: string): string | null {
  const [name, file, ...rest] = path.slice(SYS_BLOCK.length).split('/');
  const lv = name ? dmOf(s, name) : undefined;
  if (lv) {
    if (file === 'dm' && rest.length === 1 && rest[0] === 'name') return `${dmName(lv.vg, lv.name)}\n`;
    if (rest.length > 0) return null;
    if (file === 'size') return `${Math.floor(lvDevSize(s, lv) / SECTOR)}\n`;
    if (file === 'dev') return `${DM_MAJOR}:${lv.minor}\n`;
    return null;
  }
  const d = name ? diskOf(s, name) : undefined;
  if (!d || rest.length > 0) return null;
  if (file === 'size') return `${Math.floor(d.size / SECTOR)}\n`;
  if (file === 'dev') return `${d.major}:${d.minor}\n`;
  return null;
}

/** Entries of a sysfs block directory ([] when there is none). */
export function sysfsBlockDir(s: SimSystem, path: string): string[] {
  const [name, sub, ...rest] = path.slice(SYS_BLOCK.length).replace(/\/$/, '').split('/');
  if (!name && sub === undefined) {
    const disks = Object.keys(s.disks).map((p) => p.replace(/^\/dev\//, ''));
    const dms = Object.values(s.lvs).filter((l) => l.active && l.minor !== null).map((l) => `dm-${l.minor}`);
    return [...new Set([...disks, ...dms])].sort();
  }
  const lv = name ? dmOf(s, name) : undefined;
  if (lv) return rest.length > 0 ? [] : sub === undefined ? ['dev', 'dm', 'holders', 'size'] : sub === 'dm' ? ['name'] : [];
  const d = name ? diskOf(s, name) : undefined;
  if (!d || rest.length > 0) return [];
  if (sub === 'holders') return holders(s, d);
  if (sub !== undefined) return [];
  const parts = Object.values(s.disks).filter((p) => p.parent === d.name).map((p) => p.name.replace(/^\/dev\//, ''));
  return ['dev', 'holders', 'size', ...parts].sort();
}
