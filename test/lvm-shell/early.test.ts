// The early lvm shell (src/host-real-early.ts): which runs start it, that apply/plan/status take it for
// the report (after the lock), that the simulator models it (one shell process, taken or not), and that
// the real launcher never leaves an lvm behind, whether the run used it or not.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { wantsEarlyLvm } from '../../src/host-real-early.js';
import { rehearse } from '../../src/rehearse.js';
import { simpleSystem } from '../../src/sim/build.js';
import { SimHost, type SimCall } from '../../src/sim/host.js';

const T = ['--vg', 'vg0', '--lv', 'root', '--tmp-file', '/var/space/cow.img', '--mountpoint', '/media/snap', '--size', '32M'];

async function cli(argv: string[], host: SimHost) {
  let out = '';
  const code = await main(argv, { host, stdout: (s) => { out += s; }, stderr: () => {}, deps: { rehearse } });
  return { code, out };
}
// The shell processes, locks and reports of a run: "> fullreport" in a shell, "lvm fullreport" forked.
const ops = (calls: readonly SimCall[]) => calls.filter((c) => c.op === 'lvmShell' || c.op === 'lock' || (c.op === 'run' && c.argv.includes('fullreport')))
  .map((c) => (c.op === 'run' ? (c.inShell ? `> ${c.argv[0]}` : c.argv.slice(0, 2).join(' ')) : c.op));

describe('the early lvm shell', () => {
  it('is started for apply, plan and status only, never for help, the version or the simulator', () => {
    expect(wantsEarlyLvm(['apply', '--state', 'present', ...T], {})).toBe(true);
    expect(wantsEarlyLvm(['plan', ...T], {})).toBe(true);
    expect(wantsEarlyLvm(['status', '--config', 'x.yaml'], {})).toBe(true);
    // After `--` a -h is a value, not a request for help.
    expect(wantsEarlyLvm(['status', '--vg', 'vg0', '--', '-h'], {})).toBe(true);
    for (const argv of [['apply', '--help'], ['status', '-h'], ['plan', '--version'], ['apply', '-V'], [], ['--version'], ['backup', ...T],
      ['recover'], ['snapshot-mount', '--vg', 'vg0'], ['check', 'reboot']]) expect(wantsEarlyLvm(argv, {}), argv.join(' ')).toBe(false);
    expect(wantsEarlyLvm(['status', ...T], { LVMSNAP_SIMULATOR: '/tmp/s.json' })).toBe(false);
  });

  it('status and plan ask it for the report: still one lvm process, the report in it', async () => {
    for (const argv of [['status', ...T], ['plan', ...T], ['apply', '--state', 'present', '--check', ...T]]) {
      const host = new SimHost(simpleSystem({ vgFreeBytes: 0 }), { earlyLvmShell: true });
      expect((await cli([...argv, '--json'], host)).code, argv[0]).toBe(0);
      expect(ops(host.calls), argv[0]).toEqual(['lvmShell', '> fullreport']);
      // Without it the report is forked, as before.
      const plain = new SimHost(simpleSystem({ vgFreeBytes: 0 }));
      await cli(argv, plain);
      expect(ops(plain.calls), argv[0]).toEqual(['lvm fullreport']);
    }
  });

  it('apply takes it after the lock and runs the report and its LVM commands in it', async () => {
    const host = new SimHost(simpleSystem({ vgFreeBytes: 0 }), { earlyLvmShell: true });
    const r = await cli(['apply', '--state', 'present', ...T, '--json'], host);
    expect(r.code).toBe(0);
    expect(ops(host.calls)).toEqual(['lvmShell', 'lock', '> fullreport']);
    expect(host.calls.filter((c) => c.op === 'lvmShell')).toHaveLength(1);
    expect(host.calls.filter((c) => c.mutating && ['pvcreate', 'vgextend', 'pvchange', 'lvcreate'].includes(c.argv[0]!)).every((c) => c.inShell)).toBe(true);
    // --json lists the report as `lvm fullreport`, with its time, as when forked.
    const first = JSON.parse(r.out).commands[0];
    expect([first.argv.slice(0, 2), first.mutating, first.exitCode]).toEqual([['lvm', 'fullreport'], false, 0]);
  });

  it('a run that never gets to the report (bad input, a held lock) leaves it unused: one shell process, nothing run', async () => {
    const bad = new SimHost(simpleSystem({ vgFreeBytes: 0 }), { earlyLvmShell: true });
    expect((await cli(['apply', '--state', 'present', '--vg', 'vg0'], bad)).code).toBe(3);
    expect(ops(bad.calls)).toEqual(['lvmShell']);
    const system = simpleSystem({ vgFreeBytes: 0 });
    const holder = new SimHost(system);
    await holder.lock('/run/lock/lvmsnap/vg0-root-lvmsnap.lock');
    const refused = new SimHost(holder.system, { earlyLvmShell: true });
    expect((await cli(['apply', '--state', 'present', ...T], refused)).code).toBe(3);
    expect(ops(refused.calls)).toEqual(['lvmShell', 'lock']);
    holder.kill();
  });
});

describe('the launcher with a stand-in lvm (bin/lvmsnap.cjs)', () => {
  const root = new URL('../..', import.meta.url).pathname;
  // A stand-in for lvm2's shell: logs its start, every line it is sent, and its end of input.
  const dir = mkdtempSync(join(tmpdir(), 'lvmsnap-early-'));
  mkdirSync(join(dir, 'etc/profile'), { recursive: true });
  writeFileSync(join(dir, 'etc/profile/lvmdbusd.profile'), '');
  const log = join(dir, 'log');
  writeFileSync(join(dir, 'lvm'), `#!/bin/sh\necho "start $#" >>'${log}'\nwhile read -r line; do echo "line $line" >>'${log}'; done\necho end >>'${log}'\n`);
  chmodSync(join(dir, 'lvm'), 0o755);
  const run = (args: string[]) => spawnSync(process.execPath, [join(root, 'bin/lvmsnap.cjs'), ...args], {
    encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}`, LVM_SYSTEM_DIR: join(dir, 'etc') },
  });

  it('bad input: the early lvm got no command and had ended before lvmsnap exited', () => {
    writeFileSync(log, '');
    const r = run(['apply', '--state', 'present', '--vg', 'vg0', '--lv', 'snapshot1']);
    expect(r.status).toBe(3);
    expect(readFileSync(log, 'utf8')).toBe('start 0\nend\n');
  });

  it('--help and --version start no lvm', () => {
    writeFileSync(log, '');
    expect(run(['apply', '--help']).status).toBe(0);
    expect(run(['status', '--version']).status).toBe(0);
    expect(existsSync(log) ? readFileSync(log, 'utf8') : '').toBe('');
  });
});
