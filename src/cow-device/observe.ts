// The cow-device folder owns --cow-device: a spare whole block device lending the COW space as a PV
// (instead of a tmp file and a loop device). This file observes the device the way the kernel shows it:
// lstat, /sys/class/block/NAME (size, dev, partitions, holders) and blkid's low-level probe. Read-only.
// A symlink (udev's stable /dev/disk/by-id/..., by-path/..., by-uuid/... names) is followed once, here,
// before anything else: every later look (sysfs, blkid, LVM's report, pvcreate) names the device it
// points to (/dev/sdb), the name the kernel and LVM use.
import { posix } from 'node:path';
import { blkidSignaturesArgv } from '../commands.js';
import { CommandFailed } from '../errors.js';
import { parseBlkidValues } from '../parse/index.js';
import { followLink, SECTOR, SYS_BLOCK } from '../block-device.js';
import type { HostPort } from '../port.js';
import type { ObservedBlockDevice } from '../types.js';


/** blkid exits 2 when it finds nothing and 8 when probing is ambivalent (several signatures). */
const BLKID_NOTHING = 2;
const BLKID_AMBIVALENT = 8;

export async function observeBlockDevice(host: HostPort, path: string): Promise<ObservedBlockDevice> {
  const { device, st } = await followLink(host, path);
  const name = posix.basename(device);
  const sys = `${SYS_BLOCK}/${name}`;
  const [size, dev, entries, holders] = await Promise.all([
    host.readFile(`${sys}/size`),
    host.readFile(`${sys}/dev`),
    host.listDir(sys),
    host.listDir(`${sys}/holders`),
  ]);
  // A partition's sysfs directory sits inside its disk's and is named after it (sdb1, nvme0n1p1).
  const partNames = entries.filter((e) => e !== name && e.startsWith(name));
  const parts = await Promise.all(partNames.map(async (p) => ({
    name: p,
    majMin: (await host.readFile(`${SYS_BLOCK}/${p}/dev`))?.trim() || null,
    holders: await host.listDir(`${SYS_BLOCK}/${p}/holders`),
  })));
  let signatures: string[] = [];
  if (st?.type === 'block') {
    const res = await host.run(blkidSignaturesArgv(device), { mutating: false });
    if (res.exitCode === 0) signatures = parseBlkidValues(res.stdout);
    else if (res.exitCode === BLKID_AMBIVALENT) signatures = ['ambivalent (several signatures)'];
    else if (res.exitCode !== BLKID_NOTHING) throw new CommandFailed(res.argv, res.exitCode, res.stderr);
  }
  const sectors = size === null ? NaN : Number(size.trim());
  return {
    path,
    device,
    type: st?.type ?? null,
    sizeBytes: Number.isSafeInteger(sectors) ? sectors * SECTOR : null,
    majMin: dev?.trim() || null,
    partitions: parts.map(({ name: n, majMin }) => ({ name: n, majMin })),
    holders: [...holders, ...parts.flatMap((p) => p.holders)],
    signatures,
  };
}
