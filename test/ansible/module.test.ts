// The lvmsnap module's logic (src/ansible/) without Ansible: options, check and diff mode, changed, failures.
import { describe, expect, it } from 'vitest';
import { moduleRequest, runModule } from '../../src/ansible/index.js';
import { rehearse } from '../../src/rehearse.js';
import { SimHost } from '../../src/sim/host.js';
import { setSystem } from '../set/system.js';

const MiB = 1024 * 1024;

describe('module options', () => {
  it('maps snake_case options onto the target fields; null means not given', () => {
    const r = moduleRequest({ vg: 'vg0', lv: 'root', size: '16M', tmp_file: '/var/space/c.img', mount_options: null, remove_mountpoint: 'yes', state: 'absent', _ansible_check_mode: true, _ansible_diff: false });
    expect(r).toMatchObject({ state: 'absent', checkMode: true, diff: false, selection: { kind: 'one', target: { vg: 'vg0', lv: 'root', tmpFile: '/var/space/c.img', removeMountpoint: true, size: { kind: 'bytes', bytes: 16 * MiB } } } });
  });

  it('thin_pool_threshold maps onto the thin pool threshold and is validated like the config field', () => {
    const r = moduleRequest({ vg: 'vg0', lv: 'root', thin_pool_threshold: 75 });
    expect(r.selection).toMatchObject({ kind: 'one', target: { thinPoolThreshold: 75 } });
    expect(() => moduleRequest({ vg: 'vg0', lv: 'root', thin_pool_threshold: 'x' })).toThrow(/expected a percent between 0 and 100/);
  });

  it('cow_device maps onto the spare-device chain and is validated like the config field', () => {
    expect(moduleRequest({ vg: 'vg0', lv: 'root', cow_device: '/dev/vdb' }).selection).toMatchObject({ kind: 'one', target: { cowDevice: '/dev/vdb' } });
    expect(moduleRequest({ vg: 'vg0', lv: 'root', cow_device: '/dev/disk/by-id/wwn-0x5000c500a1b2c3d4' }).selection).toMatchObject({ kind: 'one', target: { cowDevice: '/dev/disk/by-id/wwn-0x5000c500a1b2c3d4' } });
    expect(() => moduleRequest({ vg: 'vg0', lv: 'root', cow_device: 'sdb' })).toThrow(/block device under \/dev/);
    expect(() => moduleRequest({ vg: 'vg0', lv: 'root', cow_device: '/dev/disk/../sdb' })).toThrow(/block device under \/dev/);
    expect(() => moduleRequest({ vg: 'vg0', lv: 'root', cow_device: '/dev/vdb', tmp_file: '/var/space/c.img' })).toThrow(/cannot be combined with cowDevice/);
  });

  it('targets makes a set; top-level options are defaults for every member', () => {
    const r = moduleRequest({ size: '8M', state_dir: '/srv/lvmsnap', targets: [{ vg: 'vg0', lv: 'root' }, { vg: 'vg1', lv: 'home', tmp_file: '/var/space/h.img', size: '1G' }] });
    expect(r.selection.kind).toBe('set');
    const members = r.selection.kind === 'set' ? r.selection.members : [];
    expect(members.map((t) => [t.vg, t.size, t.stateDir, t.tmpFile])).toEqual([
      ['vg0', { kind: 'bytes', bytes: 8 * MiB }, '/srv/lvmsnap', undefined],
      ['vg1', { kind: 'bytes', bytes: 1024 * MiB }, '/srv/lvmsnap', '/var/space/h.img'],
    ]);
  });

  it('refuses unknown options (also inside targets) and bad values, naming them', () => {
    expect(() => moduleRequest({ vg: 'vg0', lv: 'root', colour: 'red' })).toThrow(/Unsupported parameters for \(lvmsnap\) module: colour\. Supported parameters include: vg, lv, snapshot/);
    expect(() => moduleRequest({ targets: [{ vg: 'vg0', lv: 'root', tmpfile: '/x' }] })).toThrow(/module \(targets\[0\]\): tmpfile/);
    expect(() => moduleRequest({ vg: 'vg0', lv: 'root', state: 'gone' })).toThrow(/state: expected "present" or "absent"/);
    expect(() => moduleRequest({ vg: 'vg0', lv: 'root', keep_partial: 'maybe' })).toThrow(/keep_partial: expected a boolean/);
  });
});

describe('runModule on the simulator', () => {
  const args = { vg: 'vg0', lv: 'root', size: '16M', mountpoint: '/media/snap' };

  it('check mode: changed (would change), the diff shows states and commands, nothing changes', async () => {
    const start = setSystem();
    const host = new SimHost(start);
    const r = await runModule({ ...args, _ansible_check_mode: true, _ansible_diff: true }, { host, rehearse });
    expect(r).toMatchObject({ changed: true, check_mode: true, rc: 0 });
    expect(r['failed']).toBeUndefined();
    const diff = r['diff'] as Record<string, string>;
    expect(diff['before']).toBe('Snapshot vg0/root-lvmsnap: absent\nMountpoint /media/snap: absent\n');
    expect(diff['after']).toBe('Snapshot vg0/root-lvmsnap: present\nMountpoint /media/snap: present\n');
    expect(diff['prepared']).toMatch(/\$ lvcreate --yes --snapshot --size 16777216b --name root-lvmsnap --addtag lvmsnap vg0\/root\n[\s\S]*\$ mount -t ext4 -o ro,noload/);
    expect(host.system).toEqual(start);
  });

  it('changed exactly when something changed; no diff without diff mode', async () => {
    const host = new SimHost(setSystem());
    const first = await runModule(args, { host, rehearse });
    expect(first).toMatchObject({ changed: true, rc: 0 });
    expect(first['diff']).toBeUndefined();
    expect((first['commands'] as { mutating: boolean }[]).some((c) => c.mutating)).toBe(true);
    const again = await runModule({ ...args, _ansible_diff: true }, { host, rehearse });
    expect(again.changed).toBe(false);
    expect((again['diff'] as Record<string, string>)['prepared']).toBeUndefined();
  });

  it('a refusal is failed with the CLI\'s text and rc 3; a set reports its members and the rollback', async () => {
    const refused = await runModule({ vg: 'vg0', lv: 'root', size: '4G' }, { host: new SimHost(setSystem()), rehearse });
    expect(refused).toMatchObject({ failed: true, changed: false, rc: 3 });
    expect(refused['msg']).toMatch(/^lvmsnap apply --state present: vg0\/root -> snapshot vg0\/root-lvmsnap\n[\s\S]*Refused, nothing was changed:\n {2}- snapshot needs 4 GiB but volume group vg0 has 200 MiB free/);
    const set = await runModule({ size: '16M', targets: [{ vg: 'vg0', lv: 'root' }, { vg: 'vg1', lv: 'home' }] }, { host: new SimHost(setSystem()), rehearse });
    expect(set).toMatchObject({ changed: true, set: true, order: ['vg0/root-lvmsnap', 'vg1/home-lvmsnap'], rc: 0 });
    expect((set['resources'] as { member: string; kind: string; action: string }[]).filter((x) => x.action === 'create').map((x) => `${x.member} ${x.kind}`)).toEqual(['vg0/root-lvmsnap Snapshot', 'vg1/home-lvmsnap Snapshot']);
  });
});
