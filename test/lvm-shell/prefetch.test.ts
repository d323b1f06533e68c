// The early lvm shell and its prefetched report (src/host-real-prefetch.ts): which runs start it, that
// RealHost answers the run's report with the one asked before the lock only when its first lock attempt
// finds the lock directory as it was and takes the lock (else the report is asked again in the same
// shell), and that the launcher never leaves an lvm behind.
// A stand-in lvm shell (test/helpers/lvm-stand-in.ts) numbers its answers, so a test sees which report a run got.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fullreportArgv } from '../../src/commands.js';
import { lvmShellLine } from '../../src/lvm-shell/protocol.js';
import { lockPath } from '../../src/engine.js';
import { RealHost } from '../../src/host-real.js';
import { RecordingHost } from '../../src/recording-host.js';
import { beginPrefetch, PREFETCH_LOCK_DIR, wantsPrefetch } from '../../src/host-real-prefetch.js';
import { main } from '../../src/cli/main.js';
import { rehearse } from '../../src/rehearse.js';
import { simpleSystem } from '../../src/sim/build.js';
import { SimHost } from '../../src/sim/host.js';
import { baseTarget } from '../helpers/snap.js';
import { lvmStandIn, STAND_IN_START } from '../helpers/lvm-stand-in.js';

const T = ['--vg', 'vg0', '--lv', 'root', '--tmp-file', '/var/space/cow.img', '--mountpoint', '/media/snap', '--size', '32M'];
const root = new URL('../..', import.meta.url).pathname;

const standIn = () => lvmStandIn('lvmsnap-prefetch-');

const saved = { PATH: process.env['PATH'], LVM_SYSTEM_DIR: process.env['LVM_SYSTEM_DIR'] };
afterEach(async () => {
  await new RealHost().unusedEarlyReports();
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
});

/** The answer number of the run's report, and the lines the stand-in got. */
async function reportRun(lockDir: string, between?: () => void): Promise<{ n: string; exitCode: number; lines: string[]; listed: string[] }> {
  const s = standIn();
  Object.assign(process.env, s.env);
  // As the launcher does: lvm is started and asked for the report at once; the engine takes it before the lock.
  expect(beginPrefetch(['apply', '--state', 'present', ...T], lockDir)).toBe(true);
  const host = new RecordingHost(new RealHost());
  const shell = host.prefetchedLvmShell()!;
  expect(shell).not.toBeNull();
  between?.();
  expect((await host.lock(join(lockDir, 'vg0-root-lvmsnap.lock'))).acquired).toBe(true);
  const r = await shell.run(fullreportArgv(), { mutating: false });
  await shell.close();
  await host.unlock(join(lockDir, 'vg0-root-lvmsnap.lock'));
  const lines = readFileSync(s.log, 'utf8').split('\n').filter((l) => l.startsWith('line ')).map((l) => l.split(' ')[1]!);
  // What --json lists: every report that ran, the one asked before the lock included.
  const listed = host.commands.map((c) => `${c.argv.join(' ')} => ${c.exitCode}`);
  return { n: (JSON.parse(r.stdout) as { report: { n: string }[] }).report[0]!.n, exitCode: r.exitCode, lines, listed };
}

