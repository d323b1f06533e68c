// The installers on a host where the lvmsnap package (.deb) put the units and hooks in place: they say
// so and copy nothing (only enabling the boot unit when that is missing), also when this lvmsnap has no
// packaging folder (the single executable). And the two CLI commands' shared run body (install-run.ts).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { UsageError } from '../../src/errors.js';
import { DPKG_LIST } from '../../src/sysinstall/probe.js';
import { installJson, renderInstallHuman } from '../../src/sysinstall/render.js';
import { runInstall } from '../../src/sysinstall/run.js';
import { DRACUT_FILES, INITRAMFS_TOOLS_FILES } from '../../src/sysinstall/initramfs.js';
import { SYSTEMD_FILES } from '../../src/sysinstall/systemd.js';
import type { ShippedFile } from '../../src/sysinstall/files.js';
import { FakeFsHost, PKG } from './fake-host.js';

const SYSTEMD_HOST = ['/run/systemd/system', '/usr/sbin/lvmsnap'];
const WANTS = '/etc/systemd/system/sysinit.target.wants/lvmsnap-recover.service';
const opts = (what: 'systemd' | 'initramfs', check = false, candidates = ['/nowhere']) => ({ what, check, packagingCandidates: candidates });

/** A host with the package installed: its files (as the .deb puts them) and dpkg's list of them. */
function withPackage(host: FakeFsHost, files: readonly ShippedFile[] = [...SYSTEMD_FILES, ...INITRAMFS_TOOLS_FILES, ...DRACUT_FILES]): FakeFsHost {
  for (const f of files) host.files.set(f.packaged, { content: `packaged ${f.rel}`, mode: f.mode.slice(1) });
  const listed = ['/.', '/usr/sbin/lvmsnap', ...files.map((f) => f.packaged)];
  host.files.set(DPKG_LIST, { content: `${listed.join('\n')}\n`, mode: '644' });
  return host;
}

describe('systemd install with the lvmsnap package installed', () => {
  it('reports the package\'s units and does nothing when the boot unit is enabled (no packaging folder: the single executable)', async () => {
    const host = withPackage(new FakeFsHost([...SYSTEMD_HOST, WANTS], false));
    const r = await runInstall(opts('systemd'), { host });
    expect(r.plan.steps).toEqual([]);
    expect(r.plan.packaged).toEqual(['/lib/systemd/system/lvmsnap-guard@.service', '/lib/systemd/system/lvmsnap-recover.service']);
    expect(r.changed).toBe(false);
    expect(host.mutations()).toEqual([]);
    const text = renderInstallHuman(r);
    expect(text).toContain('ok       /lib/systemd/system/lvmsnap-guard@.service  (installed by the lvmsnap package)');
    expect(text).toContain('Nothing to do: the lvmsnap package installed these files.');
    expect(text).not.toContain('no node on systemd');
    expect(installJson(r)).toMatchObject({ ok: true, changed: false, packaged: r.plan.packaged, steps: [] });
  });

  it('only enables the boot unit when that is missing, copying nothing (even with a packaging folder at hand)', async () => {
    const host = withPackage(new FakeFsHost(SYSTEMD_HOST));
    const r = await runInstall({ ...opts('systemd'), packagingCandidates: [PKG] }, { host });
    expect(host.mutations()).toEqual(['systemctl enable lvmsnap-recover.service']);
    expect(r.changed).toBe(true);
    expect(host.files.has('/etc/systemd/system/lvmsnap-guard@.service')).toBe(false);
  });

  it('warns about an earlier copy in /etc that overrides the package\'s unit', async () => {
    const host = withPackage(new FakeFsHost([...SYSTEMD_HOST, WANTS], false));
    host.files.set('/etc/systemd/system/lvmsnap-guard@.service', { content: 'old', mode: '644' });
    const r = await runInstall(opts('systemd', true), { host });
    expect(r.plan.steps).toEqual([]);
    expect(r.plan.notes.join('\n')).toContain("warning: /etc/systemd/system/lvmsnap-guard@.service (from an earlier 'lvmsnap systemd install') overrides the package's unit");
  });

  it('a package whose unit file was deleted: says to reinstall the package, changing nothing', async () => {
    const host = withPackage(new FakeFsHost(SYSTEMD_HOST, false));
    host.files.delete('/lib/systemd/system/lvmsnap-recover.service');
    await expect(runInstall(opts('systemd'), { host })).rejects.toThrow(/package is installed but its \/lib\/systemd\/system\/lvmsnap-recover\.service is missing: reinstall it \(apt-get install --reinstall lvmsnap\)/);
    expect(host.mutations()).toEqual([]);
  });

  it('still refuses on a host not running systemd', async () => {
    const host = withPackage(new FakeFsHost(['/usr/sbin/lvmsnap'], false));
    await expect(runInstall(opts('systemd'), { host })).rejects.toThrow(/not running systemd/);
  });
});

