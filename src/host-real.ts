// The real host: the only module that spawns processes (execa) or touches the filesystem directly.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { CommandResult, HostPort, LockResult, PipeInput, PipeOptions, PipeOutput, PipeResult, PipeStage, RunOptions } from './port.js';

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

  /**
   * Backup data path. The last stage is spawned first, each earlier stage gets the next one's stdin
   * socket as its stdout, then this process closes its copy: the data run kernel pipe to kernel pipe
   * (a child's stdout socket is never handed on, because Node would start reading it).
   */
  async pipe(stages: readonly PipeStage[], input: PipeInput, output: PipeOutput, opts: PipeOptions): Promise<PipeResult> {
    const { spawn } = await import('node:child_process');
    const fs = await import('node:fs');
    const started = performance.now();
    const C = fs.constants;
    let inFd: number | null = null;
    let outFd: number;
    try {
      if (input.kind === 'file') inFd = fs.openSync(input.path, 'r');
      outFd = output.kind === 'newFile' ? fs.openSync(output.path, C.O_WRONLY | C.O_CREAT | C.O_EXCL, 0o600)
        : output.kind === 'overwrite' ? fs.openSync(output.path, C.O_WRONLY)
        : fs.openSync('/dev/null', 'w');
    } catch (err) {
      if (inFd !== null) fs.closeSync(inFd);
      return { stages: [], openError: (err as Error).message, bytesOut: 0, stopped: false, ms: Math.round(performance.now() - started) };
    }
    const children: ChildProcess[] = new Array(stages.length);
    const results = stages.map((s) => ({ argv: s.argv, exitCode: 0, stderr: '' }));
    const done: Promise<void>[] = [];
    let next: number | Writable | 'ignore' = outFd;
    for (let i = stages.length - 1; i >= 0; i--) {
      const argv = stages[i]!.argv;
      const child: ChildProcess = spawn(argv[0]!, argv.slice(1), {
        stdio: [i === 0 ? (inFd ?? 'ignore') : 'pipe', next, 'pipe'],
        env: { ...process.env, ...CHILD_ENV },
      });
      if (typeof next === 'object') next.destroy(); // our copy of the write end: EOF reaches the reader when the writer exits
      children[i] = child;
      const r = results[i]!;
      child.stderr!.on('data', (d: Buffer) => { r.stderr = (r.stderr + d.toString()).slice(-65536); });
      done.push(new Promise<void>((res) => {
        child.on('error', (err: Error) => { r.exitCode = 127; r.stderr += `${argv[0]}: ${err.message}\n`; res(); });
        child.on('close', (code: number | null, signal: NodeJS.Signals | null) => { if (r.exitCode !== 127) r.exitCode = code ?? 128 + (signal ? (({ SIGPIPE: 13, SIGTERM: 15, SIGKILL: 9, SIGINT: 2 } as Record<string, number>)[signal] ?? 1) : 1); res(); });
      }));
      // A stage that could not start has no stdin: the one before writes to /dev/null instead of blocking on us.
      if (i > 0) next = child.stdin ?? 'ignore';
    }
    let stopped = false;
    const size = (): number => (output.kind === 'newFile' ? fs.fstatSync(outFd).size : 0);
    const readBytes = (): number => {
      try {
        return Number(/rchar:\s*(\d+)/.exec(fs.readFileSync(`/proc/${children[0]!.pid}/io`, 'utf8'))?.[1] ?? 0);
      } catch {
        return 0;
      }
    };
    const timer = setInterval(() => {
      if (!stopped && opts.stopRequested?.()) {
        stopped = true;
        for (const c of children) c.kill('SIGTERM');
      }
      opts.onProgress?.({ bytesIn: readBytes(), bytesOut: size() });
    }, 500);
    try {
      await Promise.all(done);
    } finally {
      clearInterval(timer);
    }
    const bytesOut = size();
    if (output.kind === 'newFile') fs.fsyncSync(outFd); // durable before the caller renames it into place
    fs.closeSync(outFd);
    if (inFd !== null) fs.closeSync(inFd);
    return { stages: results, openError: null, bytesOut, stopped, ms: Math.round(performance.now() - started) };
  }

  uid(): number {
    return process.getuid?.() ?? -1;
  }
}
