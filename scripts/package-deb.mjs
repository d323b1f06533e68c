// npm run package:deb: dist/lvmsnap_<version>_amd64.deb, built with dpkg-deb --root-owner-group (no
// debhelper): the executable from `npm run package`, the man page and completions generated from the
// CLI registry (`npm run build`), the reboot-safety units and hooks from packaging/, maintainer scripts
// from packaging/deb/. Paths follow Debian 12 (units in /lib/systemd/system, usrmerge not assumed).
//
//   node scripts/package-deb.mjs [--exe FILE] [--launcher FILE] [--native FILE] [--docs DIR] [--out DIR] [--compress xz|gzip|none] [--level N]
//     --exe       the executable, installed as /usr/libexec/lvmsnap/lvmsnap (default dist/lvmsnap)
//     --launcher  the launcher installed as /usr/sbin/lvmsnap, which runs the executable (default
//                 dist/lvmsnap-launch; src/launcher/launch.c)
//     --native    the executable's native add-on, installed beside it as
//                 /usr/libexec/lvmsnap/lvmsnap-sys.node (default dist/lvmsnap-sys.node; src/native/sys.c)
//     --docs  where lvmsnap.8 and completion/{lvmsnap.bash,_lvmsnap} are (default dist)
//     --out   where the .deb goes (default dist); the staged tree is kept in OUT/deb-root
//     --compress/--level  dpkg-deb's -Z/-z (default xz at level 1: 25 MiB in ~20 s of CPU; level 6
//             saves 3 MiB for four times the CPU)
// Prints the .deb's path. Reproducible: every mtime is SOURCE_DATE_EPOCH (default: the last commit).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, utimesSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const { values: opt } = parseArgs({
  options: {
    exe: { type: 'string', default: join(root, 'dist/lvmsnap') },
    launcher: { type: 'string', default: join(root, 'dist/lvmsnap-launch') },
    native: { type: 'string', default: join(root, 'dist/lvmsnap-sys.node') },
    docs: { type: 'string', default: join(root, 'dist') },
    out: { type: 'string', default: join(root, 'dist') },
    compress: { type: 'string', default: 'xz' },
    level: { type: 'string', default: '1' },
  },
});
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const version = pkg.version;
const maintainer = pkg.author;
if (typeof maintainer !== 'string' || !/^[^<>]+ <[^<>@\s]+@[^<>\s]+>$/.test(maintainer)) {
  throw new Error('package:deb: package.json "author" must be "Name <email>" (it becomes the Maintainer field)');
}

function need(file, how) {
  if (!existsSync(file)) {
    console.error(`package:deb: ${relative(process.cwd(), file) || file} is missing: ${how}`);
    process.exit(1);
  }
  return file;
}
const exe = need(opt.exe, 'build it with `npm run package`');
const launcher = need(opt.launcher, 'build it with `npm run package`');
const native = need(opt.native, 'build it with `npm run package`');
const manPage = need(join(opt.docs, 'lvmsnap.8'), 'it is generated from the CLI registry by `npm run build`');
const bashCompletion = need(join(opt.docs, 'completion/lvmsnap.bash'), 'it is generated from the CLI registry by `npm run build`');
const zshCompletion = need(join(opt.docs, 'completion/_lvmsnap'), 'it is generated from the CLI registry by `npm run build`');
const bundled = join(root, 'dist/lvmsnap.bundled.json');
const P = (rel) => need(join(root, 'packaging', rel), 'it belongs to the repository (packaging/)');

const epoch = Number(process.env['SOURCE_DATE_EPOCH'] ?? execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: root, encoding: 'utf8' }).trim());
const stage = join(opt.out, 'deb-root');
rmSync(stage, { recursive: true, force: true });
mkdirSync(join(stage, 'DEBIAN'), { recursive: true });

/** Conffiles: files under /etc, which dpkg keeps on remove and asks about when the admin changed them. */
const conffiles = [];
function put(dest, { from, text, bytes, mode }) {
  const file = join(stage, dest);
  mkdirSync(dirname(file), { recursive: true });
  if (from !== undefined) copyFileSync(from, file);
  else writeFileSync(file, bytes ?? text);
  chmodSync(file, mode);
  if (dest.startsWith('/etc/')) conffiles.push(dest);
}
const gz = (text) => gzipSync(Buffer.from(text), { level: 9 }).subarray(0); // node's gzip header has no name and mtime 0
const doc = '/usr/share/doc/lvmsnap';

