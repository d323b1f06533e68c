// --cow-device on the simulated host: the chain PvInVg(device) -> Snapshot -> Mountpoint, its refusals
// (nothing changed, exit 3), crash after every mutating step converging both ways, and the device left
// as found by absent.
import fc from 'fast-check';
import { produce } from 'immer';
import { describe, expect, it } from 'vitest';
import { EXIT, main } from '../../src/cli/main.js';
import { rehearse } from '../../src/rehearse.js';
import { lvmsnapPvUuid } from '../../src/pv-uuid.js';
import { addDevLink, addDisk, addFile, addFilesystem, addLv, addVg, simpleSystem } from '../../src/sim/build.js';
import { exec } from '../../src/sim/exec.js';
import { SimHost } from '../../src/sim/host.js';
import { edit, setFields } from '../../src/sim/edit.js';
import type { SimSystem } from '../../src/sim/state.js';
import type { DesiredState, Target } from '../../src/types.js';
import { applyOn, comparable, fcParams, mutatingRuns, PROPERTY_TIMEOUT } from '../property/harness.js';

const MiB = 1024 * 1024;
const DEV = '/dev/vdb';
const T = ['--vg', 'vg0', '--lv', 'root', '--cow-device', DEV, '--mountpoint', '/media/snap', '--size', '32M'];
const target = (mount: boolean, size = 32): Target => ({
  vg: 'vg0', lv: 'root', snapshot: 'root-lvmsnap', size: { kind: 'bytes', bytes: size * MiB }, cowDevice: DEV,
  ...(mount ? { mountpoint: '/media/snap' } : {}), allocate: 'auto', removeMountpoint: false, stateDir: '/var/lib/lvmsnap',
});

/** A host whose VG has no free space and a spare 256 MiB disk. */
const spare = (bytes = 256 * MiB): SimSystem => addDisk(simpleSystem({ vgFreeBytes: 0 }), DEV, 252, 16, bytes);

async function cli(argv: string[], host: SimHost) {
  let out = '';
  let err = '';
  const code = await main(argv, { host, stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, deps: { rehearse } });
  return { code, out, err, json: () => JSON.parse(out) };
}

const mutArgv = (host: SimHost): string[][] => mutatingRuns(host.calls).map((c) => [...c.argv]);

