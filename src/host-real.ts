// The real host: the only module that spawns processes (execa) or touches the filesystem directly.
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CommandResult, HostPort, LockResult, RunOptions } from './port.js';

/** Same answers from every tool regardless of the user's locale; LVM never waits on a TTY. */
const CHILD_ENV = { LC_ALL: 'C', LANG: 'C', LVM_SUPPRESS_FD_WARNINGS: '1' };

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class RealHost implements HostPort {
  async run(argv: readonly string[], opts: RunOptions): Promise<CommandResult> {
    const { execa } = await import('execa');
    const started = performance.now();
    const showProgress = opts.progress === true && process.stderr.isTTY;
    const r = await execa(argv[0]!, argv.slice(1), {
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: showProgress ? 'inherit' : 'pipe',
      reject: false,
      // Own process group: a Ctrl-C meant for lvmsnap must not kill an LVM command half-way.
      detached: true,
      env: CHILD_ENV,
      stripFinalNewline: false,
    });
    const exitCode = typeof r.exitCode === 'number' ? r.exitCode : r.failed ? 127 : 0;
    const stderr = typeof r.stderr === 'string' ? r.stderr : '';
    const missing = r.failed && r.exitCode === undefined ? `${r.shortMessage}\n` : '';
    return { argv, exitCode, stdout: typeof r.stdout === 'string' ? r.stdout : '', stderr: missing + stderr, ms: Math.round(performance.now() - started) };
  }

  async readFile(path: string): Promise<string | null> {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async listDir(path: string): Promise<string[]> {
    try {
      return readdirSync(path).sort();
    } catch (err) {
      if (['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) return [];
      throw err;
    }
  }

  async writeFile(path: string, data: string): Promise<void> {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, path);
  }

  async removeFile(path: string): Promise<void> {
    rmSync(path, { force: true });
    // Leave no empty per-VG journal directory behind; a non-empty one stays.
    try {
      rmdirSync(dirname(path));
    } catch {
      /* not empty, or already gone */
    }
  }

  async lock(path: string): Promise<LockResult> {
    mkdirSync(dirname(path), { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o644);
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        return { acquired: true };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number.parseInt((await this.readFile(path)) ?? '', 10);
        if (Number.isInteger(pid) && pid > 0 && pidAlive(pid)) return { acquired: false, holder: `pid ${pid}` };
        rmSync(path, { force: true }); // stale: its process is gone
      }
    }
    return { acquired: false, holder: 'unknown' };
  }

  async unlock(path: string): Promise<void> {
    rmSync(path, { force: true });
  }

  uid(): number {
    return process.getuid?.() ?? -1;
  }
}