// The launcher starts lvm's shell before Node for an apply, then runs the executable (the engine) from
// /usr/libexec/lvmsnap, where src/launcher/launch.c looks for it.
put('/usr/sbin/lvmsnap', { from: launcher, mode: 0o755 });
put('/usr/libexec/lvmsnap/lvmsnap', { from: exe, mode: 0o755 });
// Its native add-on (umount and losetup --detach without a process), found beside it (src/native/load.ts).
put('/usr/libexec/lvmsnap/lvmsnap-sys.node', { from: native, mode: 0o644 });
put('/usr/share/man/man8/lvmsnap.8.gz', { bytes: gz(readFileSync(manPage)), mode: 0o644 });
put('/usr/share/bash-completion/completions/lvmsnap', { from: bashCompletion, mode: 0o644 });
put('/usr/share/zsh/vendor-completions/_lvmsnap', { from: zshCompletion, mode: 0o644 });
put('/lib/systemd/system/lvmsnap-guard@.service', { from: P('systemd/lvmsnap-guard@.service'), mode: 0o644 });
put('/lib/systemd/system/lvmsnap-recover.service', { from: P('systemd/lvmsnap-recover.service'), mode: 0o644 });
put('/usr/share/initramfs-tools/hooks/lvmsnap', { from: P('initramfs-tools/hooks/lvmsnap'), mode: 0o755 });
put('/usr/share/initramfs-tools/scripts/local-top/lvmsnap', { from: P('initramfs-tools/scripts/local-top/lvmsnap'), mode: 0o755 });
put('/usr/lib/dracut/modules.d/90lvmsnap/module-setup.sh', { from: P('dracut/90lvmsnap/module-setup.sh'), mode: 0o755 });
// The same script as the local-top one (a copy in the repository: npm pack drops symlinks).
put('/usr/lib/dracut/modules.d/90lvmsnap/lvmsnap-recover.sh', { from: P('dracut/90lvmsnap/lvmsnap-recover.sh'), mode: 0o755 });
put('/etc/molly-guard/run.d/30-lvmsnap', { from: P('molly-guard/run.d/30-lvmsnap'), mode: 0o755 });
put(`${doc}/examples/lvmsnap.yaml`, { from: P('examples/lvmsnap.yaml'), mode: 0o644 });
put(`${doc}/copyright`, { text: copyright(), mode: 0o644 });
put(`${doc}/changelog.gz`, { bytes: gz(changelog()), mode: 0o644 });
put('/usr/share/lintian/overrides/lvmsnap', { from: P('deb/lintian-overrides'), mode: 0o644 });

for (const script of ['postinst', 'prerm', 'postrm']) put(`/DEBIAN/${script}`, { from: P(`deb/${script}`), mode: 0o755 });
put('/DEBIAN/triggers', { from: P('deb/triggers'), mode: 0o644 });
if (conffiles.length > 0) put('/DEBIAN/conffiles', { text: conffiles.map((f) => `${f}\n`).join(''), mode: 0o644 });

const payload = walk(stage).filter((f) => !f.startsWith('DEBIAN/'));
const md5 = payload.filter((f) => statSync(join(stage, f)).isFile() && !conffiles.includes(`/${f}`));
put('/DEBIAN/md5sums', {
  text: md5.map((f) => `${createHash('md5').update(readFileSync(join(stage, f))).digest('hex')}  ${f}\n`).join(''),
  mode: 0o644,
});
const installedKiB = payload.reduce((n, f) => n + Math.ceil(statSync(join(stage, f)).size / 1024), 0) + payload.filter((f) => statSync(join(stage, f)).isDirectory()).length;
put('/DEBIAN/control', { text: control(installedKiB), mode: 0o644 });

for (const f of ['', ...walk(stage)]) utimesSync(join(stage, f), epoch, epoch);
for (const f of walk(stage)) if (statSync(join(stage, f)).isDirectory()) chmodSync(join(stage, f), 0o755);
chmodSync(stage, 0o755);

const deb = join(opt.out, `lvmsnap_${version}_amd64.deb`);
execFileSync('dpkg-deb', ['--root-owner-group', `-Z${opt.compress}`, `-z${opt.level}`, '--build', stage, deb], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) },
});
console.log(deb);

