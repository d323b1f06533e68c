// backups restore checks the room at --to before writing (src/backup/restore-room.ts): a device smaller than
// the image, or a file on a filesystem without room, is refused with exit 3 and nothing written; an equal or
// larger device is accepted (a larger one keeps its tail). img.zst archives (size from the manifest) and
// backup LVs (size from the report), through main() on the simulated host.
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/main.js';
import { blockDeviceBytes, kernelName } from '../../src/backup/restore-room.js';
import { addDevLink, addDisk, addFile, addFilesystem, addLv, addVg } from '../../src/sim/build.js';
import { REMOVE, edit } from '../../src/sim/edit.js';
import { SimHost } from '../../src/sim/host.js';
import type { SimSystem } from '../../src/sim/state.js';
import { cli, system } from './helpers.js';

const MiB = 1024 ** 2;
const T = ['--vg', 'vg0', '--lv', 'root', '--size', '32M'];
const IMAGE = 100 * MiB; // the origin vg0/root
/** vgb on /dev/vdb with three restore targets around the image's size; /dev/vdc a bare 64 MiB disk; /srv/small a 30 MiB tmpfs. */
function sys(): SimSystem {
  let s = addVg(addDisk(system(), '/dev/vdb', 254, 16, 480 * MiB), 'vgb', ['/dev/vdb']);
  s = addLv(s, 'vgb', 'small-one', 52 * MiB, { fsUuid: 'small-fs' });
  s = addLv(s, 'vgb', 'equal', IMAGE, { fsUuid: 'equal-fs' });
  s = addLv(s, 'vgb', 'large', 120 * MiB, { fsUuid: 'large-fs' });
  s = addDisk(s, '/dev/vdc', 254, 32, 64 * MiB);
  return addFilesystem(s, { id: 'small', source: 'tmpfs', fstype: 'tmpfs', majMin: '0:40', sizeBytes: 30 * MiB, baseUsed: 0, volatile: true, fallocate: true, rootIno: 1 }, '/srv/small');
}
const lvFs = (s: SimSystem, name: string) => Object.values(s.lvs).find((l) => l.vg === 'vgb' && l.name === name)!.fs;
const originFs = (s: SimSystem) => Object.values(s.lvs).find((l) => l.vg === 'vg0' && l.name === 'root')!.fs;

async function withImage() {
  const host = new SimHost(sys());
  const b = await cli(['backup', ...T, '--dest', '/srv/backups', '--format', 'img.zst', '--json'], host);
  expect(b.code, b.err).toBe(EXIT.ok);
  return { host, img: b.json().archive as string };
}