describe('initramfs install with the lvmsnap package installed', () => {
  it('initramfs-tools: the package\'s hook and script, nothing to do (its trigger rebuilds the initramfs)', async () => {
    const host = withPackage(new FakeFsHost(['/usr/sbin/update-initramfs'], false));
    const r = await runInstall(opts('initramfs'), { host });
    expect(r.plan.flavor).toBe('initramfs-tools');
    expect(r.plan.packaged).toEqual(['/usr/share/initramfs-tools/hooks/lvmsnap', '/usr/share/initramfs-tools/scripts/local-top/lvmsnap']);
    expect(r.plan.steps).toEqual([]);
    expect(host.mutations()).toEqual([]);
    expect(r.plan.notes.join('\n')).toContain("dpkg trigger rebuilds the initramfs");
    expect(r.plan.notes.join('\n')).toContain('update-initramfs -u');
  });

  it('dracut: the module in the shared modules.d folder counts as the package\'s only when dpkg lists it', async () => {
    const packaged = withPackage(new FakeFsHost(['/usr/bin/dracut'], false));
    const r = await runInstall(opts('initramfs'), { host: packaged });
    expect(r.plan.flavor).toBe('dracut');
    expect(r.plan.packaged).toEqual(DRACUT_FILES.map((f) => f.packaged));
    expect(packaged.mutations()).toEqual([]);

    // The same files from an earlier `initramfs install` (no dpkg list), and no packaging folder: cannot compare, says what to do.
    const copied = new FakeFsHost(['/usr/bin/dracut'], false);
    for (const f of DRACUT_FILES) copied.files.set(f.dest, { content: 'x', mode: '755' });
    await expect(runInstall(opts('initramfs'), { host: copied })).rejects.toBeInstanceOf(UsageError);
  });

  it('neither packaging files nor the package: says what to do', async () => {
    const host = new FakeFsHost(['/usr/sbin/update-initramfs'], false);
    await expect(runInstall(opts('initramfs'), { host })).rejects.toThrow(/\/usr\/share\/initramfs-tools\/hooks\/lvmsnap.*apt-get install \.\/lvmsnap_<version>_amd64\.deb.*'lvmsnap initramfs install' from an lvmsnap checkout/);
    expect(host.mutations()).toEqual([]);
  });
});

describe('the CLI commands (one shared run body)', () => {
  afterEach(() => vi.unstubAllEnvs());
  const cli = async (argv: string[], host: FakeFsHost) => {
    let out = '';
    let err = '';
    const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), host });
    return { code, out, err };
  };

  it('systemd install --json from the package: exit 0, the package\'s units, nothing changed', async () => {
    vi.stubEnv('LVMSNAP_PACKAGING_DIR', '/nowhere');
    const r = await cli(['systemd', 'install', '--json'], withPackage(new FakeFsHost([...SYSTEMD_HOST, WANTS], false)));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, what: 'systemd', changed: false, packaged: ['/lib/systemd/system/lvmsnap-guard@.service', '/lib/systemd/system/lvmsnap-recover.service'] });
  });

  it('initramfs install --check from a packaging folder (LVMSNAP_PACKAGING_DIR): exit 0, the plan, nothing changed', async () => {
    vi.stubEnv('LVMSNAP_PACKAGING_DIR', PKG);
    const host = new FakeFsHost(['/usr/sbin/update-initramfs']);
    const r = await cli(['initramfs', 'install', '--check'], host);
    expect(r.code).toBe(0);
    expect(r.out).toContain('lvmsnap initramfs install (initramfs-tools) --check');
    expect(r.out).toContain(`$ install -D -m 0755 -T -- ${PKG}/initramfs-tools/hooks/lvmsnap /etc/initramfs-tools/hooks/lvmsnap`);
    expect(host.mutations()).toEqual([]);
  });

  it('both commands exit 3 with what to do when there is nothing to install from', async () => {
    vi.stubEnv('LVMSNAP_PACKAGING_DIR', '/nowhere');
    // (the fake hosts have no packaging folder anywhere, and no package)
    for (const [argv, host] of [[['systemd', 'install'], new FakeFsHost(SYSTEMD_HOST, false)], [['initramfs', 'install'], new FakeFsHost(['/usr/sbin/update-initramfs'], false)]] as const) {
      const r = await cli([...argv], host);
      expect(r.code, argv.join(' ')).toBe(3);
      expect(r.err).toMatch(/lvmsnap: this lvmsnap has no packaging files to install .*Nothing was changed\./);
      expect(host.mutations()).toEqual([]);
    }
  });

  it('a failing step: exit 1 and the report says what is left', async () => {
    vi.stubEnv('LVMSNAP_PACKAGING_DIR', PKG);
    const host = new FakeFsHost(['/usr/sbin/update-initramfs']);
    host.failing = 'update-initramfs';
    const r = await cli(['initramfs', 'install'], host);
    expect(r.code).toBe(1);
    expect(r.out).toContain('Failed: command failed');
  });
});
