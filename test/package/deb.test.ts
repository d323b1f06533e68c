// Layout of the Debian package (scripts/package-deb.mjs): built here into a temporary folder with
// /usr/bin/true standing in for the 80 MiB executable (and /usr/bin/false for the launcher; the native
// add-on is the real one, built here) (the layout, control fields, md5sums and the
// maintainer scripts do not depend on it; the VM tier installs the real one), then read back with
// dpkg-deb. The maintainer scripts run against fake lvm / deb-systemd-helper / systemctl on PATH.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a build script without type declarations
import { buildNative } from '../../scripts/native.mjs';

const root = new URL('../..', import.meta.url).pathname;
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
let dir = '';
let deb = '';
let tree = '';
let ctrl = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lvmsnap-deb-'));
  buildNative(join(dir, 'sys.node'));
  const r = spawnSync(process.execPath, [join(root, 'scripts/package-deb.mjs'), '--exe', '/usr/bin/true', '--launcher', '/usr/bin/false', '--native', join(dir, 'sys.node'), '--out', dir, '--compress', 'none'], {
    encoding: 'utf8',
    env: { ...process.env, SOURCE_DATE_EPOCH: '1764547200' },
  });
  expect(r.status, r.stderr).toBe(0);
  deb = r.stdout.trim();
  tree = join(dir, 'x');
  ctrl = join(dir, 'c');
  execFileSync('dpkg-deb', ['-x', deb, tree]);
  execFileSync('dpkg-deb', ['-e', deb, ctrl]);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** path -> "mode owner/group" from dpkg-deb -c (directories end with /). */
function contents(): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of execFileSync('dpkg-deb', ['-c', deb], { encoding: 'utf8' }).trim().split('\n')) {
    const f = line.split(/\s+/);
    out.set(f[5]!.replace(/^\./, ''), `${f[0]} ${f[1]}`);
  }
  return out;
}

const FILES: [string, string][] = [
  ['/usr/sbin/lvmsnap', '-rwxr-xr-x'],
  ['/usr/libexec/lvmsnap/lvmsnap', '-rwxr-xr-x'],
  ['/usr/libexec/lvmsnap/lvmsnap-sys.node', '-rw-r--r--'],
  ['/usr/share/man/man8/lvmsnap.8.gz', '-rw-r--r--'],
  ['/lib/systemd/system/lvmsnap-guard@.service', '-rw-r--r--'],
  ['/lib/systemd/system/lvmsnap-recover.service', '-rw-r--r--'],
  ['/usr/share/initramfs-tools/hooks/lvmsnap', '-rwxr-xr-x'],
  ['/usr/share/initramfs-tools/scripts/local-top/lvmsnap', '-rwxr-xr-x'],
  ['/usr/lib/dracut/modules.d/90lvmsnap/module-setup.sh', '-rwxr-xr-x'],
  ['/usr/lib/dracut/modules.d/90lvmsnap/lvmsnap-recover.sh', '-rwxr-xr-x'],
  ['/etc/molly-guard/run.d/30-lvmsnap', '-rwxr-xr-x'],
  ['/usr/share/bash-completion/completions/lvmsnap', '-rw-r--r--'],
  ['/usr/share/zsh/vendor-completions/_lvmsnap', '-rw-r--r--'],
  ['/usr/share/doc/lvmsnap/examples/lvmsnap.yaml', '-rw-r--r--'],
  ['/usr/share/doc/lvmsnap/copyright', '-rw-r--r--'],
  ['/usr/share/doc/lvmsnap/changelog.gz', '-rw-r--r--'],
  ['/usr/share/lintian/overrides/lvmsnap', '-rw-r--r--'],
];

