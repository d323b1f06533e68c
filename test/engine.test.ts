// The CLI end to end on the simulated host: exit codes, --json, locking, signals, failures, rehearsal.
import { describe, expect, it } from 'vitest';
import { EXIT, main } from '../src/cli/main.js';
import type { EngineDeps } from '../src/engine.js';
import { rehearse } from '../src/rehearse.js';
import { simpleSystem } from '../src/sim/build.js';
import { SimHost } from '../src/sim/host.js';
import type { SimSystem } from '../src/sim/state.js';

const T = ['--vg', 'vg0', '--lv', 'root', '--tmp-file', '/var/space/cow.img', '--mountpoint', '/media/snap', '--size', '32M'];

async function cli(argv: string[], host: SimHost, deps: Partial<EngineDeps> = {}) {
  let out = '';
  let err = '';
  const code = await main(argv, { host, stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, deps: { rehearse, ...deps } });
  return { code, out, err, json: () => JSON.parse(out) };
}
const fresh = (s: SimSystem = simpleSystem({ vgFreeBytes: 0 })) => new SimHost(s);

describe('apply on the simulated host', () => {
  it('present, then present again: --json says changed false and no mutating command ran', async () => {
    const first = await cli(['apply', '--state', 'present', ...T, '--json', '--detailed-exitcode'], fresh());
    expect(first.code).toBe(EXIT.changed);
    const j = first.json();
    expect(j).toMatchObject({ changed: true, state: 'present', ok: true });
    expect(j.resources.map((r: { kind: string; action: string }) => `${r.kind}:${r.action}`)).toEqual(
      ['TmpFile:create', 'LoopDevice:create', 'PvInVg:create', 'Snapshot:create', 'Mountpoint:create']);
    expect(j.commands.filter((c: { mutating: boolean }) => c.mutating).map((c: { argv: string[] }) => c.argv[0])).toEqual(
      ['fallocate', 'losetup', 'pvcreate', 'vgextend', 'pvchange', 'lvcreate', 'mkdir', 'mount']);
    for (const c of j.commands) {
      const base = { argv: expect.any(Array), exitCode: expect.any(Number), ms: expect.any(Number), mutating: expect.any(Boolean) };
      // mkdir of the mountpoint: done without a process (src/in-process/), and --json says so.
      expect(c).toEqual(c.argv[0] === 'mkdir' ? { ...base, inProcess: true } : base);
    }
    expect(j.commands.filter((c: { exitCode: number; mutating: boolean }) => c.mutating && c.exitCode !== 0)).toEqual([]);

    const host = new SimHost(simpleSystem({ vgFreeBytes: 0 }));
    await cli(['apply', '--state', 'present', ...T], host);
    const again = await cli(['apply', '--state', 'present', ...T, '--json', '--detailed-exitcode'], new SimHost(host.system));
    expect(again.code).toBe(EXIT.ok);
    expect(again.json().changed).toBe(false);
    expect(again.json().commands.some((c: { mutating: boolean }) => c.mutating)).toBe(false);
  });

  it('plan changes nothing, shows every command, and exits 2 with --detailed-exitcode', async () => {
    const host = fresh();
    const before = host.system;
    const r = await cli(['plan', ...T, '--detailed-exitcode'], host);
    expect(r.code).toBe(EXIT.changed);
    expect(r.out).toMatch(/\$ lvcreate --yes --snapshot --size 33554432b --name root-lvmsnap --addtag lvmsnap vg0\/root \/dev\/loop0/);
    expect(r.out).toMatch(/Rehearsed on a model of this system: the plan runs to completion/);
    expect(host.system).toBe(before);
  });

  it('--check reports a plan the model says would fail, with exit 3 and nothing changed', async () => {
    const host = fresh();
    const before = host.system;
    // /dev/loop9 does not exist on this host: pre-flight cannot know, the rehearsal finds out.
    const r = await cli(['apply', '--state', 'present', ...T, '--loop-device', '/dev/loop9', '--check'], host);
    expect(r.code).toBe(EXIT.refused);
    expect(r.out).toMatch(/the plan would fail: command failed .*losetup \/dev\/loop9/);
    expect(host.system).toBe(before);
  });

  it('a failing command exits 1 and says what state is left and what to run', async () => {
    const r = await cli(['apply', '--state', 'present', ...T, '--loop-device', '/dev/loop9'], fresh());
    expect(r.code).toBe(EXIT.failed);
    expect(r.out).toMatch(/FAILED: command failed \(exit \d+\): losetup \/dev\/loop9/);
    expect(r.out).toMatch(/completed: TmpFile create; interrupted: LoopDevice create .*not started: PvInVg create, Snapshot create, Mountpoint create/);
    expect(r.out).toMatch(/rerun "lvmsnap apply --state present", or run "--state absent"/);
  });

  it('stops between commands on SIGINT/SIGTERM and reports what is left', async () => {
    const host = fresh();
    let steps = 0;
    const r = await cli(['apply', '--state', 'present', ...T], host, { stopRequested: () => steps >= 4, onStep: () => { steps++; } });
    expect(r.code).toBe(EXIT.failed);
    expect(r.out).toMatch(/stopped by signal/);
    const resumed = await cli(['apply', '--state', 'absent', ...T, '--json'], new SimHost(host.system));
    expect(resumed.code).toBe(EXIT.ok);
    expect(resumed.json().resources.filter((x: { action: string }) => x.action === 'destroy').map((x: { kind: string }) => x.kind)).toEqual(['LoopDevice', 'TmpFile']);
  });

  it('a second run is refused with exit 3 while the first holds the lock, and --wait waits for it', async () => {
    const first = fresh();
    expect(await first.lock('/run/lock/lvmsnap/vg0-root-lvmsnap.lock')).toEqual({ acquired: true });
    const second = new SimHost(first.system);
    const r = await cli(['apply', '--state', 'present', ...T], second, { sleep: async () => {} });
    expect(r.code).toBe(EXIT.refused);
    expect(r.err).toMatch(/another lvmsnap run holds \/run\/lock\/lvmsnap\/vg0-root-lvmsnap.lock \(pid \d+\); retry later or pass --wait SECONDS/);
    expect(second.commands).toEqual([]);

    let sleeps = 0;
    const waiting = new SimHost(first.system);
    const w = await cli(['apply', '--state', 'present', ...T, '--wait', '5'], waiting, {
      sleep: async () => { if (++sleeps === 3) waiting.system = { ...waiting.system, locks: {} }; },
    });
    expect(w.code).toBe(EXIT.ok);
    expect(sleeps).toBe(3);
  });

  it('pre-flight refusals exit 3 after read-only commands only', async () => {
    const host = fresh(simpleSystem({ vgFreeBytes: 0 }));
    const r = await cli(['apply', '--state', 'present', '--vg', 'vg0', '--lv', 'root', '--size', '64M'], host);
    expect(r.code).toBe(EXIT.refused);
    expect(r.out).toMatch(/snapshot needs 64 MiB but volume group vg0 has 0 B free: use a smaller --size, or --tmp-file PATH/);
    const j = await cli(['apply', '--state', 'present', '--vg', 'vg0', '--lv', 'root', '--size', '64M', '--json'], new SimHost(host.system));
    expect(j.code).toBe(EXIT.refused);
    expect(j.json().refusals[0]).toMatch(/snapshot needs 64 MiB/);
    expect(j.err).toMatch(/^lvmsnap: refused: snapshot needs 64 MiB/);
    expect(host.commands.filter((c) => c.mutating)).toEqual([]);
  });

  it('status reports each resource and the overall state', async () => {
    const host = fresh();
    await cli(['apply', '--state', 'present', ...T], host);
    const r = await cli(['status', ...T, '--json'], new SimHost(host.system));
    expect(r.code).toBe(EXIT.ok);
    expect(r.json().state).toBe('present');
    expect(r.json().resources.map((x: { status: string }) => x.status)).toEqual(['present', 'present', 'present', 'present', 'present']);
    const human = await cli(['status', ...T], new SimHost(host.system));
    expect(human.out).toMatch(/present  Snapshot    vg0\/root-lvmsnap +[\d.]+% of 32 MiB copy-on-write space used/);
    expect(human.out).toMatch(/present  Mountpoint  \/media\/snap +\/dev\/mapper\/vg0-root--lvmsnap mounted ro,/);
    expect(human.out).toMatch(/State: present\n$/);
  });
});
