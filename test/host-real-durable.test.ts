// RealHost's journal writes are durable in order: data fsynced before the rename, the directory fsynced
// after it (and new directories' parents), so a power loss never leaves an object without its record.
import * as fs from 'node:fs';
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const calls: string[] = [];
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const paths = new Map<number, string>();
  return {
    ...real,
    openSync: (p: string, ...rest: unknown[]) => { const fd = (real.openSync as (...a: unknown[]) => number)(p, ...rest); paths.set(fd, p); return fd; },
    fsyncSync: (fd: number) => { calls.push(`fsync ${paths.get(fd)}`); real.fsyncSync(fd); },
    renameSync: (a: string, b: string) => { calls.push(`rename ${b}`); real.renameSync(a, b); },
    rmSync: (p: string, o?: fs.RmOptions) => { calls.push(`rm ${p}`); real.rmSync(p, o); },
  };
});
const { RealHost } = await import('../src/host-real.js');

describe('RealHost journal durability', () => {
  it('fsyncs the data before the rename, the directory after it, and the parents of new directories', async () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'lvmsnap-durable-')));
    const path = join(root, 'a', 'b', 'j.json');
    calls.length = 0;
    await new RealHost().writeFile(path, '{"x":1}');
    expect(calls).toEqual([`fsync ${root}`, `fsync ${root}/a`, `fsync ${path}.tmp-${process.pid}`, `rename ${path}`, `fsync ${root}/a/b`]);
    expect(fs.readFileSync(path, 'utf8')).toBe('{"x":1}');

    calls.length = 0;
    await new RealHost().writeFile(path, '{"x":2}');
    expect(calls).toEqual([`fsync ${path}.tmp-${process.pid}`, `rename ${path}`, `fsync ${root}/a/b`]);

    calls.length = 0;
    await new RealHost().removeFile(path);
    expect(calls).toEqual([`rm ${path}`, `fsync ${root}/a/b`]);
    expect(fs.existsSync(path)).toBe(false);
  });
});
