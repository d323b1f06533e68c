// Where `backups restore` writes an image (an img.zst or fsa archive, or a backup LV): an unmounted block
// device, written in place, or a file, created (an existing one only with --force, replaced whole). The
// refusals shared by both restores, before anything is written; how much room there is: restore-room.ts.
// A symlink under /dev other than LVM's /dev/VG/LV (udev's stable /dev/disk/by-id/... names) is followed
// here, once: the device it points to is the one whose mounts and size are checked (the image is written
// through the link).
import { posix } from 'node:path';
import { resolveLink } from '../block-device.js';
import { findmntArgv, rmFileArgv, statArgv } from '../commands.js';
import { BackupRefused } from '../errors.js';
import { parseFindmnt, parseStat } from '../parse/index.js';
import type { HostPort } from '../port.js';
import { must } from './files.js';
import { dmName } from './restore-room.js';

export interface ImageDest {
  readonly to: string;
  readonly kind: 'device' | 'file';
  /** The device `to` names, its symlinks followed (/dev/disk/by-id/NAME -> /dev/sdb); `to` itself when it
   *  is no symlink, for LVM's /dev/VG/LV (restore-room.ts finds its dm device by name), and for a file. */
  readonly device: string;
  /** The size of the existing file --force replaces (removed before the image is written), or null: none. */
  readonly replaces: number | null;
  /** The removal of that file, or null. */
  readonly remove: readonly string[] | null;
}

/**
 * what: the thing restored ("a backup LV", "an img.zst archive"), for messages. deviceOnly: the reason
 * when only a block device will do (fsarchiver). Refuses a directory, a mounted device, an existing file
 * without force.
 */
export async function imageDest(host: HostPort, to: string, force: boolean, what: string, deviceOnly?: string): Promise<ImageDest> {
  const st = parseStat((await must(host, statArgv([to]), false, [0, 1])).stdout)[0];
  if (st?.type === 'directory') throw new BackupRefused(`--to ${to}: ${what} is written onto a block device or into a file, not a directory`);
  // /dev/VG/LV is a symlink to the device node (stat does not follow it): such a link under /dev is a device.
  if (st && (st.type === 'block' || (st.type === 'other' && to.startsWith('/dev/')))) {
    const lvm = /^\/dev\/([^/]+)\/([^/]+)$/.exec(to);
    // /dev/VG/LV is LVM's own name (restore-room.ts finds its dm device by name); any other link is followed.
    const link = st.type === 'other' && !lvm ? await resolveLink(host, to) : null;
    const device = link?.device ?? to;
    if (link !== null) {
      const target = link.st;
      if (target === null) throw new BackupRefused(`--to ${to} is a symlink to ${device}, which does not exist (a dangling link: the disk is gone or the link is stale): nothing restored; check the names with "ls -l ${posix.dirname(to)}" and "lsblk", and pass the disk's current /dev/disk/by-id/ name or /dev/sdX`);
      if (target.type !== 'block') throw new BackupRefused(`--to ${to} is a symlink to ${device}, which is not a block device: nothing restored; pass a block device (by a /dev/disk/by-id/ name that points to one, or as /dev/sdX), or a file path that is no symlink`);
    }
    const shown = device === to ? to : `${to} (${device})`;
    const mounts = parseFindmnt((await must(host, findmntArgv(), false)).stdout);
    const aliases = [to, device, ...(lvm ? [`/dev/mapper/${dmName(lvm[1]!, lvm[2]!)}`] : [])];
    const m = mounts.find((x) => aliases.includes(x.source));
    if (m) throw new BackupRefused(`--to ${shown} is mounted at ${m.target}: writing an image under a mounted filesystem destroys it; unmount it first`);
    return { to, kind: 'device', device, replaces: null, remove: null };
  }
  if (deviceOnly !== undefined) throw new BackupRefused(`--to ${to}: ${deviceOnly}`);
  // A missing device (an inactive LV's /dev/VG/LV) must not become a new file in /dev; /dev/shm holds files.
  if (!st && to.startsWith('/dev/') && !to.startsWith('/dev/shm/')) {
    throw new BackupRefused(`--to ${to}: no such device (an LV must be active: lvchange --activate y VG/LV): nothing restored`);
  }
  if (st && !force) throw new BackupRefused(`--to ${to} exists: pass --force to overwrite it`);
  // --force: replaced whole (removed first), never a longer old tail behind a shorter image.
  return { to, kind: 'file', device: to, replaces: st ? st.size : null, remove: st ? rmFileArgv(to) : null };
}
