// The applier runs consecutive LVM commands through one lvm shell (simulated: the model of record).
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { rehearse } from '../../src/rehearse.js';
import { simpleSystem } from '../../src/sim/build.js';
import { SimHost, type SimCall } from '../../src/sim/host.js';
import { addLv } from '../../src/sim/model.js';
import type { SimSystem } from '../../src/sim/state.js';

const T = ['--vg', 'vg0', '--lv', 'root', '--tmp-file', '/var/space/cow.img', '--mountpoint', '/media/snap', '--size', '32M'];

async function cli(argv: string[], host: SimHost) {
  let out = '';
  let err = '';
  const code = await main(argv, { host, stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, deps: { rehearse } });
  return { code, out, err, json: () => JSON.parse(out) as { commands: { argv: string[]; exitCode: number; ms: number; mutating: boolean }[]; error?: string } };
}
/** The host's calls as "shell", "argv0" (forked) or "> argv0" (through the shell). */
const shape = (calls: readonly SimCall[]): string[] =>
  calls.filter((c) => c.op === 'lvmShell' || (c.op === 'run' && c.mutating)).map((c) => (c.op === 'lvmShell' ? 'shell' : `${c.inShell ? '> ' : ''}${c.argv[0]}`));

describe('lvm shell in the applier', () => {
  it('present: the report and the four LVM commands through one shell, the others forked; absent: report, lvremove + vgreduce through one', async () => {
    const host = new SimHost(simpleSystem({ vgFreeBytes: 0 }));
    const r = await cli(['apply', '--state', 'present', ...T, '--json'], host);
    expect(r.code).toBe(0);
    expect(shape(host.calls)).toEqual(['shell', 'fallocate', 'losetup', '> pvcreate', '> vgextend', '> pvchange', '> lvcreate', 'mkdir', 'mount']);
    // The observation's report is the shell's first line: one lvm process for the whole run.
    expect(host.calls.filter((c) => c.op === 'lvmShell' || c.inShell).map((c) => c.op === 'lvmShell' ? 'shell' : c.argv[0])).toEqual(
      ['shell', 'fullreport', 'pvcreate', 'vgextend', 'pvchange', 'lvcreate']);
    expect(host.calls.some((c) => c.op === 'run' && !c.inShell && c.argv[0] === 'lvm')).toBe(false);
    // --json still lists every command with its own argv, exit code and time.
    expect(r.json().commands.filter((c) => c.mutating).map((c) => c.argv[0])).toEqual(
      ['fallocate', 'losetup', 'pvcreate', 'vgextend', 'pvchange', 'lvcreate', 'mkdir', 'mount']);
    for (const c of r.json().commands) {
      const base = { argv: expect.any(Array), exitCode: 0, ms: expect.any(Number), mutating: expect.any(Boolean) };
      // mkdir of the mountpoint runs without a process (src/in-process/) and says so.
      expect(c).toEqual(c.argv[0] === 'mkdir' ? { ...base, inProcess: true } : base);
    }

    const down = new SimHost(host.system);
    expect((await cli(['apply', '--state', 'absent', ...T], down)).code).toBe(0);
    expect(shape(down.calls)).toEqual(['shell', 'umount', 'rmdir', '> lvremove', '> vgreduce', 'losetup', 'rm']);
    // --check and status fork the report: no shell for a run that changes nothing.
    const check = new SimHost(host.system);
    expect((await cli(['apply', '--state', 'absent', ...T, '--check'], check)).code).toBe(0);
    expect(check.calls.filter((c) => c.op === 'lvmShell' || c.inShell)).toEqual([]);
    expect(check.commands.map((c) => c.argv.slice(0, 2).join(' '))).toEqual(['lvm fullreport']);
  });

  it('a failing command in the shell stops the plan there: named with its error, nothing after it runs', async () => {
    // Someone takes the snapshot name between observation and lvcreate: lvcreate fails in the shell.
    let taken = false;
    const host = new SimHost(simpleSystem({ vgFreeBytes: 0 }), {
      beforeRun: (s: SimSystem, argv) => {
        if (argv[0] !== 'lvcreate' || taken) return s;
        taken = true;
        return addLv(s, 'vg0', 'root-lvmsnap', 4 << 20, { fstype: 'none' });
      },
    });
    const r = await cli(['apply', '--state', 'present', ...T, '--json'], host);
    expect(r.code).not.toBe(0);
    expect(shape(host.calls)).toEqual(['shell', 'fallocate', 'losetup', '> pvcreate', '> vgextend', '> pvchange', '> lvcreate']);
    const failed = r.json().commands.at(-1)!;
    expect(failed.argv[0]).toBe('lvcreate');
    expect(failed.exitCode).toBe(5);
    expect(r.json().error).toMatch(/lvcreate --yes --snapshot/);
    expect(r.json().error).toMatch(/root-lvmsnap.*already exists/);
  });

  it('a host without a shell (no lvmdbusd profile) forks every command, with the same end state', async () => {
    const shell = new SimHost(simpleSystem({ vgFreeBytes: 0 }));
    const forked = new SimHost(simpleSystem({ vgFreeBytes: 0 }));
    (forked as { lvmShell?: unknown }).lvmShell = () => null;
    await cli(['apply', '--state', 'present', ...T], shell);
    await cli(['apply', '--state', 'present', ...T], forked);
    expect(shape(forked.calls)).toEqual(['fallocate', 'losetup', 'pvcreate', 'vgextend', 'pvchange', 'lvcreate', 'mkdir', 'mount']);
    expect(JSON.stringify(forked.system)).toBe(JSON.stringify(shell.system));
  });

  it('killed after the k-th mutating operation: inside the shell too, each command counts once', async () => {
    const full = new SimHost(simpleSystem({ vgFreeBytes: 0 }));
    await cli(['apply', '--state', 'present', ...T], full);
    const total = full.mutatingCount;
    for (let k = 1; k < total; k++) {
      const host = new SimHost(simpleSystem({ vgFreeBytes: 0 }), { crashAfterMutating: k });
      await cli(['apply', '--state', 'present', ...T], host).catch(() => undefined);
      expect(host.crashed).toBe(true);
      expect(host.mutatingCount, `k=${k}`).toBe(k);
      const ran = host.calls.filter((c) => c.op === 'run' && c.mutating).length + host.calls.filter((c) => c.op === 'writeFile' || c.op === 'removeFile').length;
      expect(ran, `k=${k}: nothing runs after the kill`).toBe(k);
      // The next present completes the chain from wherever the kill left it.
      const again = new SimHost(host.system);
      expect((await cli(['apply', '--state', 'present', ...T], again)).code, `k=${k}`).toBe(0);
    }
  });

  it("ends the shell's input after the plan's last LVM command: no LVM command after it, the rest still runs", async () => {
    for (const state of ['present', 'absent'] as const) {
      const start = new SimHost(simpleSystem({ vgFreeBytes: 0 }));
      if (state === 'absent') expect((await cli(['apply', '--state', 'present', ...T], start)).code).toBe(0);
      const host = new SimHost(start.system);
      const shell = host.lvmShell.bind(host);
      const closedAt: number[] = [];
      host.lvmShell = () => {
        const inner = shell();
        return { run: (a, o) => inner.run(a, o), close: async () => { closedAt.push(host.calls.length); await inner.close(); } };
      };
      expect((await cli(['apply', '--state', state, ...T], host)).code, state).toBe(0);
      // Ended once by the applier (the engine's close afterwards is the second, idempotent).
      expect(closedAt.length, state).toBeGreaterThanOrEqual(1);
      const after = host.calls.slice(closedAt[0]).filter((c) => c.op === 'run');
      expect(after.some((c) => c.inShell), state).toBe(false);
      // present: mkdir and mount come after lvcreate; absent: losetup --detach and rm after vgreduce.
      expect(after.map((c) => c.argv[0]), state).toEqual(state === 'present' ? ['mkdir', 'mount'] : ['losetup', 'rm']);
    }
  });
});
