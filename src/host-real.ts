// The real host: the only module that spawns processes (node:child_process) or touches the filesystem directly.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
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
  run(argv: readonly string[], opts: RunOptions): Promise<CommandResult> {
    const started = performance.now();
    const showProgress = opts.progress === true && process.stderr.isTTY === true;
    return new Promise((resolve) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let settled = false;
      const finish = (exitCode: number, note = ''): void => {
        if (settled) return;
        settled = true;
        const stderr = note + Buffer.concat(err).toString('utf8');
        resolve({ argv, exitCode, stdout: Buffer.concat(out).toString('utf8'), stderr, ms: Math.round(performance.now() - started) });
      };
      const child = spawn(argv[0]!, argv.slice(1), {
        // stdin closed: nothing can wait for an answer. stderr straight to the terminal for progress bars.
        stdio: ['ignore', 'pipe', showProgress ? 'inherit' : 'pipe'],
        // Own process group: a Ctrl-C meant for lvmsnap must not kill an LVM command half-way.
        detached: true,
        env: { ...process.env, ...CHILD_ENV },
      });
      child.stdout?.on('data', (b: Buffer) => out.push(b));
      child.stderr?.on('data', (b: Buffer) => err.push(b));
      // Could not start (no such program, not executable): reported like a shell would, never thrown.
      child.on('error', (e) => finish(127, `${e.message}\n`));
      child.on('close', (code, signal) => {
        if (code !== null) finish(code);
        else finish(128 + (signal ? (osConstants.signals[signal] ?? 0) : 0), `killed by ${signal ?? 'a signal'}\n`);
      });
    });
  }

  async readFile(path: string): Promise<string | null> {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
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
