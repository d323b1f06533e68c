// `lvmsnap systemd install` and `lvmsnap initramfs install` on a modelled host: the plan (data), --check,
// applying it, idempotence, refusals of unsupported hosts (exit 3 material), and failures part-way.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UnsupportedHost, UsageError } from '../../src/errors.js';
import { installJson, renderInstallHuman } from '../../src/sysinstall/render.js';
import { runInstall } from '../../src/sysinstall/run.js';
import { FakeFsHost, PKG, REPO_PACKAGING } from './fake-host.js';

const SYSTEMD_HOST = ['/run/systemd/system', '/usr/local/sbin/lvmsnap', '/usr/bin/node'];
const opts = (what: 'systemd' | 'initramfs', check = false) => ({ what, check, packagingCandidates: ['/nowhere', PKG] });
const shipped = (rel: string) => readFileSync(`${REPO_PACKAGING}/${rel}`, 'utf8');

describe('lvmsnap systemd install', () => {
  it('installs both units, reloads, enables the boot unit (without --now); a second run changes nothing', async () => {
    const host = new FakeFsHost(SYSTEMD_HOST);
    const r = await runInstall(opts('systemd'), { host });
    expect(r.error).toBeUndefined();
    expect(r.changed).toBe(true);
    expect(host.mutations()).toEqual([
      `install -D -m 0644 -T -- ${PKG}/systemd/lvmsnap-guard@.service /etc/systemd/system/lvmsnap-guard@.service`,
      `install -D -m 0644 -T -- ${PKG}/systemd/lvmsnap-recover.service /etc/systemd/system/lvmsnap-recover.service`,
      'systemctl daemon-reload',
      'systemctl enable lvmsnap-recover.service',
    ]);
    expect(host.files.get('/etc/systemd/system/lvmsnap-guard@.service')).toEqual({ content: shipped('systemd/lvmsnap-guard@.service'), mode: '644' });

    const again = new FakeFsHost();
    again.files.clear();
    for (const [k, v] of host.files) again.files.set(k, v);
    const r2 = await runInstall(opts('systemd'), { host: again });
    expect(r2.changed).toBe(false);
    expect(r2.plan.steps).toEqual([]);
    expect(r2.plan.upToDate.map((u) => u.dest)).toEqual(['/etc/systemd/system/lvmsnap-guard@.service', '/etc/systemd/system/lvmsnap-recover.service']);
    expect(again.mutations()).toEqual([]);
    expect(renderInstallHuman(r2)).toContain('Nothing to do');
  });

  it('--check prints the same plan with every command and changes nothing, also without root', async () => {
    const host = new FakeFsHost(SYSTEMD_HOST);
    host.rootUid = 1000;
    const r = await runInstall(opts('systemd', true), { host });
    expect(host.mutations()).toEqual([]);
    expect(r.plan.steps.map((s) => s.type)).toEqual(['install', 'install', 'exec', 'exec']);
    const text = renderInstallHuman(r);
    expect(text).toContain(`$ install -D -m 0644 -T -- ${PKG}/systemd/lvmsnap-recover.service /etc/systemd/system/lvmsnap-recover.service`);
    expect(text).toContain('Would run 4 step(s); nothing was changed (--check).');
    expect(installJson(r)).toMatchObject({ ok: true, what: 'systemd', check: true, changed: false });
  });

  it('replaces a unit that differs or has the wrong mode, and reloads; the boot unit already enabled is left', async () => {
    const host = new FakeFsHost([...SYSTEMD_HOST, '/etc/systemd/system/sysinit.target.wants/lvmsnap-recover.service']);
    host.files.set('/etc/systemd/system/lvmsnap-guard@.service', { content: 'old', mode: '644' });
    host.files.set('/etc/systemd/system/lvmsnap-recover.service', { content: shipped('systemd/lvmsnap-recover.service'), mode: '600' });
    const r = await runInstall(opts('systemd', true), { host });
    expect(r.plan.steps.map((s) => (s.type === 'install' ? `${s.dest}: ${s.reason}` : s.argv.join(' ')))).toEqual([
      '/etc/systemd/system/lvmsnap-guard@.service: differs from the shipped file',
      '/etc/systemd/system/lvmsnap-recover.service: mode 600, should be 0644',
      'systemctl daemon-reload',
    ]);
  });

  it('refuses, changing nothing, on a host not running systemd', async () => {
    const host = new FakeFsHost(['/usr/local/sbin/lvmsnap']);
    await expect(runInstall(opts('systemd'), { host })).rejects.toThrow(/not running systemd .*lvmsnap check reboot/);
    await expect(runInstall(opts('systemd'), { host })).rejects.toBeInstanceOf(UnsupportedHost);
    expect(host.mutations()).toEqual([]);
  });

  it('refuses when lvmsnap is not on systemd\'s search path, saying how to link it', async () => {
    const host = new FakeFsHost(['/run/systemd/system', '/opt/lvmsnap/bin/lvmsnap.mjs']);
    await expect(runInstall(opts('systemd'), { host })).rejects.toThrow(/no lvmsnap is on systemd's search path.*ln -s/);
    expect(host.mutations()).toEqual([]);
  });

  it('refuses to change anything without root', async () => {
    const host = new FakeFsHost(SYSTEMD_HOST);
    host.rootUid = 1000;
    await expect(runInstall(opts('systemd'), { host })).rejects.toBeInstanceOf(UsageError);
    expect(host.mutations()).toEqual([]);
  });

  it('without packaging files and without the package: says where it looked and what to do, changing nothing', async () => {
    const host = new FakeFsHost(SYSTEMD_HOST, false);
    const err = await runInstall(opts('systemd'), { host }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/is not in \/nowhere, \/opt\/lvmsnap\/packaging/);
    expect((err as Error).message).toContain('/lib/systemd/system/lvmsnap-guard@.service');
    expect((err as Error).message).toMatch(/apt-get install \.\/lvmsnap_<version>_amd64\.deb.*LVMSNAP_PACKAGING_DIR/);
    expect(host.mutations()).toEqual([]);
  });

  it('a failing command stops the run and says what is left', async () => {
    const host = new FakeFsHost(SYSTEMD_HOST);
    host.failing = 'systemctl daemon-reload';
    const r = await runInstall(opts('systemd'), { host });
    expect(r.error?.message).toMatch(/command failed \(exit 1\): systemctl daemon-reload/);
    expect(r.error?.message).toContain('not run: systemctl enable lvmsnap-recover.service');
    expect(host.mutations()).not.toContain('systemctl enable lvmsnap-recover.service');
    expect(installJson(r)).toMatchObject({ ok: false, changed: true });
  });
});

describe('lvmsnap initramfs install', () => {
  it('initramfs-tools: hook and local-top script (0755), then update-initramfs -u; a second run changes nothing', async () => {
    const host = new FakeFsHost(['/usr/sbin/update-initramfs']);
    const r = await runInstall(opts('initramfs'), { host });
    expect(r.plan.flavor).toBe('initramfs-tools');
    expect(host.mutations()).toEqual([
      `install -D -m 0755 -T -- ${PKG}/initramfs-tools/hooks/lvmsnap /etc/initramfs-tools/hooks/lvmsnap`,
      `install -D -m 0755 -T -- ${PKG}/initramfs-tools/scripts/local-top/lvmsnap /etc/initramfs-tools/scripts/local-top/lvmsnap`,
      'update-initramfs -u',
    ]);
    expect(host.files.get('/etc/initramfs-tools/scripts/local-top/lvmsnap')).toEqual({ content: shipped('initramfs-tools/scripts/local-top/lvmsnap'), mode: '755' });
    host.ran.length = 0;
    const r2 = await runInstall(opts('initramfs'), { host });
    expect(r2.plan.steps).toEqual([]);
    expect(host.mutations()).toEqual([]);
  });

  it('dracut: the module (the same recovery script) into modules.d/90lvmsnap, then dracut --force', async () => {
    const host = new FakeFsHost(['/usr/bin/dracut']);
    const r = await runInstall(opts('initramfs'), { host });
    expect(r.plan.flavor).toBe('dracut');
    expect(host.mutations()).toEqual([
      `install -D -m 0755 -T -- ${PKG}/dracut/90lvmsnap/module-setup.sh /usr/lib/dracut/modules.d/90lvmsnap/module-setup.sh`,
      `install -D -m 0755 -T -- ${PKG}/dracut/90lvmsnap/lvmsnap-recover.sh /usr/lib/dracut/modules.d/90lvmsnap/lvmsnap-recover.sh`,
      'dracut --force',
    ]);
    expect(host.files.get('/usr/lib/dracut/modules.d/90lvmsnap/lvmsnap-recover.sh')!.content).toBe(shipped('initramfs-tools/scripts/local-top/lvmsnap'));
  });

  it('prefers initramfs-tools where both builders exist', async () => {
    const r = await runInstall(opts('initramfs', true), { host: new FakeFsHost(['/sbin/dracut', '/sbin/update-initramfs']) });
    expect(r.plan.flavor).toBe('initramfs-tools');
  });

  it('refuses with what to install when the host has neither builder', async () => {
    const host = new FakeFsHost([]);
    await expect(runInstall(opts('initramfs'), { host })).rejects.toThrow(/neither update-initramfs \(initramfs-tools\) nor dracut.*apt-get install initramfs-tools/);
    expect(host.mutations()).toEqual([]);
  });

  it('a failed rebuild leaves the files installed and says so', async () => {
    const host = new FakeFsHost(['/usr/sbin/update-initramfs']);
    host.failing = 'update-initramfs';
    const r = await runInstall(opts('initramfs'), { host });
    expect(r.error?.message).toContain('failed: update-initramfs -u');
    expect(r.error?.message).toContain('done: /etc/initramfs-tools/hooks/lvmsnap, /etc/initramfs-tools/scripts/local-top/lvmsnap');
    expect(r.error?.message).toContain('also run by hand: update-initramfs -u');
  });
});
