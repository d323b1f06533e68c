// npm run lint:deb: lintian on dist/lvmsnap_<version>_amd64.deb (build it first: npm run package:deb).
// Fails on any error or warning; the accepted ones are overridden, each with its reason, in
// packaging/deb/lintian-overrides (installed as /usr/share/lintian/overrides/lvmsnap). Overridden
// and informational tags are printed too, so nothing is hidden.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const deb = process.argv[2] ?? `${root}dist/lvmsnap_${version}_amd64.deb`;
if (!existsSync(deb)) {
  console.error(`lint:deb: ${deb} does not exist: run npm run package:deb first`);
  process.exit(1);
}
const probe = spawnSync('lintian', ['--version'], { encoding: 'utf8' });
if (probe.error) {
  console.error('lint:deb: lintian is not installed (apt-get install lintian)');
  process.exit(1);
}
console.log(`${probe.stdout.trim()} on ${deb}`);
// One run shows everything; lintian counts shown overrides toward --fail-on, so the E:/W: lines decide.
const r = spawnSync('lintian', ['--fail-on', 'none', '--display-info', '--show-overrides', '--tag-display-limit', '0', deb], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
process.stdout.write(r.stdout);
process.stderr.write(r.stderr.replace(/^running with root privileges is not recommended!\n/m, ''));
if (r.status !== 0) {
  console.error(`lint:deb: lintian itself failed (exit ${r.status})`);
  process.exit(1);
}
const bad = r.stdout.split('\n').filter((l) => /^[EW]: /.test(l));
console.log(bad.length === 0 ? 'lint:deb: no errors or warnings (overrides and informational tags above)' : `lint:deb: ${bad.length} error(s)/warning(s)`);
process.exit(bad.length === 0 ? 0 : 1);
