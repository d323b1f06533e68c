import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RealHost } from '../src/host-real.js';
import { parseFindmnt, parseLosetupList, parseMountinfo, parseStat, parseSysfsLoops } from '../src/parse/index.js';
import { STAT_FORMAT } from '../src/commands.js';

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
    expect(readFileSync(p, 'utf8')).toBe(`${process.pid}\n`);
    expect(readdirSync(join(p, '..'))).toEqual(['vg0-s.lock']); // no temporary file left beside it
  });
  it('an empty lock file is a run that has not written its pid yet: held, never removed as stale', async () => {
    const p = join(dir(), 'lock', 'vg0-s.lock');
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, '');
    expect(await host.lock(p)).toEqual({ acquired: false, holder: 'a run whose pid is not written yet' });
    expect(readFileSync(p, 'utf8')).toBe('');
  });

  // The kernel reads against the tools they replace, on this host (the VM fixtures test the parsers).
  it('reads mountinfo: the mounts findmnt shows', async () => {
    const mine = parseMountinfo(await host.readMountinfo());
    const fm = await host.run(['findmnt', '--json', '--output', 'TARGET,SOURCE,FSTYPE,OPTIONS,MAJ:MIN'], { mutating: false });
    expect(fm.exitCode).toBe(0);
    const key = (m: { target: string; majMin: string; fstype: string }) => `${m.target} ${m.majMin} ${m.fstype}`;
    expect(mine.map(key).sort()).toEqual(parseFindmnt(fm.stdout).map(key).sort());
    expect(mine.some((m) => m.target === '/')).toBe(true);
  });
  it('reads the loop devices from sysfs: the bindings losetup lists', async () => {
    const { bound, free } = parseSysfsLoops(await host.readLoopSysfs());
    const ls = await host.run(['losetup', '--list', '--json'], { mutating: false });
    expect(ls.exitCode).toBe(0);
    expect(bound.map((l) => l.name).sort()).toEqual(parseLosetupList(ls.stdout).map((l) => l.name).sort());
    expect(free.every((n) => /^\/dev\/loop\d+$/.test(n))).toBe(true);
  });
  it('lstat gives what stat(1) prints, null for a missing path, and does not follow symlinks', async () => {
    const d = dir();
    const f = join(d, 'file with space');
    writeFileSync(f, 'x'.repeat(5000));
    symlinkSync(f, join(d, 'link'));
    const r = await host.run(['stat', '--printf', STAT_FORMAT, '--', f, d, '/dev/null'], { mutating: false });
    for (const p of parseStat(r.stdout)) {
      const st = await host.lstat(p.path);
      expect(st).toEqual({ type: p.type, dev: p.dev, ino: p.ino, size: p.size });
    }
    expect((await host.lstat(f))?.type).toBe('file');
    expect((await host.lstat(join(d, 'link')))?.type).toBe('other');
    expect(await host.lstat(join(d, 'missing'))).toBeNull();
    expect(await host.lstat(join(f, 'under-a-file'))).toBeNull(); // ENOTDIR
  });
  it('realpath follows a chain of relative and absolute links as readlink -f does; a dangling link gives where it ends; null for a missing path', async () => {
    const d = dir();
    const f = join(d, 'disk');
    writeFileSync(f, 'x');
    symlinkSync('disk', join(d, 'rel'));
    symlinkSync(join(d, 'rel'), join(d, 'chain'));
    symlinkSync('gone', join(d, 'dangling'));
    symlinkSync('dangling', join(d, 'to-dangling'));
    const real = (p: string) => host.run(['readlink', '-f', '--', p], { mutating: false }).then((r) => r.stdout.trim());
    for (const p of ['rel', 'chain', 'dangling', 'to-dangling', 'disk']) expect(await host.realpath(join(d, p)), p).toBe(await real(join(d, p)));
    expect(await host.realpath(join(d, 'chain'))).toBe(await real(f));
    expect(await host.realpath(join(d, 'to-dangling'))).toBe(join(await real(d), 'gone'));
    expect(await host.realpath(join(d, 'missing'))).toBeNull();
    expect(await host.realpath(join(f, 'under-a-file'))).toBeNull();
  });
  it('statfsAvail gives df\'s Avail (give or take what others write meanwhile), null for a missing path', async () => {
    const d = dir();
    const [before, mine, after] = [
      await host.run(['df', '--block-size=1', '--output=avail', '--', d], { mutating: false }),
      await host.statfsAvail(d),
      await host.run(['df', '--block-size=1', '--output=avail', '--', d], { mutating: false }),
    ];
    const dfAvail = (out: string) => Number(out.trim().split('\n')[1]);
    const lo = Math.min(dfAvail(before.stdout), dfAvail(after.stdout));
    const hi = Math.max(dfAvail(before.stdout), dfAvail(after.stdout));
    expect(mine).toBeGreaterThanOrEqual(lo - 64 * 2 ** 20);
    expect(mine).toBeLessThanOrEqual(hi + 64 * 2 ** 20);
    expect(await host.statfsAvail(join(d, 'missing'))).toBeNull();
  });
});
