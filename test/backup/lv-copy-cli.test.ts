// backup --format lv and backups restore /dev/VG/LV through main() on the simulated host: exit codes, --json, flag rules.
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/main.js';
import { addDisk, addVg } from '../../src/sim/build.js';
import { SimHost } from '../../src/sim/host.js';
import { chainLeft, cli, DEST, system } from './helpers.js';

const MiB = 1024 ** 2;
const T = ['--vg', 'vg0', '--lv', 'root', '--size', '32M'];
const sys = () => addVg(addDisk(system(), '/dev/vdb', 254, 16, 204 * MiB), 'vgb', ['/dev/vdb']);

describe('lvmsnap backup --format lv', () => {
  it('copies into a new backup LV (--json), then restores it into a file with the same hash', async () => {
    const host = new SimHost(sys());
    const b = await cli(['backup', ...T, '--format', 'lv', '--dest-lv', 'vgb/root-copy', '--json'], host);
    expect(b.code, b.err).toBe(EXIT.ok);
    const j = b.json();
    expect(j).toMatchObject({ ok: true, format: 'lv', destLv: 'vgb/root-copy', created: true, sizeBytes: 100 * MiB, manifestPath: '/var/lib/lvmsnap/backup-lv/vgb-root-copy.json', manifest: { state: 'complete', lvmsnapVersion: '9.9.9' } });
    expect(j.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(chainLeft(host.system)).toEqual([]);
    const r = await cli(['backups', 'restore', '/dev/vgb/root-copy', '--to', `${DEST}/root.img`, '--json'], host);
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(r.json()).toMatchObject({ ok: true, format: 'lv', sha256: j.sha256 });
    expect((await host.run(['sha256sum', '-b', '--', `${DEST}/root.img`], { mutating: false })).stdout.startsWith(j.sha256)).toBe(true);
    // an existing file is overwritten only with --force
    expect((await cli(['backups', 'restore', '/dev/vgb/root-copy', '--to', `${DEST}/root.img`], host)).code).toBe(EXIT.refused);
  });

  it('--check lists the lvcreate, the chain, the copy and the hashes, and changes nothing', async () => {
    const host = new SimHost(sys());
    const before = host.system;
    const r = await cli(['backup', ...T, '--format', 'lv', '--dest-lv', 'vgb/root-copy', '--check', '--json'], host);
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(host.system).toBe(before);
    const j = r.json();
    expect(j.create).toEqual(['lvcreate', '--yes', '--size', `${100 * MiB}b`, '--name', 'root-copy', '--addtag', 'lvmsnap_backup', '--addtag', 'lvmsnap_backup_of_vg0_root', 'vgb']);
    expect(j.copyCommand).toEqual(['dd', 'bs=4M', 'status=none']);
    expect(j.verify).toEqual([['sync', '--data', '--', '/dev/vgb/root-copy'], ['sha256sum', '-b', '--', '/dev/vg0/root-lvmsnap'], ['sha256sum', '-b', '--', '/dev/vgb/root-copy']]);
    expect(j.present.changes.flatMap((c: { commands: string[][] }) => c.commands).some((a: string[]) => a[0] === 'lvcreate' && a.includes('--snapshot'))).toBe(true);
    const text = await cli(['backup', ...T, '--format', 'lv', '--dest-lv', 'vgb/root-copy', '--check'], host);
    expect(text.out).toMatch(/create the backup LV:\n    lvcreate --yes[\s\S]*dd bs=4M status=none < \/dev\/vg0\/root-lvmsnap > \/dev\/vgb\/root-copy/);
  });

  it('flag rules exit 3 and change nothing', async () => {
    const host = new SimHost(sys());
    const before = host.system;
    const cases: [string[], RegExp][] = [
      [['--format', 'lv'], /--format lv needs --dest-lv/],
      [['--format', 'lv', '--dest-lv', 'vgb'], /give it as VG\/LV/],
      [['--format', 'lv', '--dest-lv', 'vgb/x', '--dest', DEST], /--dest does not apply to --format lv/],
      [['--format', 'lv', '--dest-lv', 'vgb/x', '--keep-daily', '3'], /--keep-daily does not apply/],
      [['--dest', DEST, '--dest-lv', 'vgb/x'], /--dest-lv is only for --format lv/],
      [[], /Missing required argument: --dest/],
    ];
    for (const [extra, msg] of cases) {
      const r = await cli(['backup', ...T, ...extra], host);
      expect(r.code, extra.join(' ')).toBe(EXIT.refused);
      expect(r.err, extra.join(' ')).toMatch(msg);
    }
    expect(host.system).toBe(before);
  });
});
