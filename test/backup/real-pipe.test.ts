// The real data path on this machine (no LVM needed): RealHost.pipe runs tar | zstd into a 0600 file,
// restore gives back an identical tree (modes, symlinks, hard links), verify catches a flipped byte,
// and a failing or stopped stage is reported, not hidden.
import { execFileSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FORMAT_DEFS } from '../../src/backup/formats.js';
import { restoreArchive, verifyArchive } from '../../src/backup/inspect.js';
import { sha256Line } from '../../src/backup/manifest.js';
import { RealHost } from '../../src/host-real.js';

const root = mkdtempSync(join(tmpdir(), 'lvmsnap-backup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const host = new RealHost();
const tools = { present: new Set(['tar', 'zstd', 'gzip']), cores: 2 };

function tree(dir: string): string {
  // path, type, mode, owner, size, link target, link count: what a restore must give back
  return execFileSync('find', ['.', '-printf', '%p %y %m %U:%G %s %l %n\n'], { cwd: dir, encoding: 'utf8' }).split('\n').sort().join('\n');
}

function makeSource(): string {
  const src = join(root, 'src');
  mkdirSync(join(src, 'etc/sub'), { recursive: true });
  writeFileSync(join(src, 'etc/passwd'), 'root:x:0:0\n'.repeat(1000));
  writeFileSync(join(src, 'etc/secret'), 'k');
  chmodSync(join(src, 'etc/secret'), 0o600);
  chmodSync(join(src, 'etc/sub'), 0o750);
  symlinkSync('../etc/passwd', join(src, 'etc/sub/link'));
  linkSync(join(src, 'etc/passwd'), join(src, 'etc/hard'));
  writeFileSync(join(src, 'big'), Buffer.alloc(3 * 1024 * 1024, 7));
  return src;
}

async function make(format: 'tar.zst' | 'tar.gz', src: string): Promise<string> {
  const out = join(root, `x__20261130_120000.${format}`);
  const c = FORMAT_DEFS[format].create(src, `${out}.partial`, 3, tools);
  const r = await host.pipe(c.stages, c.input, c.output, { mutating: true });
  expect(r.openError).toBeNull();
  expect(r.stages.map((s) => s.exitCode)).toEqual([0, 0]);
  expect(statSync(`${out}.partial`).mode & 0o777).toBe(0o600);
  expect(r.bytesOut).toBe(statSync(`${out}.partial`).size);
  execFileSync('mv', ['-T', '--', `${out}.partial`, out]);
  const hash = execFileSync('sha256sum', ['-b', '--', out], { encoding: 'utf8' }).slice(0, 64);
  writeFileSync(`${out}.sha256`, sha256Line(hash, out.split('/').at(-1)!));
  return out;
}

describe('real pipelines', () => {
  const src = makeSource();
  for (const format of ['tar.zst', 'tar.gz'] as const) {
    it(`${format}: restore gives an identical tree; verify passes, then fails on one flipped byte`, async () => {
      const file = await make(format, src);
      const to = join(root, `restore-${format}`);
      mkdirSync(to);
      await restoreArchive(host, { file, to, force: false, cores: 2 });
      expect(tree(to)).toBe(tree(src));
      expect((await verifyArchive(host, file, 2)).ok).toBe(true);
      const buf = readFileSync(file);
      buf[Math.floor(buf.length / 2)] ^= 0xff;
      writeFileSync(file, buf);
      const bad = await verifyArchive(host, file, 2);
      expect(bad).toMatchObject({ ok: false, checksum: 'mismatch' });
      expect(bad.integrity).toBe('corrupt');
      await expect(restoreArchive(host, { file, to: join(root, 'never'), force: false, cores: 2 })).rejects.toThrow(/does not exist|does not match/);
    });
  }

  it('an existing output is never overwritten; a failing stage is reported with its exit code', async () => {
    const out = join(root, 'exists.partial');
    writeFileSync(out, 'mine');
    const c = FORMAT_DEFS['tar.zst'].create(src, out, 3, tools);
    const r = await host.pipe(c.stages, c.input, c.output, { mutating: true });
    expect(r.openError).toMatch(/EEXIST/);
    expect(readFileSync(out, 'utf8')).toBe('mine');
    const missing = FORMAT_DEFS['tar.zst'].create(join(root, 'no-such-dir'), join(root, 'f.partial'), 3, tools);
    const m = await host.pipe(missing.stages, missing.input, missing.output, { mutating: true });
    expect(m.stages[0]!.exitCode).toBe(2);
    expect(m.stages[0]!.stderr).toMatch(/no-such-dir/);
    const nocmd = await host.pipe([{ argv: ['lvmsnap-no-such-tool'] }], { kind: 'none' }, { kind: 'discard' }, { mutating: false });
    expect(nocmd.stages[0]!.exitCode).toBe(127);
    // a missing last stage: the writer before it ends (SIGPIPE or EOF), nothing hangs on this process
    const tail = await host.pipe([{ argv: ['cat', '--', join(src, 'big')] }, { argv: ['lvmsnap-no-such-tool'] }], { kind: 'none' }, { kind: 'discard' }, { mutating: false });
    expect(tail.stages.map((s) => s.exitCode)).toEqual([141, 127]);
  });

  it('a stop request terminates every stage', async () => {
    const r = await host.pipe([{ argv: ['sleep', '30'] }, { argv: ['cat'] }], { kind: 'none' }, { kind: 'discard' }, { mutating: false, stopRequested: () => true });
    expect(r.stopped).toBe(true);
    expect(r.stages[0]!.exitCode).toBe(128 + 15);
  });
});