describe('backups restore: room at --to, checked before the first write', () => {
  it('the kernel names /dev/VG/LV and /dev/mapper/NAME by their dm name (dashes doubled), a disk node by its own name', async () => {
    const host = new SimHost(sys());
    const minor = Object.values(host.system.lvs).find((l) => l.name === 'small-one')!.minor;
    expect(await kernelName(host, '/dev/vgb/small-one')).toBe(`dm-${minor}`);
    expect(await kernelName(host, '/dev/mapper/vgb-small--one')).toBe(`dm-${minor}`);
    expect(await blockDeviceBytes(host, '/dev/vgb/small-one')).toBe(52 * MiB);
    expect(await blockDeviceBytes(host, '/dev/vdc')).toBe(64 * MiB);
    expect(await blockDeviceBytes(host, '/dev/vgb/nothing')).toBeNull();
    expect(await blockDeviceBytes(host, '/srv')).toBeNull();
    expect(host.calls.filter((c) => c.op === 'run' || c.op === 'pipe')).toEqual([]); // kernel reads only, no process
  });

  it('img.zst onto a smaller device: exit 3 naming both sizes, nothing written (also --check and --json)', async () => {
    const { host, img } = await withImage();
    const before = host.system;
    for (const to of ['/dev/vgb/small-one', '/dev/mapper/vgb-small--one', '/dev/vdc']) {
      const r = await cli(['backups', 'restore', img, '--to', to], host);
      expect(r.code, to).toBe(EXIT.refused);
      expect(r.err, to).toMatch(new RegExp(`--to ${to} has .*\\((${52 * MiB}|${64 * MiB}) bytes\\), smaller than the image's 100\\.0 MiB \\(${IMAGE} bytes\\): nothing restored`));
    }
    const j = await cli(['backups', 'restore', img, '--to', '/dev/vgb/small-one', '--json'], host);
    expect(j.code).toBe(EXIT.refused);
    expect(j.json()).toMatchObject({ ok: false, changed: false, exitCode: EXIT.refused, errorType: 'BackupRefused', error: expect.stringMatching(/smaller than the image/) });
    expect((await cli(['backups', 'restore', img, '--to', '/dev/vgb/small-one', '--check', '--json'], host)).code).toBe(EXIT.refused);
    // a missing device (an inactive LV) never becomes a new file in /dev
    expect((await cli(['backups', 'restore', img, '--to', '/dev/vgb/nothing'], host)).err).toMatch(/--to \/dev\/vgb\/nothing: no such device .*nothing restored/);
    expect(host.system).toBe(before);
    expect(lvFs(host.system, 'small-one').uuid).toBe('small-fs');
    expect(host.calls.filter((c) => c.op === 'pipe' && c.mutating)).toHaveLength(1); // the backup's own archive pipeline only
  });

  it('img.zst onto an equal and a larger device: restored; the larger one keeps its tail and says so', async () => {
    const { host, img } = await withImage();
    const eq = await cli(['backups', 'restore', img, '--to', '/dev/vgb/equal', '--json'], host);
    expect(eq.code, eq.err).toBe(EXIT.ok);
    expect(eq.json()).toMatchObject({ ok: true, check: false, changed: true, room: { imageBytes: IMAGE, imageBytesFrom: 'manifest', target: 'device', roomBytes: IMAGE, result: 'fits', tailBytes: 0 }, warnings: [] });
    expect(lvFs(host.system, 'equal').uuid).toBe(originFs(host.system).uuid);
    const large = await cli(['backups', 'restore', img, '--to', '/dev/vgb/large'], host);
    expect(large.code, large.err).toBe(EXIT.ok);
    expect(large.out).toMatch(/restored .* to \/dev\/vgb\/large in .*; the device has 120\.0 MiB .*: the last 20\.0 MiB \(20971520 bytes\) are left as they were/);
    expect(lvFs(host.system, 'large').uuid).toBe(originFs(host.system).uuid);
  });

  it('--check runs every check, shows the room and the commands, and writes nothing', async () => {
    const { host, img } = await withImage();
    const before = host.system;
    const j = await cli(['backups', 'restore', img, '--to', '/dev/vgb/large', '--check', '--json'], host);
    expect(j.code, j.err).toBe(EXIT.ok);
    expect(j.json()).toMatchObject({ ok: true, check: true, changed: false, checksum: 'ok', room: { result: 'fits', tailBytes: 20 * MiB } });
    expect(j.json().commands).toEqual([`zstd -q -d -c < ${img} > /dev/vgb/large`, 'sync --data -- /dev/vgb/large']);
    const t = await cli(['backups', 'restore', img, '--to', '/dev/vgb/large', '--check'], host);
    expect(t.out).toMatch(/would restore .* \(nothing changed\)\n  checksum: sha256 [0-9a-f]{64} matches its \.sha256\n  room: the device has .* left as they were\n  commands:\n    zstd -q -d -c </);
    expect(host.system).toBe(before);
    // a tar archive has no room check; its pipeline reads the archive in its first stage
    const tar = await cli(['backup', ...T, '--dest', '/srv/backups', '--json'], host);
    const afterTar = host.system;
    const dir = await cli(['backups', 'restore', tar.json().archive, '--to', '/srv/small', '--check', '--json'], host);
    expect(dir.code, dir.err).toBe(EXIT.ok);
    expect(dir.json()).toMatchObject({ check: true, room: null, commands: [expect.stringMatching(/^zstd -q -d -c < \S+\.tar\.zst \| tar --extract .* --directory \/srv\/small$/)] });
    expect(host.system).toBe(afterTar);
  });

  it('a file on a filesystem without room: exit 3, nothing written; --force counts the space of the file it replaces', async () => {
    const { host, img } = await withImage();
    const before = host.system;
    const r = await cli(['backups', 'restore', img, '--to', '/srv/small/root.img'], host);
    expect(r.code).toBe(EXIT.refused);
    expect(r.err).toMatch(/--to \/srv\/small\/root\.img: its filesystem has 30\.0 MiB \(31457280 bytes\) free, the image needs 100\.0 MiB \(104857600 bytes\): nothing restored/);
    expect((await cli(['backups', 'restore', img, '--to', '/srv/nodir/root.img'], host)).err).toMatch(/the directory \/srv\/nodir does not exist: nothing restored/);
    expect(host.system).toBe(before);
    // 110 MiB filesystem holding a 60 MiB old image: 50 MiB free, 110 MiB once the old image is replaced
    const roomy = new SimHost(addFile(addFilesystem(host.system, { id: 'mid', source: 'tmpfs', fstype: 'tmpfs', majMin: '0:41', sizeBytes: 110 * MiB, baseUsed: 0, volatile: true, fallocate: true, rootIno: 1 }, '/srv/mid'), '/srv/mid/old.img', 60 * MiB));
    const ok = await cli(['backups', 'restore', img, '--to', '/srv/mid/old.img', '--force', '--json'], roomy);
    expect(ok.code, ok.err).toBe(EXIT.ok);
    expect(ok.json().room).toMatchObject({ target: 'file', roomBytes: 110 * MiB, result: 'fits' });
    expect(ok.json().commands[0]).toBe('rm -- /srv/mid/old.img');
  });

  it('an archive without a manifest: the room is not checked, and the output says so', async () => {
    const { host, img } = await withImage();
    host.system = edit(host.system, { stateFiles: { [`${img}.json`]: REMOVE } });
    const j = await cli(['backups', 'restore', img, '--to', '/dev/vgb/small-one', '--check', '--json'], host);
    expect(j.code, j.err).toBe(EXIT.ok);
    expect(j.json().room).toMatchObject({ imageBytes: null, result: 'unchecked' });
    expect(j.json().warnings).toEqual([expect.stringMatching(/no manifest .*\.json beside the archive.*not checked/)]);
    const t = await cli(['backups', 'restore', img, '--to', '/dev/vgb/small-one', '--check'], host);
    expect(t.err).toMatch(/lvmsnap: warning: the image's size is not known/);
  });

  it('a backup LV onto a smaller device is refused by the LV size; onto an equal one it is restored', async () => {
    const host = new SimHost(sys());
    expect((await cli(['backup', ...T, '--format', 'lv', '--dest-lv', 'vgb/root-copy'], host)).code).toBe(EXIT.ok);
    const before = host.system;
    const r = await cli(['backups', 'restore', '/dev/vgb/root-copy', '--to', '/dev/vgb/small-one'], host);
    expect(r.code).toBe(EXIT.refused);
    expect(r.err).toMatch(/--to \/dev\/vgb\/small-one has 52\.0 MiB .*smaller than the image's 100\.0 MiB .*nothing restored/);
    expect((await cli(['backups', 'restore', '/dev/vgb/root-copy', '--to', '/srv/small/copy.img'], host)).code).toBe(EXIT.refused);
    expect(host.system).toBe(before);
    const ok = await cli(['backups', 'restore', '/dev/vgb/root-copy', '--to', '/dev/vgb/equal', '--json'], host);
    expect(ok.code, ok.err).toBe(EXIT.ok);
    expect(ok.json()).toMatchObject({ format: 'lv', room: { imageBytes: IMAGE, imageBytesFrom: 'lv', roomBytes: IMAGE, result: 'fits' } });
    expect(lvFs(host.system, 'equal').uuid).toBe(originFs(host.system).uuid);
  });

  it('--to a stable /dev/disk/by-id link: the size of the disk it points to decides; a dangling link or one to a file is refused', async () => {
    const SMALL = '/dev/disk/by-id/virtio-small-64M';
    const BIG = '/dev/disk/by-id/virtio-big-128M';
    const { host, img } = await withImage();
    host.system = addDevLink(addDevLink(addDisk(host.system, '/dev/vdd', 254, 48, 128 * MiB), SMALL, '../../vdc'), BIG, '../../vdd');
    host.system = addDevLink(addDevLink(host.system, '/dev/disk/by-id/gone', '../../vdz'), '/dev/disk/by-id/file', '/srv/backups');
    const before = host.system;
    const small = await cli(['backups', 'restore', img, '--to', SMALL], host);
    expect(small.code, small.err).toBe(EXIT.refused);
    expect(small.err).toMatch(/--to \/dev\/disk\/by-id\/virtio-small-64M \(\/dev\/vdc\) has 64\.0 MiB \(67108864 bytes\), smaller than the image's 100\.0 MiB \(104857600 bytes\): nothing restored/);
    const gone = await cli(['backups', 'restore', img, '--to', '/dev/disk/by-id/gone'], host);
    expect(gone.code).toBe(EXIT.refused);
    expect(gone.err).toMatch(/--to \/dev\/disk\/by-id\/gone is a symlink to \/dev\/vdz, which does not exist .*nothing restored/);
    const file = await cli(['backups', 'restore', img, '--to', '/dev/disk/by-id/file'], host);
    expect(file.code).toBe(EXIT.refused);
    expect(file.err).toMatch(/--to \/dev\/disk\/by-id\/file is a symlink to \/srv\/backups, which is not a block device: nothing restored/);
    expect(host.system).toBe(before);
    const lv = await cli(['backup', ...T, '--format', 'lv', '--dest-lv', 'vgb/root-copy'], host);
    expect(lv.code, lv.err).toBe(EXIT.ok);
    const afterLv = host.system;
    const lvSmall = await cli(['backups', 'restore', '/dev/vgb/root-copy', '--to', SMALL], host);
    expect(lvSmall.code).toBe(EXIT.refused);
    expect(lvSmall.err).toMatch(/\(\/dev\/vdc\) has 64\.0 MiB .*smaller than the image's 100\.0 MiB/);
    expect(host.system).toBe(afterLv);
    expect(host.calls.filter((c) => c.op === 'pipe' && c.mutating)).toHaveLength(2); // the two backups' own pipelines only
    const big = await cli(['backups', 'restore', img, '--to', BIG, '--json'], host);
    expect(big.code, big.err).toBe(EXIT.ok);
    expect(big.json()).toMatchObject({ to: BIG, room: { device: '/dev/vdd', target: 'device', roomBytes: 128 * MiB, result: 'fits', tailBytes: 28 * MiB } });
    expect(big.json().commands).toEqual([`zstd -q -d -c < ${img} > ${BIG}`, `sync --data -- ${BIG}`]);
  });

  it('--to a by-id link to a mounted disk is refused by the mount of the disk it points to', async () => {
    const { host, img } = await withImage();
    const s = addDevLink(addDisk(host.system, '/dev/vdd', 254, 48, 128 * MiB), '/dev/disk/by-id/virtio-big', '../../vdd');
    host.system = addFilesystem(s, { id: 'big', source: '/dev/vdd', fstype: 'ext4', majMin: '254:48', sizeBytes: 128 * MiB, baseUsed: 0, volatile: false, fallocate: true, rootIno: 2 }, '/mnt/big');
    const r = await cli(['backups', 'restore', img, '--to', '/dev/disk/by-id/virtio-big'], host);
    expect(r.code).toBe(EXIT.refused);
    expect(r.err).toMatch(/--to \/dev\/disk\/by-id\/virtio-big \(\/dev\/vdd\) is mounted at \/mnt\/big/);
  });
});
