// The real host: the only module that spawns processes (execa) or touches the filesystem directly.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, relative } from 'node:path';
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

/** fsync a file or directory (a directory's fsync makes a rename or unlink in it durable). */
function syncPath(path: string, mayBeGone = false): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if (mayBeGone && (err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
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

  /**
   * Atomic and durable before it returns: the journal must be on disk before the change it announces
   * (the tmp file, the mountpoint directory) can be, or a power loss could leave an object lvmsnap made
   * but no record of it (and an empty journal reads as none).
   */
  async writeFile(path: string, data: string): Promise<void> {
    const made = mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // New directories: each one's entry in its parent must be durable too.
    if (made !== undefined) for (let d = made; ; d = `${d}/${relative(d, dirname(path)).split('/')[0]}`) {
      syncPath(dirname(d));
      if (d === dirname(path)) break;
    }
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, data, { mode: 0o600 });
    syncPath(tmp);
    renameSync(tmp, path);
    syncPath(dirname(path));
  }

  async removeFile(path: string): Promise<void> {
    rmSync(path, { force: true });
    syncPath(dirname(path), true);
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
