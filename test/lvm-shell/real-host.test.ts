// RealHost's lvm shell against this machine's lvm2 (commands that change nothing: no device-mapper here)
// and against stand-ins for an lvm that dies or a system without lvm2's lvmdbusd profile.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RealHost } from '../../src/host-real.js';

const host = new RealHost();
const saved = { PATH: process.env['PATH'], LVM_SYSTEM_DIR: process.env['LVM_SYSTEM_DIR'], HOME: process.env['HOME'] };
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
});
const mut = { mutating: true };

describe('RealHost lvm shell', () => {
  it('runs commands through one lvm2 process, each with its own status and errors', async () => {
    const shell = host.lvmShell();
    expect(shell, 'this machine needs lvm2 with /etc/lvm/profile/lvmdbusd.profile (Debian: package lvm2)').not.toBeNull();
    const ok = await shell!.run(['lvchange', '--help'], mut);
    expect(ok.exitCode).toBe(0);
    const failed = await shell!.run(['lvremove', '--yes', 'lvmsnap-no-such-vg/x'], mut);
    expect(failed.exitCode).toBe(5); // as `lvremove` forked exits
    expect(failed.stderr).toMatch(/Volume group "lvmsnap-no-such-vg" not found/);
    expect(failed.argv).toEqual(['lvremove', '--yes', 'lvmsnap-no-such-vg/x']);
    // The shell goes on after a failure (the applier stops; the shell itself would not).
    const quoted = await shell!.run(['lvremove', '--yes', 'no such vg/x'], mut);
    expect(quoted.exitCode).not.toBe(0);
    expect(quoted.stderr).toMatch(/no such vg/);
    await shell!.close();
    await shell!.close();
  });

  it('leaves the admin\'s ~/.lvm_history alone (lvm\'s shell would append every line to it)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'lvmsnap-home-'));
    process.env['HOME'] = home;
    const shell = host.lvmShell()!;
    expect((await shell.run(['lvchange', '--help'], mut)).exitCode).toBe(0);
    await shell.close();
    expect(existsSync(join(home, '.lvm_history'))).toBe(false);
  });

  it('refuses argv that has no shell line (the applier forks those)', async () => {
    const shell = host.lvmShell()!;
    await expect(shell.run(['losetup', '--detach', '/dev/loop0'], mut)).rejects.toThrow(/not an lvm shell command/);
    await shell.close();
  });

  it('no lvmdbusd profile: no shell (lvm would refuse to start)', () => {
    process.env['LVM_SYSTEM_DIR'] = mkdtempSync(join(tmpdir(), 'lvmsnap-lvmconf-'));
    expect(host.lvmShell()).toBeNull();
  });

  it('lvm gone before answering: the command counts as failed, saying so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvmsnap-fake-lvm-'));
    mkdirSync(join(dir, 'etc/profile'), { recursive: true });
    writeFileSync(join(dir, 'etc/profile/lvmdbusd.profile'), '');
    writeFileSync(join(dir, 'lvm'), '#!/bin/sh\nread line\nexit 3\n');
    chmodSync(join(dir, 'lvm'), 0o755);
    process.env['LVM_SYSTEM_DIR'] = join(dir, 'etc');
    process.env['PATH'] = `${dir}:${saved.PATH ?? ''}`;
    const shell = host.lvmShell()!;
    const r = await shell.run(['lvremove', '--yes', 'vg0/x'], mut);
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toMatch(/lvm ended \(exit 3\) before answering/);
    // Later commands get the same answer, never a hang.
    expect((await shell.run(['lvremove', '--yes', 'vg0/y'], mut)).exitCode).toBe(127);
    await shell.close();
  });
});