function walk(dir, base = dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    out.push(relative(base, p));
    if (e.isDirectory()) out.push(...walk(p, base));
  }
  return out;
}

function control(installedSize) {
  return [
    'Package: lvmsnap',
    `Version: ${version}`,
    'Architecture: amd64',
    `Maintainer: ${maintainer}`,
    `Installed-Size: ${installedSize}`,
    `Depends: ${libraryDepends()}, lvm2 (>= 2.03), util-linux (>= 2.38)`,
    'Recommends: zstd, pigz, fsarchiver',
    'Suggests: molly-guard',
    'Section: admin',
    'Priority: optional',
    'Description: consistent, idempotent LVM snapshots for backups',
    ' lvmsnap takes an LVM volume to a stated snapshot state and back: "present"',
    ' creates a copy-on-write snapshot (borrowing the space from a file through a',
    ' loop PV when the volume group is full) and mounts it read-only for a backup;',
    ' "absent" removes exactly what lvmsnap created. Every run is idempotent and',
    ' can be planned first (--check), and interrupted runs are finished by the',
    ' next one.',
    ' .',
    ' The package ships a shutdown guard and boot-time recovery (systemd units,',
    ' initramfs-tools hook, dracut module, molly-guard check) so that a reboot',
    ' with a snapshot chain in place does not leave the volume group incomplete.',
    ' The program is a single executable with its own JavaScript runtime.',
    '',
  ].join('\n');
}

/** Shared libraries the executable links against, as Debian package dependencies (dpkg-shlibdeps). */
function libraryDepends() {
  const tmp = join(opt.out, 'shlibdeps');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'debian'), { recursive: true });
  // dpkg-shlibdeps wants a source package around; a minimal control file is enough.
  writeFileSync(join(tmp, 'debian/control'), 'Source: lvmsnap\n\nPackage: lvmsnap\nArchitecture: amd64\n');
  const out = execFileSync('dpkg-shlibdeps', ['-O', '--warnings=0', join(stage, 'usr/sbin/lvmsnap'), join(stage, 'usr/libexec/lvmsnap/lvmsnap'), join(stage, 'usr/libexec/lvmsnap/lvmsnap-sys.node')], { cwd: tmp, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    .split('\n').find((l) => l.startsWith('shlibs:Depends='));
  rmSync(tmp, { recursive: true, force: true });
  // A JavaScript file (the test builds with the bundle instead of the executable) links nothing.
  return out === undefined || out === 'shlibs:Depends=' ? 'libc6' : out.slice('shlibs:Depends='.length);
}

function copyright() {
  const b = existsSync(bundled) ? JSON.parse(readFileSync(bundled, 'utf8')) : { node: process.version, packages: [] };
  const year = new Date(epoch * 1000).getUTCFullYear();
  // The license text of LICENSE, without its title and copyright line.
  const mit = readFileSync(join(root, 'LICENSE'), 'utf8').split('\n').slice(4).join('\n').trimEnd()
    .split('\n').map((l) => (l === '' ? ' .' : ` ${l}`)).join('\n');
  return [
    'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
    'Upstream-Name: lvmsnap',
    '',
    'Files: *',
    `Copyright: ${year} ${maintainer.replace(/ <.*/, '')}`,
    'License: Expat',
    'Comment:',
    ' /usr/sbin/lvmsnap is lvmsnap\'s own launcher (C, src/launcher/launch.c), and',
    ' /usr/libexec/lvmsnap/lvmsnap-sys.node its own native add-on (C, src/native/sys.c).',
    ` /usr/libexec/lvmsnap/lvmsnap is the Node.js ${b.node} runtime (Expat; it includes V8, libuv,`,
    ' OpenSSL, ICU, zlib and others under their own permissive licenses, listed at',
    ` https://github.com/nodejs/node/blob/${b.node}/LICENSE) with lvmsnap's JavaScript`,
    ...(b.packages.length > 0
      ? [' built in, which includes these npm packages (name, version, license):', ...b.packages.map((p) => `  ${p.name} ${p.version}: ${p.license}`)]
      : [' built in.']),
    '',
    'License: Expat',
    mit,
    '',
  ].join('\n');
}

function changelog() {
  const date = new Date(epoch * 1000).toUTCString().replace('GMT', '+0000');
  return `lvmsnap (${version}) unstable; urgency=medium\n\n  * Release ${version}.\n\n -- ${maintainer}  ${date}\n`;
}
