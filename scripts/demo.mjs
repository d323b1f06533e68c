// npm run demo: the real lvmsnap CLI on the built-in simulated system (no root, no LVM needed).
// A full volume group forces the tmp-file chain: file -> loop device -> PV -> snapshot -> read-only mount.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'lvmsnap-demo-'));
const state = join(dir, 'system.json');
writeFileSync(state, JSON.stringify({ simpleSystem: { vgFreeBytes: 0, fstype: 'xfs' } }));
const bin = new URL('../bin/lvmsnap.cjs', import.meta.url).pathname;
const target = ['--vg', 'vg0', '--lv', 'root', '--size', '64M', '--tmp-file', '/var/space/lvmsnap-cow.img', '--mountpoint', '/media/snap'];

const steps = [
  ['plan', ...target],
  ['apply', '--state', 'present', ...target],
  ['status', ...target],
  ['apply', '--state', 'present', ...target],
  ['apply', '--state', 'absent', '--diff', ...target],
  ['status', ...target],
];

console.log(`Simulated host: vg0 is full; vg0/root is a mounted 100 MiB xfs volume; /var/space is a 200 MiB tmpfs.\n(state kept in ${state})\n`);
let failed = false;
for (const args of steps) {
  console.log(`$ lvmsnap ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [bin, ...args], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, LVMSNAP_SIMULATOR: state } });
  console.log(`(exit ${r.status})\n`);
  if (r.status !== 0) failed = true;
}
rmSync(dir, { recursive: true, force: true });
if (failed) {
  console.error('demo: a step failed');
  process.exit(1);
}