describe('lvmsnap .deb', () => {
  it('is named lvmsnap_<version>_amd64.deb and holds exactly the expected files, root-owned, with their modes', () => {
    expect(deb).toBe(join(dir, `lvmsnap_${version}_amd64.deb`));
    const c = contents();
    const files = [...c].filter(([p]) => !p.endsWith('/'));
    expect(files.map(([p]) => p).sort()).toEqual(FILES.map(([p]) => p).sort());
    for (const [p, mode] of FILES) expect(c.get(p), p).toBe(`${mode} root/root`);
    for (const [p, v] of c) if (p.endsWith('/')) expect(v, p).toBe('drwxr-xr-x root/root');
  });

  it('has the control fields: version, arch, Depends on lvm2, util-linux and the libraries, Recommends', () => {
    const f = (field: string) => execFileSync('dpkg-deb', ['-f', deb, field], { encoding: 'utf8' }).trim();
    expect(f('Package')).toBe('lvmsnap');
    expect(f('Version')).toBe(version);
    expect(f('Architecture')).toBe('amd64');
    expect(f('Maintainer')).toMatch(/^[^<]+ <[^@>]+@[^>]+>$/);
    const depends = f('Depends').split(', ').map((d) => d.split(' ')[0]);
    expect(depends).toEqual(expect.arrayContaining(['libc6', 'lvm2', 'util-linux']));
    expect(f('Recommends').split(', ')).toEqual(['zstd', 'pigz', 'fsarchiver']);
    expect(Number(f('Installed-Size'))).toBeGreaterThan(0);
    expect(f('Section')).toBe('admin');
  });

  it('marks the /etc file as a conffile, lists md5sums of every other file (and they match), triggers update-initramfs', () => {
    expect(readFileSync(join(ctrl, 'conffiles'), 'utf8')).toBe('/etc/molly-guard/run.d/30-lvmsnap\n');
    const sums = readFileSync(join(ctrl, 'md5sums'), 'utf8').trim().split('\n');
    expect(sums.map((l) => `/${l.split('  ')[1]}`).sort()).toEqual(FILES.map(([p]) => p).filter((p) => !p.startsWith('/etc/')).sort());
    const check = spawnSync('md5sum', ['--check', '--quiet', join(ctrl, 'md5sums')], { cwd: tree, encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(readFileSync(join(ctrl, 'triggers'), 'utf8')).toMatch(/^activate-noawait update-initramfs$/m);
  });

  it('ships the repository files unchanged, the man page and changelog gzipped without timestamps', () => {
    const same: [string, string][] = [
      ['lib/systemd/system/lvmsnap-recover.service', 'packaging/systemd/lvmsnap-recover.service'],
      ['usr/share/initramfs-tools/scripts/local-top/lvmsnap', 'packaging/initramfs-tools/scripts/local-top/lvmsnap'],
      ['usr/lib/dracut/modules.d/90lvmsnap/lvmsnap-recover.sh', 'packaging/initramfs-tools/scripts/local-top/lvmsnap'],
      ['etc/molly-guard/run.d/30-lvmsnap', 'packaging/molly-guard/run.d/30-lvmsnap'],
      ['usr/share/bash-completion/completions/lvmsnap', 'dist/completion/lvmsnap.bash'],
      ['usr/share/zsh/vendor-completions/_lvmsnap', 'dist/completion/_lvmsnap'],
      ['usr/share/doc/lvmsnap/examples/lvmsnap.yaml', 'packaging/examples/lvmsnap.yaml'],
    ];
    for (const [inDeb, inRepo] of same) expect(readFileSync(join(tree, inDeb), 'utf8'), inDeb).toBe(readFileSync(join(root, inRepo), 'utf8'));
    const man = readFileSync(join(tree, 'usr/share/man/man8/lvmsnap.8.gz'));
    expect(man.readUInt32LE(4)).toBe(0); // gzip MTIME
    expect(gunzipSync(man).toString()).toBe(readFileSync(join(root, 'dist/lvmsnap.8'), 'utf8'));
    const changelog = gunzipSync(readFileSync(join(tree, 'usr/share/doc/lvmsnap/changelog.gz'))).toString();
    expect(changelog).toMatch(new RegExp(`^lvmsnap \\(${version.replace(/\./g, '\\.')}\\) unstable; urgency=medium\\n`));
    expect(changelog).toMatch(/\n -- [^<]+ <[^>]+>  Mon, 01 Dec 2025 00:00:00 \+0000\n$/);
    expect(readFileSync(join(tree, 'usr/share/doc/lvmsnap/copyright'), 'utf8')).toMatch(/^Format: https:\/\/www\.debian\.org\/doc\/packaging-manuals\/copyright-format\/1\.0\/\n/);
  });

  it('puts the units and hooks where `systemd install` / `initramfs install` look for the package\'s copies (same content, same mode)', async () => {
    const { SYSTEMD_FILES } = await import('../../src/sysinstall/systemd.js');
    const { INITRAMFS_TOOLS_FILES, DRACUT_FILES } = await import('../../src/sysinstall/initramfs.js');
    const c = contents();
    for (const f of [...SYSTEMD_FILES, ...INITRAMFS_TOOLS_FILES, ...DRACUT_FILES]) {
      expect(c.get(f.packaged)?.split(' ')[0], f.packaged).toBe(f.mode === '0755' ? '-rwxr-xr-x' : '-rw-r--r--');
      expect(readFileSync(join(tree, f.packaged), 'utf8'), f.packaged).toBe(readFileSync(join(root, 'packaging', f.rel), 'utf8'));
    }
  });

  it('the example config is a valid target', async () => {
    const { parseConfigText, toTarget } = await import('../../src/target.js');
    const text = readFileSync(join(tree, 'usr/share/doc/lvmsnap/examples/lvmsnap.yaml'), 'utf8');
    const t = toTarget(await parseConfigText(text, 'lvmsnap.yaml'), 'lvmsnap.yaml');
    expect(t).toMatchObject({ vg: 'vg0', lv: 'root', snapshot: 'root-lvmsnap', mountpoint: '/media/root-snap' });
  });

  describe('maintainer scripts', () => {
    let bin = '';
    let log = '';
    beforeAll(() => {
      bin = join(dir, 'fakebin');
      log = join(dir, 'calls.log');
      mkdirSync(bin, { recursive: true });
      // Each fake logs its argv; lvm prints $FAKE_PVS.
      for (const tool of ['deb-systemd-helper', 'systemctl', 'lvm']) {
        const body = tool === 'lvm' ? 'printf "%s" "$FAKE_PVS"\n' : '';
        writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} $*" >>"${log}"\n${body}exit 0\n`);
        chmodSync(join(bin, tool), 0o755);
      }
    });
    const run = (script: string, args: string[], env: Record<string, string> = {}) => {
      rmSync(log, { force: true });
      const r = spawnSync('sh', [join(ctrl, script), ...args], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin`, ...env } });
      let calls = '';
      try {
        calls = readFileSync(log, 'utf8');
      } catch {
        /* no call */
      }
      return { status: r.status, stderr: r.stderr, calls };
    };

    it('parse with sh -n and are executable', () => {
      for (const s of ['postinst', 'prerm', 'postrm']) {
        expect(spawnSync('sh', ['-n', join(ctrl, s)]).status, s).toBe(0);
      }
      const modes = execFileSync('stat', ['-c', '%n %a', join(ctrl, 'postinst'), join(ctrl, 'prerm'), join(ctrl, 'postrm')], { encoding: 'utf8' });
      expect(modes.trim().split('\n').map((l) => l.split(' ')[1])).toEqual(['755', '755', '755']);
    });

    it('postinst configure enables lvmsnap-recover.service (never the guard template, never starts anything)', () => {
      const r = run('postinst', ['configure']);
      expect(r.status).toBe(0);
      expect(r.calls).toMatch(/^deb-systemd-helper unmask lvmsnap-recover\.service$/m);
      expect(r.calls).toMatch(/^deb-systemd-helper --quiet was-enabled lvmsnap-recover\.service$/m);
      expect(r.calls).toMatch(/^deb-systemd-helper enable lvmsnap-recover\.service$/m);
      expect(r.calls).not.toMatch(/guard/);
      expect(r.calls).not.toMatch(/systemctl (start|restart|enable)/);
    });

    it('prerm refuses removal while a PV tagged lvmsnap exists; upgrades, untagged PVs and LVMSNAP_REMOVE_ANYWAY=1 pass', () => {
      const tagged = '  /dev/loop0|lvmsnap,lvmsnap_for_root-lvmsnap\n  /dev/vda|\n';
      const refused = run('prerm', ['remove'], { FAKE_PVS: tagged });
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/not removing lvmsnap while its loop PV\(s\) are in use: \/dev\/loop0\n/);
      expect(refused.stderr).toMatch(/lvmsnap recover/);
      expect(run('prerm', ['remove'], { FAKE_PVS: '  /dev/vda|\n  /dev/vdb|notlvmsnap,other\n' }).status).toBe(0);
      expect(run('prerm', ['upgrade', '0.2.0'], { FAKE_PVS: tagged }).status).toBe(0);
      expect(run('prerm', ['remove'], { FAKE_PVS: tagged, LVMSNAP_REMOVE_ANYWAY: '1' }).status).toBe(0);
    });

    it('postrm remove masks the boot unit; purge removes its links and state and lvmsnap\'s own files', () => {
      const r = run('postrm', ['remove']);
      expect(r.status).toBe(0);
      // debhelper's snippet only calls deb-systemd-helper when /usr/bin/deb-systemd-helper exists (here: the fake on PATH runs).
      expect(r.calls).toBe(existsSync('/usr/bin/deb-systemd-helper') ? 'deb-systemd-helper mask lvmsnap-recover.service\n' : '');
      // The -x test of /usr/bin/deb-systemd-helper is the host's; the purge branch is checked by its text
      // (running it would delete /var/lib/lvmsnap of this machine) and in the VM tier for real.
      const text = readFileSync(join(ctrl, 'postrm'), 'utf8');
      expect(text).toMatch(/if \[ "\$1" = "purge" \]; then[\s\S]*deb-systemd-helper purge 'lvmsnap-recover\.service'[\s\S]*deb-systemd-helper unmask 'lvmsnap-recover\.service'[\s\S]*rm -rf \/var\/lib\/lvmsnap \/run\/lock\/lvmsnap/);
      expect(text).toMatch(/if \[ "\$1" = "remove" \]; then[\s\S]*deb-systemd-helper mask 'lvmsnap-recover\.service'/);
    });
  });
});