describe('the prefetched report', () => {
  it('is asked for an apply or a status of a target given by flags only: not --check, --config, help, the version, other commands, the simulator or LVMSNAP_PREFETCH=0', () => {
    expect(wantsPrefetch(['apply', '--state', 'absent', ...T], {})).toBe(true);
    expect(wantsPrefetch(['status', ...T], {})).toBe(true);
    // After `--` a -h is a value, not a request for help.
    expect(wantsPrefetch(['apply', '--vg', 'vg0', '--', '-h'], {})).toBe(true);
    for (const argv of [['apply', '--help'], ['apply', '-h'], ['apply', '--check', ...T], ['apply', '--check=true', ...T], ['apply', '--config', 'x.yaml'],
      ['apply', '--config=x.yaml'], ['apply', '-V'], ['status', '--config', 'x.yaml'], ['status', '--help'], ['plan', ...T], [], ['--version'], ['backup', ...T], ['recover']]) {
      expect(wantsPrefetch(argv, {}), argv.join(' ')).toBe(false);
    }
    expect(wantsPrefetch(['apply', ...T], { LVMSNAP_SIMULATOR: '/tmp/s.json' })).toBe(false);
    expect(wantsPrefetch(['apply', ...T], { LVMSNAP_PREFETCH: '0' })).toBe(false);
  });

  it("judges by the engine's lock directory", () => {
    expect(dirname(lockPath(baseTarget))).toBe(PREFETCH_LOCK_DIR);
  });

  it('answers the run with the prefetched report when nothing took a lock since: the line was sent once', async () => {
    const r = await reportRun(mkdtempSync(join(tmpdir(), 'lvmsnap-locks-')));
    expect([r.exitCode, r.n, r.lines.length]).toEqual([0, '1', 1]);
    expect(r.lines[0]).toBe('fullreport');
    expect(r.listed).toEqual([`${fullreportArgv().join(' ')} => 0`]);
  });

  it('a lock directory that is missing at first counts as unchanged while it stays missing', async () => {
    const r = await reportRun(join(mkdtempSync(join(tmpdir(), 'lvmsnap-locks-')), 'not-yet'));
    expect([r.n, r.lines.length]).toEqual(['1', 1]);
  });

  it('a lock taken or released meanwhile (the directory changed): the report is asked again, after the lock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvmsnap-locks-'));
    const r = await reportRun(dir, () => {
      writeFileSync(join(dir, 'vg0-other.lock'), '1\n');
    });
    expect([r.exitCode, r.n, r.lines]).toEqual([0, '2', ['fullreport', 'fullreport']]);
    // Both ran, so both are listed (the unused one first), each with its exit code.
    expect(r.listed).toEqual([`${fullreportArgv().join(' ')} => 0`, `${fullreportArgv().join(' ')} => 0`]);
  });

  it('no lock attempt before the report is asked for: it is asked again', async () => {
    const s = standIn();
    Object.assign(process.env, s.env);
    expect(beginPrefetch(['apply', ...T], mkdtempSync(join(tmpdir(), 'lvmsnap-locks-')))).toBe(true);
    const shell = new RealHost().prefetchedLvmShell()!;
    const r = await shell.run(fullreportArgv(), { mutating: false });
    await shell.close();
    expect((JSON.parse(r.stdout) as { report: { n: string }[] }).report[0]!.n).toBe('2');
  });

  it('status (no lock: lockless) uses the report asked at the start as it is: the line was sent once', async () => {
    const s = standIn();
    Object.assign(process.env, s.env);
    expect(beginPrefetch(['status', ...T], mkdtempSync(join(tmpdir(), 'lvmsnap-locks-')))).toBe(true);
    const shell = new RealHost().prefetchedLvmShell(true)!;
    const r = await shell.run(fullreportArgv(), { mutating: false });
    await shell.close();
    expect((JSON.parse(r.stdout) as { report: { n: string }[] }).report[0]!.n).toBe('1');
    expect(readFileSync(s.log, 'utf8').split('\n').filter((l) => l.startsWith('line '))).toHaveLength(1);
  });

  it('never taken (bad input): lvm is ended and waited for, and the report it ran is handed out once for --json', async () => {
    const s = standIn();
    Object.assign(process.env, s.env);
    expect(beginPrefetch(['apply', ...T], mkdtempSync(join(tmpdir(), 'lvmsnap-locks-')))).toBe(true);
    const host = new RealHost();
    const unused = await host.unusedEarlyReports();
    expect(unused.map((r) => [r.argv.join(' '), r.exitCode])).toEqual([[fullreportArgv().join(' '), 0]]);
    expect(readFileSync(s.log, 'utf8')).toBe(`${STAND_IN_START}\nline ${lvmShellLine(fullreportArgv())}\nend\n`);
    expect(await host.unusedEarlyReports()).toEqual([]);
  });

  it('a lock taken by another run after lvm was asked: the shell is closed unused and its report still listed', async () => {
    const s = standIn();
    Object.assign(process.env, s.env);
    const dir = mkdtempSync(join(tmpdir(), 'lvmsnap-locks-'));
    expect(beginPrefetch(['apply', ...T], dir)).toBe(true);
    writeFileSync(join(dir, 'vg0-root-lvmsnap.lock'), `${process.pid}\n`);
    const host = new RealHost();
    const shell = host.prefetchedLvmShell()!;
    expect((await host.lock(join(dir, 'vg0-root-lvmsnap.lock'))).acquired).toBe(false);
    await shell.close();
    expect((await host.unusedEarlyReports()).map((r) => r.exitCode)).toEqual([0]);
  });

  it('a lock held when lvm is started: nothing is asked before the lock', async () => {
    const s = standIn();
    Object.assign(process.env, s.env);
    const dir = mkdtempSync(join(tmpdir(), 'lvmsnap-locks-'));
    writeFileSync(join(dir, 'vg0-root-lvmsnap.lock'), `${process.pid}\n`);
    expect(beginPrefetch(['apply', ...T], dir)).toBe(true);
    const host = new RealHost();
    const shell = host.prefetchedLvmShell()!;
    expect((await host.lock(join(dir, 'vg0-root-lvmsnap.lock'))).acquired).toBe(false);
    await shell.close();
    expect(readFileSync(s.log, 'utf8')).toBe(`${STAND_IN_START}\nend\n`);
    expect(await host.unusedEarlyReports()).toEqual([]);
  });
});