describe('--cow-device: present and absent', () => {
  it('present runs pvcreate (derived UUID), vgextend, pvchange, lvcreate on the device; absent runs lvremove, vgreduce, pvremove and leaves the disk as found', async () => {
    const start = spare();
    const host = new SimHost(start);
    const up = await cli(['apply', '--state', 'present', ...T, '--json'], host);
    expect(up.code, up.err).toBe(EXIT.ok);
    expect(up.json().resources.map((r: { kind: string; action: string }) => `${r.kind}:${r.action}`)).toEqual(
      ['TmpFile:ok', 'LoopDevice:ok', 'PvInVg:create', 'Snapshot:create', 'Mountpoint:create']);
    const uuid = lvmsnapPvUuid(target(true));
    expect(mutArgv(host)).toEqual([
      ['pvcreate', '--yes', '--uuid', uuid, '--norestorefile', DEV],
      ['vgextend', '--yes', 'vg0', DEV],
      ['pvchange', '--addtag', 'lvmsnap', '--addtag', 'lvmsnap_for_root-lvmsnap', DEV],
      ['lvcreate', '--yes', '--snapshot', '--size', `${32 * MiB}b`, '--name', 'root-lvmsnap', '--addtag', 'lvmsnap', 'vg0/root', DEV],
      ['mkdir', '--', '/media/snap'],
      ['mount', '-t', 'ext4', '-o', 'ro,noload', '--', '/dev/vg0/root-lvmsnap', '/media/snap'],
    ]);
    expect(host.system.disks[DEV]!.label).toBe(uuid);
    const snap = Object.values(host.system.lvs).find((l) => l.name === 'root-lvmsnap')!;
    expect(snap.segs.every((g) => g.pv === uuid)).toBe(true);

    const st = await cli(['status', ...T, '--json'], new SimHost(host.system));
    expect(st.json().resources.find((r: { kind: string }) => r.kind === 'PvInVg')).toMatchObject({ status: 'present', id: `vg0:${DEV}` });

    const again = new SimHost(host.system);
    expect((await cli(['apply', '--state', 'present', ...T, '--detailed-exitcode'], again)).code).toBe(EXIT.ok);
    expect(mutArgv(again)).toEqual([]);

    const down = new SimHost(host.system);
    const r = await cli(['apply', '--state', 'absent', ...T], down);
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(mutArgv(down)).toEqual([
      ['umount', '--', '/media/snap'], ['rmdir', '--', '/media/snap'], ['lvremove', '--yes', 'vg0/root-lvmsnap'],
      ['vgreduce', '--yes', 'vg0', DEV], ['pvremove', '--yes', DEV],
    ]);
    expect(comparable(down.system)).toEqual(comparable(start));
  });

  it('--help and the man page name --cow-device', async () => {
    const r = await cli(['apply', '--help'], new SimHost(spare()));
    expect(r.out).toMatch(/--cow-device DEV/);
  });

  it('cowDevice in a config file; cannot be combined with tmpFile', async () => {
    const host = new SimHost(edit(spare(), { stateFiles: { '/etc/snap.json': JSON.stringify({ vg: 'vg0', lv: 'root', cowDevice: DEV, size: '32M' }) } }));
    expect((await cli(['apply', '--state', 'present', '--config', '/etc/snap.json'], host)).code).toBe(EXIT.ok);
    expect(host.system.disks[DEV]!.label).not.toBeNull();
    const both = await cli(['plan', ...T, '--tmp-file', '/var/space/cow.img'], new SimHost(spare()));
    expect(both.code).toBe(EXIT.refused);
    expect(both.err).toMatch(/tmpFile: cannot be combined with cowDevice/);
  });
});

describe('--cow-device in a snapshot set', () => {
  it('two members cannot share one spare device', async () => {
    const set = (members: object[]) => new SimHost(edit(spare(), { stateFiles: { '/etc/set.json': JSON.stringify({ targets: members }) } }));
    const shared = await cli(['apply', '--state', 'present', '--config', '/etc/set.json'], set([
      { vg: 'vg0', lv: 'root', cowDevice: DEV, size: '8M' }, { vg: 'vg0', lv: 'root', snapshot: 'other', cowDevice: DEV, size: '8M' }]));
    expect(shared.code).toBe(EXIT.refused);
    expect(shared.out + shared.err).toMatch(/spare COW device \/dev\/vdb is already used by targets\[0\]/);
  });

  it('nor one spare device under two names (/dev/vdb and a /dev/disk/by-id link to it), before any change', async () => {
    const two = addLv(addVg(addDisk(spare(), '/dev/vdc', 252, 32, 128 * MiB), 'vg1', ['/dev/vdc']), 'vg1', 'data', 32 * MiB);
    const s = addDevLink(edit(two, { stateFiles: { '/etc/set.json': JSON.stringify({ targets: [
      { vg: 'vg0', lv: 'root', cowDevice: DEV, size: '8M' }, { vg: 'vg1', lv: 'data', cowDevice: '/dev/disk/by-id/spare', size: '8M' }] }) } }), '/dev/disk/by-id/spare', '../../vdb');
    const host = new SimHost(s);
    const r = await cli(['apply', '--state', 'present', '--config', '/etc/set.json'], host);
    expect(r.code, r.out + r.err).toBe(EXIT.refused);
    expect(r.out + r.err).toMatch(/vg1\/data-lvmsnap \(--cow-device \/dev\/disk\/by-id\/spare\) and vg0\/root-lvmsnap \(--cow-device \/dev\/vdb\) name the same spare disk \/dev\/vdb/);
    expect(mutArgv(host)).toEqual([]);
    expect(comparable(host.system)).toEqual(comparable(s));
  });
});

