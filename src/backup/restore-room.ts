// Room for an image restore (`backups restore` of an img.zst archive or a backup LV), checked before the
// first byte is written: a block device must be at least as large as the image (its size read from the
// kernel, /sys/class/block/NAME/size), a file's filesystem must have the free bytes the image needs beyond
// the file it replaces (statfs). Too little room refuses with nothing changed. Read-only: no process runs.
import { posix } from 'node:path';
import { SECTOR, SYS_BLOCK } from '../block-device.js';
import { BackupRefused } from '../errors.js';
import type { HostPort } from '../port.js';

/** The outcome of the room check, as restore --check and --json show it. */
export interface RoomCheck {
  /** The device whose size was read, when --to is a symlink to it (/dev/disk/by-id/NAME -> /dev/sdb). */
  readonly device?: string;
  /** The image's size in bytes; null when nothing tells it (an archive without a readable manifest). */
  readonly imageBytes: number | null;
  /** Where imageBytes came from: the archive's manifest, or the backup LV's size. */
  readonly imageBytesFrom: 'manifest' | 'lv' | null;
  readonly target: 'device' | 'file';
  /** device: its size; file: free bytes of its filesystem plus the bytes of the file it replaces. Null: not read (image size unknown). */
  readonly roomBytes: number | null;
  /** fits: there is room; unchecked: the image's size is unknown, the restore goes ahead as without the check. */
  readonly result: 'fits' | 'unchecked';
  /** A device larger than the image: the bytes after the image's end, left as they were (0 otherwise). */
  readonly tailBytes: number;
  /** One sentence for people. */
  readonly note: string;
}

/** How big the image is, or why that is not known. */
export type ImageSize = { readonly bytes: number; readonly from: 'manifest' | 'lv' } | { readonly bytes: null; readonly why: string };

export const sizeText = (n: number): string => `${(n / 1024 ** 2).toFixed(1)} MiB (${n} bytes)`;

/** The device-mapper name lvm gives VG/LV (each '-' doubled). */
export const dmName = (vg: string, lv: string): string => `${vg.replace(/-/g, '--')}-${lv.replace(/-/g, '--')}`;

/**
 * The kernel's name of the block device at path (sdb, dm-3, loop0), or null. /dev/VG/LV and
 * /dev/mapper/NAME are found by their device-mapper name (/sys/class/block/dm-N/dm/name): they are
 * symlinks, or device nodes not named as the kernel names them; any other block device node by its name.
 */
export async function kernelName(host: HostPort, path: string): Promise<string | null> {
  const mapper = /^\/dev\/mapper\/([^/]+)$/.exec(path);
  const lv = mapper ? null : /^\/dev\/([^/]+)\/([^/]+)$/.exec(path);
  const dm = mapper ? mapper[1]! : lv ? dmName(lv[1]!, lv[2]!) : null;
  if (dm !== null) {
    for (const e of (await host.listDir(SYS_BLOCK)).filter((n) => /^dm-\d+$/.test(n))) {
      if ((await host.readFile(`${SYS_BLOCK}/${e}/dm/name`))?.trim() === dm) return e;
    }
  }
  const st = await host.lstat(path);
  return st?.type === 'block' ? posix.basename(path) : null;
}

/** Size in bytes of the block device at path, from sysfs; null when the kernel shows no such device. */
export async function blockDeviceBytes(host: HostPort, path: string): Promise<number | null> {
  const name = await kernelName(host, path);
  if (name === null) return null;
  const text = (await host.readFile(`${SYS_BLOCK}/${name}/size`))?.trim() ?? '';
  return /^\d+$/.test(text) ? Number(text) * SECTOR : null;
}

/**
 * Refuses (BackupRefused, exit 3) when the image cannot fit at `to`: a device smaller than the image, a
 * device whose size cannot be read, a file whose filesystem lacks the room (or whose directory is
 * missing). `replacedBytes`: the size of the existing file --force replaces (its space comes free).
 * `device`: the device `to` names, its symlinks followed (image-dest.ts): its size is the one read.
 */
export async function checkRoom(host: HostPort, to: string, target: 'device' | 'file', image: ImageSize, replacedBytes: number, device = to): Promise<RoomCheck> {
  const link = target === 'device' && device !== to;
  const shown = link ? `${to} (${device})` : to;
  if (image.bytes === null) {
    return {
      ...(link ? { device } : {}), imageBytes: null, imageBytesFrom: null, target, roomBytes: null, result: 'unchecked', tailBytes: 0,
      note: `the image's size is not known (${image.why}): the room at ${shown} was not checked, so a ${target === 'device' ? 'device' : 'filesystem'} too small for it fails part-way`,
    };
  }
  const need = image.bytes;
  const base = { ...(link ? { device } : {}), imageBytes: need, imageBytesFrom: image.from, target, result: 'fits' as const };
  if (target === 'device') {
    const size = await blockDeviceBytes(host, device);
    if (size === null) {
      throw new BackupRefused(`--to ${shown}: cannot tell its size (the kernel shows no block device of that name in ${SYS_BLOCK}); name the device as /dev/NAME, /dev/VG/LV, /dev/mapper/NAME or a /dev/disk/by-* link to one: nothing restored`);
    }
    if (size < need) {
      throw new BackupRefused(`--to ${shown} has ${sizeText(size)}, smaller than the image's ${sizeText(need)}: nothing restored; restore onto a device of at least the image's size`);
    }
    const tail = size - need;
    return {
      ...base, roomBytes: size, tailBytes: tail,
      note: tail === 0 ? `the device has exactly the image's ${sizeText(need)}` : `the device has ${sizeText(size)}, the image ${sizeText(need)}: the last ${sizeText(tail)} are left as they were`,
    };
  }
  const dir = posix.dirname(to);
  const avail = await host.statfsAvail(dir);
  if (avail === null) throw new BackupRefused(`--to ${to}: the directory ${dir} does not exist: nothing restored`);
  const room = avail + replacedBytes;
  const freed = replacedBytes > 0 ? ` plus the ${sizeText(replacedBytes)} of the file it replaces` : '';
  if (room < need) {
    throw new BackupRefused(`--to ${to}: its filesystem has ${sizeText(avail)} free${freed}, the image needs ${sizeText(need)}: nothing restored; free some space or restore elsewhere`);
  }
  return { ...base, roomBytes: room, tailBytes: 0, note: `its filesystem has room: ${sizeText(avail)} free${freed}, the image needs ${sizeText(need)}` };
}