describe("the simulator's model of the early shell (the differential check sets it with wantsPrefetch)", () => {
  const cli = (argv: string[], host: SimHost) => main(argv, { host, stdout: () => {}, stderr: () => {}, deps: { rehearse } });
  const shells = (host: SimHost) => host.calls.filter((c) => c.op === 'lvmShell').length;

  it('an apply takes it: still one lvm process, the report and the LVM commands in it', async () => {
    const host = new SimHost(simpleSystem({ vgFreeBytes: 0 }), { earlyLvmShell: true });
    expect(await cli(['apply', '--state', 'present', ...T], host)).toBe(0);
    expect(shells(host)).toBe(1);
    expect(host.calls.filter((c) => c.inShell).map((c) => c.argv[0])).toEqual(['fullreport', 'pvcreate', 'vgextend', 'pvchange', 'lvcreate']);
  });

  it('a status takes it: one lvm process, the report in it, nothing else', async () => {
    const host = new SimHost(simpleSystem({ vgFreeBytes: 0 }), { earlyLvmShell: true });
    expect(await cli(['status', ...T], host)).toBe(0);
    expect(shells(host)).toBe(1);
    expect(host.calls.filter((c) => c.op === 'run').map((c) => [c.argv[0], c.inShell ?? false])).toEqual([['fullreport', true]]);
  });

  it('bad input or a held lock: the one shell process ran nothing', async () => {
    const bad = new SimHost(simpleSystem({ vgFreeBytes: 0 }), { earlyLvmShell: true });
    expect(await cli(['apply', '--state', 'present', '--vg', 'vg0'], bad)).toBe(3);
    expect([shells(bad), bad.calls.filter((c) => c.op === 'run').length]).toEqual([1, 0]);
    const holder = new SimHost(simpleSystem({ vgFreeBytes: 0 }));
    await holder.lock('/run/lock/lvmsnap/vg0-root-lvmsnap.lock');
    const refused = new SimHost(holder.system, { earlyLvmShell: true });
    expect(await cli(['apply', '--state', 'present', ...T], refused)).toBe(3);
    expect([shells(refused), refused.calls.filter((c) => c.op === 'run').length]).toEqual([1, 0]);
    holder.kill();
  });
});

describe('the launcher with a stand-in lvm (bin/lvmsnap.cjs)', () => {
  const s = standIn();
  const run = (args: string[]) => spawnSync(process.execPath, [join(root, 'bin/lvmsnap.cjs'), ...args], { encoding: 'utf8', env: { ...process.env, ...s.env } });

  it('bad input: the early lvm ran the report only (if no lock was held), nothing else, and had ended before lvmsnap exited', () => {
    writeFileSync(s.log, '');
    const r = run(['apply', '--state', 'present', '--vg', 'vg0', '--lv', 'snapshot1']);
    expect(r.status).toBe(3);
    // The launcher judges by the real lock directory: the report is asked only while it holds no lock.
    const free = !existsSync(PREFETCH_LOCK_DIR) || readdirSync(PREFETCH_LOCK_DIR).length === 0;
    expect(readFileSync(s.log, 'utf8')).toBe(free ? `${STAND_IN_START}\nline ${lvmShellLine(fullreportArgv())}\nend\n` : `${STAND_IN_START}\nend\n`);
  });

  it('bad input with --json: the report that ran is listed (read-only), nothing else', () => {
    const free = !existsSync(PREFETCH_LOCK_DIR) || readdirSync(PREFETCH_LOCK_DIR).length === 0;
    const r = run(['apply', '--state', 'present', '--vg', 'vg0', '--lv', 'snapshot1', '--json']);
    expect(r.status).toBe(3);
    const doc = JSON.parse(r.stdout) as { commands: { argv: string[]; exitCode: number; mutating: boolean }[] };
    expect(doc.commands.map((c) => [c.argv.join(' '), c.exitCode, c.mutating])).toEqual(free ? [[fullreportArgv().join(' '), 0, false]] : []);
  });

  it('--help, --version and --check start no lvm shell', () => {
    writeFileSync(s.log, '');
    expect(run(['apply', '--help']).status).toBe(0);
    expect(run(['apply', '--version']).status).toBe(0);
    run(['apply', '--state', 'present', '--check', '--vg', 'vg0', '--lv', 'snapshot1']);
    expect(existsSync(s.log) ? readFileSync(s.log, 'utf8') : '').toBe('');
  });
});