describe('--cow-device: refused before anything changes', () => {
  const refused = async (s: SimSystem, extra: string[] = [], pattern: RegExp) => {
    const host = new SimHost(s);
    const r = await cli(['apply', '--state', 'present', ...(extra.length > 0 ? T.filter((a) => a !== DEV && a !== '--cow-device') : T), ...extra], host);
    expect(r.code, r.out + r.err).toBe(EXIT.refused);
    expect(r.out + r.err).toMatch(pattern);
    expect(mutArgv(host)).toEqual([]);
    expect(comparable(host.system)).toEqual(comparable(s));
  };
  const withDisk = (fields: Record<string, unknown>) => { const s = spare(); return edit(s, { disks: { [DEV]: setFields(s.disks[DEV]!, fields) } }); };

  it('a device that does not exist', () => refused(simpleSystem({ vgFreeBytes: 0 }), [], /\/dev\/vdb does not exist/));
  it('a PV of the target VG itself', () => refused(spare(), ['--cow-device', '/dev/vda'], /PV of this VG|already a PV of vg0/));
  for (const sig of ['ext4', 'xfs', 'linux_raid_member', 'swap', 'crypto_LUKS'])
    it(`a ${sig} signature`, () => refused(withDisk({ fstype: sig }), [], new RegExp(`carries a signature lvmsnap did not write \\(${sig}\\)`)));
  it('a partition table without partitions', () => refused(withDisk({ pttype: 'gpt' }), [], /carries a signature lvmsnap did not write \(gpt\)/));
  it('partitions', () => {
    const s = addDisk(withDisk({ pttype: 'gpt' }), '/dev/vdb1', 252, 17, 100 * MiB);
    return refused(edit(s, { disks: { '/dev/vdb1': setFields(s.disks['/dev/vdb1']!, { parent: DEV }) } }), [], /has partitions \(vdb1\)/);
  });
  it('a mounted device', () => {
    const s = addFilesystem(spare(), { id: 'spare', source: DEV, fstype: 'ext4', majMin: '252:16', sizeBytes: 256 * MiB, baseUsed: 0, volatile: false, fallocate: true, rootIno: 2 }, '/mnt/spare');
    return refused(s, [], /\/dev\/vdb is mounted at \/mnt\/spare/);
  });
  it('a PV of another VG', () => {
    return refused(addVg(spare(), 'other', [DEV]), [], /PV of another VG \(other\)/);
  });
  it('an orphan PV label lvmsnap did not write', () => refused(exec(spare(), ['pvcreate', '--yes', '--uuid', 'FOREIG-NPVL-ABEL-AAAA-AAAA-AAAA-AAAAAA', '--norestorefile', DEV]).system, [], /carries a PV label that lvmsnap did not write/));
  it('too small for the snapshot', () => refused(spare(16 * MiB), [], /snapshot needs 32 MiB but \/dev\/vdb provides 12 MiB/));
  it('absent leaves a foreign device alone', async () => {
    const s = withDisk({ fstype: 'ext4' });
    const host = new SimHost(s);
    expect((await cli(['apply', '--state', 'absent', ...T], host)).code).toBe(EXIT.ok);
    expect(mutArgv(host)).toEqual([]);
    expect(comparable(host.system)).toEqual(comparable(s));
  });
});

