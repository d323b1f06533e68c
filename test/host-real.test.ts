import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RealHost } from '../src/host-real.js';

const host = new RealHost();
const dir = () => mkdtempSync(join(tmpdir(), 'lvmsnap-test-'));

describe('RealHost', () => {
  it('runs argv without a shell and closes stdin', async () => {
    const r = await host.run(['sh', '-c', 'echo "$0"; cat; echo done', '$(touch /tmp/never)'], { mutating: false });
    expect(r.exitCode).toBe(0);
    // $0 arrives literally: no shell ever saw the argument; cat got EOF at once because stdin is closed.
    expect(r.stdout).toBe('$(touch /tmp/never)\ndone\n');
  });
  it('reports exit codes and stderr without throwing', async () => {
    const r = await host.run(['sh', '-c', 'echo oops >&2; exit 5'], { mutating: true });
    expect([r.exitCode, r.stderr]).toEqual([5, 'oops\n']);
  });
  it('reports a missing program as exit 127 with a message', async () => {
    const r = await host.run(['lvmsnap-no-such-program'], { mutating: false });
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toMatch(/lvmsnap-no-such-program/);
  });
  it('reports a child killed by a signal as 128+N and says so', async () => {
    const r = await host.run(['sh', '-c', 'kill -KILL $$'], { mutating: false });
    expect([r.exitCode, r.stderr]).toEqual([137, 'killed by SIGKILL\n']);
  });
  it('starts each child in its own process group (a Ctrl-C for lvmsnap does not reach it)', async () => {
    const ownPgid = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[2];
    const r = await host.run(['sh', '-c', 'cut -d" " -f5 /proc/$$/stat; echo $$'], { mutating: false });
    const [childPgid, childPid] = r.stdout.trim().split('\n');
    expect(childPgid).toBe(childPid); // the leader of a group of its own
    expect(childPgid).not.toBe(ownPgid);
  });
  it('captures large outputs whole, in order, and measures the duration', async () => {
    const r = await host.run(['sh', '-c', 'seq 1 200000; sleep 0.2; echo end >&2'], { mutating: false });
    const lines = r.stdout.split('\n');
    expect([lines[0], lines[199999], lines.length, r.stderr]).toEqual(['1', '200000', 200001, 'end\n']);
    expect(r.ms).toBeGreaterThanOrEqual(200);
  });
  it('runs children with the C locale', async () => {
    expect((await host.run(['sh', '-c', 'echo $LC_ALL'], { mutating: false })).stdout).toBe('C\n');
  });
  it('writes state files atomically and removes them', async () => {
    const p = join(dir(), 'a', 'b.json');
    await host.writeFile(p, '{"x":1}');
    expect(await host.readFile(p)).toBe('{"x":1}');
    await host.removeFile(p);
    expect(await host.readFile(p)).toBeNull();
    expect(existsSync(join(p, '..'))).toBe(false); // its emptied directory goes too
  });
  it('locks exclusively, names the holder, and takes over a dead holder\'s lock', async () => {
    const p = join(dir(), 'lock', 'vg0-s.lock');
    expect(await host.lock(p)).toEqual({ acquired: true });
    expect(readFileSync(p, 'utf8')).toBe(`${process.pid}\n`);
    expect(await host.lock(p)).toEqual({ acquired: false, holder: `pid ${process.pid}` });
    await host.unlock(p);
    expect(existsSync(p)).toBe(false);
    writeFileSync(p, '999999999\n'); // no such process
    expect(await host.lock(p)).toEqual({ acquired: true });
  });
});
