// Block devices as the kernel shows them, shared by --cow-device's observation (src/cow-device/) and the
// checks of `backups restore` (src/backup/): sysfs's directory and size unit, and how a /dev link (udev's
// stable /dev/disk/by-id/... names) is followed to the device it names. Read-only.
import type { FileStat, HostPort } from './port.js';

export const SYS_BLOCK = '/sys/class/block';
/** sysfs gives sizes in 512-byte sectors, whatever the device's own sector size. */
export const SECTOR = 512;

/** Where the symlink at path leads (readlink -f: the missing path a dangling link ends at), with lstat's
 *  answer for it; null when it leads nowhere else (realpath gives the path itself or nothing). */
export async function resolveLink(host: HostPort, path: string): Promise<{ device: string; st: FileStat | null } | null> {
  const device = (await host.realpath(path)) ?? path;
  return device === path ? null : { device, st: await host.lstat(device) };
}

/** The device a path names: the path itself, or for a symlink the path it resolves to (missing for a
 *  dangling link), with lstat's answer for that path. */
export async function followLink(host: HostPort, path: string): Promise<{ device: string; st: FileStat | null }> {
  const st = await host.lstat(path);
  if (st?.type !== 'other') return { device: path, st };
  return (await resolveLink(host, path)) ?? { device: path, st };
}