describe('--cow-device: a crash after any step converges both ways', () => {
  const done = async (s: SimSystem, t: Target, state: DesiredState) => {
    const r = await applyOn(s, t, state);
    expect(r.crashed).toBe(false);
    expect(r.report?.planned.plan.refusals).toEqual([]);
    expect(r.report?.error).toBeUndefined();
    const again = await applyOn(r.system, t, state);
    expect(mutatingRuns(again.calls)).toEqual([]);
    return r.system;
  };

  it('crash after the k-th mutation of present or absent (cold or warm), then present or absent', async () => {
    await fc.assert(fc.asyncProperty(
      fc.boolean(), fc.constantFrom<DesiredState>('present', 'absent'), fc.integer({ min: 1, max: 7 }), fc.constantFrom<DesiredState>('present', 'absent'),
      async (mount, crashed, k, then) => {
        const t = target(mount);
        const start = spare();
        const warm = crashed === 'absent' ? await done(start, t, 'present') : start;
        const r = await applyOn(warm, t, crashed, k);
        // present makes at least 4 changes and absent at least 3: those crashes really happen.
        expect(r.crashed || k > 3).toBe(true);
        const end = await done(r.system, t, then);
        const disk = end.disks[DEV]!;
        if (then === 'absent') {
          expect(comparable(end)).toEqual(comparable(start));
          expect(disk).toEqual(start.disks[DEV]);
        } else {
          expect(disk.label).toBe(lvmsnapPvUuid(t));
          expect(end.pvs[disk.label!]?.tags).toEqual(['lvmsnap', 'lvmsnap_for_root-lvmsnap']);
        }
      }), fcParams(300));
  }, PROPERTY_TIMEOUT);
});

describe('--cow-device after a reboot', () => {
  it('the disk came back under another name: present says which, absent takes the PV down where it is', async () => {
    const host = new SimHost(spare());
    await cli(['apply', '--state', 'present', ...T], host);
    const { reboot } = await import('../../src/sim/drift.js');
    const before = reboot(host.system);
    const disk = before.disks[DEV]!;
    const renamed = produce(before, (d) => { delete d.disks[DEV]; d.disks['/dev/vdc'] = { ...disk, name: '/dev/vdc', minor: 32 }; });
    const up = new SimHost(renamed);
    const r = await cli(['apply', '--state', 'present', ...T], up);
    expect(r.code).toBe(EXIT.refused);
    expect(r.out + r.err).toMatch(/lvmsnap's PV for vg0\/root-lvmsnap is on \/dev\/vdc, not on \/dev\/vdb .*pass --cow-device \/dev\/vdc/);
    expect(mutArgv(up)).toEqual([]);
    const down = new SimHost(renamed);
    expect((await cli(['apply', '--state', 'absent', ...T], down)).code).toBe(EXIT.ok);
    expect(mutArgv(down)).toEqual([['rmdir', '--', '/media/snap'], ['lvremove', '--yes', 'vg0/root-lvmsnap'], ['vgreduce', '--yes', 'vg0', '/dev/vdc'], ['pvremove', '--yes', '/dev/vdc']]);
    expect(down.system.disks['/dev/vdc']!.label).toBeNull();
  });

  it('the disk and the snapshot are still there: status shows present, absent takes it down, check reboot does not call it a loop PV', async () => {
    const host = new SimHost(spare());
    await cli(['apply', '--state', 'present', ...T], host);
    const { reboot } = await import('../../src/sim/drift.js');
    const after = reboot(host.system);
    const st = await cli(['status', ...T, '--json'], new SimHost(after));
    expect(st.json().resources.filter((r: { kind: string }) => ['PvInVg', 'Snapshot'].includes(r.kind)).map((r: { status: string }) => r.status)).toEqual(['present', 'present']);
    const chk = await cli(['check', 'reboot', '--json'], new SimHost(after));
    const hz = chk.json().hazards as { kind: string; severity: string; fix: string }[];
    expect(hz.filter((h) => h.kind === 'loop-pv' || h.severity === 'block')).toEqual([]);
    expect(hz.find((h) => h.kind === 'snapshot')?.fix).toMatch(/--cow-device \/dev\/vdb/);
    const rec = new SimHost(after);
    const r = await cli(['recover'], rec);
    expect(r.code, r.out + r.err).toBe(EXIT.ok);
    expect(mutArgv(rec).map((a) => a[0])).toEqual(['rmdir', 'lvremove', 'vgreduce', 'pvremove']);
    expect(rec.system.disks[DEV]!.label).toBeNull();
  });
});

describe('--cow-device and backup --grow-snapshot', () => {
  it('grows the snapshot from the spare PV only, and stops when it is full', async () => {
    const { planGrow } = await import('../../src/backup/grow.js');
    const { observe } = await import('../../src/observe.js');
    // The VG has free space of its own: the grow must still come from /dev/vdb alone.
    const host = new SimHost(addDisk(simpleSystem({ vgFreeBytes: 300 * MiB }), DEV, 252, 16, 64 * MiB));
    const t = target(false);
    const up = await applyOn(host.system, t, 'present');
    expect(up.report?.error).toBeUndefined();
    const d = planGrow(t, await observe(new SimHost(up.system), t));
    expect(d.kind).toBe('grow');
    if (d.kind !== 'grow') return;
    expect(d.plan.changes.flatMap((c) => c.steps)).toEqual([{ type: 'exec', argv: ['lvextend', '--yes', '--size', `${48 * MiB}b`, 'vg0/root-lvmsnap', DEV] }]);
    const full = exec(up.system, ['lvextend', '--yes', '--size', `${60 * MiB}b`, 'vg0/root-lvmsnap', DEV]).system;
    expect(planGrow(t, await observe(new SimHost(full), t))).toMatchObject({ kind: 'cannot', why: expect.stringMatching(/\/dev\/vdb has no free extents/) });
  });
});

describe('--cow-device by a stable /dev/disk/by-id name (a symlink to the disk)', () => {
  const BYID = '/dev/disk/by-id/virtio-spare-disk-1';
  const B = T.map((a) => (a === DEV ? BYID : a));
  const linked = (s: SimSystem = spare()): SimSystem => addDevLink(s, BYID, '../../vdb');

  it('present, status and absent name the disk it points to; the same PV UUID; converges and is idempotent; /dev/vdb then sees the chain as its own', async () => {
    const start = linked();
    const host = new SimHost(start);
    const up = await cli(['apply', '--state', 'present', ...B, '--json'], host);
    expect(up.code, up.err).toBe(EXIT.ok);
    const uuid = lvmsnapPvUuid(target(true));
    expect(lvmsnapPvUuid({ ...target(true), cowDevice: BYID })).toBe(uuid);
    expect(mutArgv(host).slice(0, 4)).toEqual([
      ['pvcreate', '--yes', '--uuid', uuid, '--norestorefile', DEV],
      ['vgextend', '--yes', 'vg0', DEV],
      ['pvchange', '--addtag', 'lvmsnap', '--addtag', 'lvmsnap_for_root-lvmsnap', DEV],
      ['lvcreate', '--yes', '--snapshot', '--size', `${32 * MiB}b`, '--name', 'root-lvmsnap', '--addtag', 'lvmsnap', 'vg0/root', DEV],
    ]);
    expect(host.system.disks[DEV]!.label).toBe(uuid);

    const st = await cli(['status', ...B, '--json'], new SimHost(host.system));
    expect(st.json().resources.find((r: { kind: string }) => r.kind === 'PvInVg')).toMatchObject({ status: 'present', id: `vg0:${DEV}` });
    for (const argv of [B, T]) {
      const again = new SimHost(host.system);
      const r = await cli(['apply', '--state', 'present', ...argv, '--detailed-exitcode'], again);
      expect(r.code, r.out + r.err).toBe(EXIT.ok);
      expect(mutArgv(again)).toEqual([]);
    }

    const down = new SimHost(host.system);
    const r = await cli(['apply', '--state', 'absent', ...B], down);
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(mutArgv(down)).toEqual([
      ['umount', '--', '/media/snap'], ['rmdir', '--', '/media/snap'], ['lvremove', '--yes', 'vg0/root-lvmsnap'],
      ['vgreduce', '--yes', 'vg0', DEV], ['pvremove', '--yes', DEV],
    ]);
    expect(comparable(down.system)).toEqual(comparable(start));
    const twice = new SimHost(down.system);
    expect((await cli(['apply', '--state', 'absent', ...B], twice)).code).toBe(EXIT.ok);
    expect(mutArgv(twice)).toEqual([]);
  });

  it('a chain made with /dev/vdb is taken down by the by-id name', async () => {
    const start = linked();
    const host = new SimHost(start);
    expect((await cli(['apply', '--state', 'present', ...T], host)).code).toBe(EXIT.ok);
    const down = new SimHost(host.system);
    expect((await cli(['apply', '--state', 'absent', ...B], down)).code).toBe(EXIT.ok);
    expect(comparable(down.system)).toEqual(comparable(start));
  });

  it('the disk came back as /dev/vdc after a reboot and its by-id link with it: present with the by-id name changes nothing', async () => {
    const noMount = B.filter((a) => a !== '--mountpoint' && a !== '/media/snap');
    const host = new SimHost(linked());
    expect((await cli(['apply', '--state', 'present', ...noMount], host)).code).toBe(EXIT.ok);
    const { reboot } = await import('../../src/sim/drift.js');
    const before = reboot(host.system);
    const disk = before.disks[DEV]!;
    const renamed = addDevLink(produce(before, (d) => { delete d.disks[DEV]; d.disks['/dev/vdc'] = { ...disk, name: '/dev/vdc', minor: 32 }; }), BYID, '../../vdc');
    const up = new SimHost(renamed);
    const r = await cli(['apply', '--state', 'present', ...noMount, '--json'], up);
    expect(r.code, r.out + r.err).toBe(EXIT.ok);
    expect(mutArgv(up)).toEqual([]);
    expect(r.json().resources.find((x: { kind: string }) => x.kind === 'PvInVg')).toMatchObject({ id: 'vg0:/dev/vdc', action: 'ok' });
  });

  const refusedAs = async (s: SimSystem, pattern: RegExp) => {
    const host = new SimHost(s);
    const r = await cli(['apply', '--state', 'present', ...B], host);
    expect(r.code, r.out + r.err).toBe(EXIT.refused);
    expect(r.out + r.err).toMatch(pattern);
    expect(mutArgv(host)).toEqual([]);
    expect(comparable(host.system)).toEqual(comparable(s));
  };
  it('a dangling link is refused, naming what it points to', () =>
    refusedAs(addDevLink(spare(), BYID, '../../sdz'), /\/dev\/disk\/by-id\/virtio-spare-disk-1 is a symlink to \/dev\/sdz, which does not exist .*pass the spare disk's current \/dev\/disk\/by-id\/ name or \/dev\/sdX/));
  it('a link to a regular file is refused, naming what it points to', () =>
    refusedAs(addDevLink(addFile(spare(), '/var/tmp/disk.img', 256 * MiB), BYID, '/var/tmp/disk.img'),
      /\/dev\/disk\/by-id\/virtio-spare-disk-1 is a symlink to \/var\/tmp\/disk\.img, which is not a block device: pass a whole spare disk/));
  it('a mounted disk is refused by both names', () => {
    const s = addFilesystem(linked(), { id: 'spare', source: DEV, fstype: 'ext4', majMin: '252:16', sizeBytes: 256 * MiB, baseUsed: 0, volatile: false, fallocate: true, rootIno: 2 }, '/mnt/spare');
    return refusedAs(s, /\/dev\/vdb is mounted at \/mnt\/spare: \/dev\/disk\/by-id\/virtio-spare-disk-1 \(\/dev\/vdb\) must be a spare disk/);
  });
});
