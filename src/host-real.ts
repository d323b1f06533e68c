// The real host: the only module that spawns processes (node:child_process) or touches the filesystem directly.
import { spawn } from 'node:child_process';
import {
  closeSync, fsyncSync, linkSync, lstatSync, readlinkSync, realpathSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statfsSync, unlinkSync, writeFileSync, writeSync,
} from 'node:fs';
import { constants as osConstants } from 'node:os';
import { dirname, relative, resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { nowMs } from './clock.js';
import { inProcessError, inProcessOp, nativeOp, type InProcessOp, type NativeOp } from './in-process/ops.js';
import { bundledNativeSys, type NativeSys } from './native/load.js';
import {
  CHILD_ENV, hasLvmShellProfile, noteUnusedReport, prefetchedReport, prefetchStampHolds, settlePrefetch, spawnLvmShell, takePrefetch, takeUnusedReports,
  type Prefetch,
} from './host-real-prefetch.js';
import type { Writable } from 'node:stream';
import {
  isShellReport, LASTLOG, LVM_SHELL_REPORT_FD, lvmShellLine, readShellReport, shellExitCode, JsonObjectSplitter,
} from './lvm-shell/protocol.js';
import type {
  CommandResult, FileStat, HostPort, LockResult, LvmShell, PipeInput, PipeOptions, PipeOutput, PipeResult, PipeStage, RunOptions, SysfsLoop,
} from './port.js';


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

/** mkdir(2), rmdir(2) or unlink(2) of one path, answered as coreutils would (src/in-process/). */
function runInProcess(argv: readonly string[], op: InProcessOp): CommandResult {
  const started = nowMs();
  let exitCode = 0;
  let stderr = '';
  try {
    if (op.op === 'mkdir') mkdirSync(op.path);
    else if (op.op === 'rmdir') rmdirSync(op.path);
    else unlinkSync(op.path);
  } catch (err) {
    exitCode = 1;
    stderr = inProcessError(op, (err as NodeJS.ErrnoException).code ?? 'EIO');
  }
  return { argv, exitCode, stdout: '', stderr, ms: Math.round(nowMs() - started), inProcess: true };
}

/** umount or losetup --detach through the native add-on; null when it failed (nothing changed: the tool runs). */
function runNative(argv: readonly string[], op: NativeOp, native: NativeSys): CommandResult | null {
  const started = nowMs();
  const err = op.op === 'umount' ? native.umount(op.path) : native.loopDetach(op.device);
  return err === 0 ? { argv, exitCode: 0, stdout: '', stderr: '', ms: Math.round(nowMs() - started), inProcess: true } : null;
}

export class RealHost implements HostPort {
  /** The native add-on (src/native/): the executable's, found on first use, unless one is given (tests). */
  private native: NativeSys | null | undefined;

  constructor(opts: { readonly native?: NativeSys | null } = {}) {
    this.native = opts.native;
  }

  run(argv: readonly string[], opts: RunOptions): Promise<CommandResult> {
    const op = inProcessOp(argv);
    if (op !== null) return Promise.resolve(runInProcess(argv, op));
    const nop = nativeOp(argv);
    if (nop !== null) {
      if (this.native === undefined) this.native = bundledNativeSys();
      const done = this.native === null ? null : runNative(argv, nop, this.native);
      if (done !== null) return Promise.resolve(done);
    }
    const started = nowMs();
    const showProgress = opts.progress === true && process.stderr.isTTY === true;
    return new Promise((resolve) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let settled = false;
      const finish = (exitCode: number, note = ''): void => {
        if (settled) return;
        settled = true;
        const stderr = note + Buffer.concat(err).toString('utf8');
        resolve({ argv, exitCode, stdout: Buffer.concat(out).toString('utf8'), stderr, ms: Math.round(nowMs() - started) });
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

  async listDir(path: string): Promise<string[]> {
    try {
      return readdirSync(path).sort();
    } catch (err) {
      if (['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) return [];
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

  /**
   * The lock file appears with the holder's pid already in it (a complete file hard-linked into place,
   * which fails if the lock exists), so another run never reads it empty. Creating it first and writing
   * the pid after left a window in which a second run read no pid, took the lock for stale, removed it
   * and took it too (seen as "pid " in the VM's lock scenario). A lock that is empty anyway (an older
   * lvmsnap, or a filesystem without hard links) counts as held.
   */
  async lock(path: string): Promise<LockResult> {
    // The first attempt judges a prefetched report (src/host-real-prefetch.ts): before this run's own lock file.
    const stampHolds = prefetchStampHolds(path);
    const r = await this.takeLockFile(path);
    settlePrefetch(stampHolds && r.acquired);
    return r;
  }

  private async takeLockFile(path: string): Promise<LockResult> {
    mkdirSync(dirname(path), { recursive: true });
    const mine = `${process.pid}\n`;
    const tmp = `${path}.${process.pid}.new`;
    writeFileSync(tmp, mine, { mode: 0o644 });
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          createLockFile(tmp, path, mine);
          return { acquired: true };
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
        const text = await this.readFile(path);
        if (text === null) continue; // released meanwhile
        const pid = Number.parseInt(text, 10);
        if (text.trim() === '') return { acquired: false, holder: 'a run whose pid is not written yet' };
        if (Number.isInteger(pid) && pid > 0 && pidAlive(pid)) return { acquired: false, holder: `pid ${pid}` };
        // Stale: its process is gone. Only if it still says so (another run may have just replaced it).
        if ((await this.readFile(path)) === text) rmSync(path, { force: true });
      }
      return { acquired: false, holder: 'unknown' };
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  async unlock(path: string): Promise<void> {
    rmSync(path, { force: true });
  }

  /** Only where lvm2's lvmdbusd profile is installed (lvm refuses to start with a missing profile). */
  lvmShell(): LvmShell | null {
    return hasLvmShellProfile() ? new RealLvmShell() : null;
  }

  /** The shell the launcher started and asked for the report (src/host-real-prefetch.ts), once; a
   *  lockless run (status) uses an answer already asked as it is. */
  prefetchedLvmShell(lockless = false): LvmShell | null {
    const p = takePrefetch();
    if (p === null) return null;
    if (lockless) p.valid ??= true;
    return new RealLvmShell(p);
  }

  /** Ends an early shell the run never took (waiting for it: lvm never outlives lvmsnap) and hands out the
   *  prefetched reports that ran unused. */
  async unusedEarlyReports(): Promise<CommandResult[]> {
    const p = takePrefetch();
    if (p !== null) await new RealLvmShell(p).close();
    return takeUnusedReports();
  }

  readMountinfo(): Promise<string> { return readMountinfo(); }
  readLoopSysfs(): Promise<SysfsLoop[]> { return readKernelLoops(); }
  lstat(path: string): Promise<FileStat | null> { return realLstat(path); }
  realpath(path: string): Promise<string | null> { return realRealpath(path); }
  statfsAvail(path: string): Promise<number | null> { return realStatfsAvail(path); }


  /**
   * Backup data path. The last stage is spawned first, each earlier stage gets the next one's stdin
   * socket as its stdout, then this process closes its copy: the data run kernel pipe to kernel pipe
   * (a child's stdout socket is never handed on, because Node would start reading it).
   */
  async pipe(stages: readonly PipeStage[], input: PipeInput, output: PipeOutput, opts: PipeOptions): Promise<PipeResult> {
    const { spawn } = await import('node:child_process');
    const fs = await import('node:fs');
    const started = nowMs();
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
      return { stages: [], openError: (err as Error).message, bytesOut: 0, stopped: false, ms: Math.round(nowMs() - started) };
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
    fs.closeSync(outFd);
    if (inFd !== null) fs.closeSync(inFd);
    return { stages: results, openError: null, bytesOut, stopped, ms: Math.round(nowMs() - started) };
  }

  uid(): number {
    return process.getuid?.() ?? -1;
  }
}

/**
 * lvm2's shell (src/lvm-shell/): `lvm` without arguments, one command per line on stdin, one JSON report
 * object per line on fd 3. Started by the first command. stdin carries only command lines; every line
 * lvmsnap sends produces an object (lvmShellLine never makes an empty, comment or over-long line), so
 * waiting for one cannot hang on a line lvm ignores. Own process group, like run(): a Ctrl-C meant for
 * lvmsnap must not stop a command half-way; if lvmsnap dies, lvm sees end of input and exits after the
 * command it is running.
 */
class RealLvmShell implements LvmShell {
  private child: ChildProcess | null = null;
  private readonly report = new JsonObjectSplitter();
  private readonly objects: string[] = [];
  private wake: (() => void) | null = null;
  private ended: string | null = null;
  private out: Buffer[] = [];
  private err: Buffer[] = [];
  private exited: Promise<void> = Promise.resolve();

  /** The launcher's shell, whose first answer may be a report asked before the lock (prefetch.line). */
  private prefetch: Prefetch | null = null;
  /** That report when it was not used (asked again): listed before the command that asked again. */
  private dropped: CommandResult | null = null;
  /** When the first report object came (the prefetched report's time ends there). */
  private firstAt: number | null = null;

  constructor(prefetch?: Prefetch) {
    if (prefetch === undefined) return;
    this.child = this.start(prefetch.child);
    this.prefetch = prefetch;
  }

  private start(child: ChildProcess = spawnLvmShell()): ChildProcess {
    const notify = (): void => { const w = this.wake; this.wake = null; w?.(); };
    child.stdout!.on('data', (b: Buffer) => this.out.push(b));
    child.stderr!.on('data', (b: Buffer) => this.err.push(b));
    const rep = child.stdio[LVM_SHELL_REPORT_FD] as NodeJS.ReadableStream;
    rep.setEncoding('utf8');
    rep.on('data', (s: string) => {
      const objects = this.report.push(s);
      this.objects.push(...objects);
      if (objects.length > 0) { this.firstAt ??= nowMs(); notify(); }
    });
    child.stdin!.on('error', () => { /* EPIPE once lvm is gone: reported by 'close' */ });
    this.exited = new Promise((resolve) => {
      child.on('error', (e) => { this.ended = `cannot start lvm: ${e.message}`; notify(); resolve(); });
      child.on('close', (code, signal) => {
        this.ended ??= `lvm ended (${signal ?? `exit ${code}`}) before answering`;
        notify();
        resolve();
      });
    });
    return child;
  }

  /** The next report object, or null once lvm is gone without one. */
  private async next(): Promise<string | null> {
    for (;;) {
      if (this.objects.length > 0) return this.objects.shift()!;
      if (this.ended !== null) return null;
      await new Promise<void>((resolve) => { this.wake = resolve; });
    }
  }

  private async send(line: string): Promise<string | null> {
    this.child ??= this.start();
    const p = this.prefetch;
    this.prefetch = null;
    if (p !== null && p.line !== null) {
      const first = await this.next();
      if (first === null) return null;
      // Used only if the first lock attempt vouched for it (valid); else dropped and the line sent again.
      if (p.valid === true && p.line === line) return first;
      this.dropped = prefetchedReport(first, (this.firstAt ?? nowMs()) - p.askedAt);
    }
    if (this.ended === null) this.child.stdin!.write(`${line}\n`);
    return this.next();
  }

  async run(argv: readonly string[], _opts: RunOptions): Promise<CommandResult> {
    const line = lvmShellLine(argv);
    if (line === null) throw new Error(`not an lvm shell command: ${argv.join(' ')}`);
    const started = nowMs();
    this.out = [];
    this.err = [];
    const object = await this.send(line);
    // The command's own time: up to its answer (a lastlog after a failure is not part of it).
    const ms = Math.round(nowMs() - started);
    const earlier = this.dropped;
    this.dropped = null;
    const done = (exitCode: number, stderr: string): CommandResult => ({
      argv, exitCode, stdout: Buffer.concat(this.out).toString('utf8'), stderr: Buffer.concat(this.err).toString('utf8') + stderr, ms,
      ...(earlier !== null ? { earlier } : {}),
    });
    // Gone without an answer: whether the command ran is unknown, so it counts as failed.
    if (object === null) return done(127, `${this.ended}\n`);
    const { retCode } = readShellReport(object);
    // A report command's report is in its object ({"report": [...], "log": [...]}): that is its output.
    if (retCode === 1) return isShellReport(argv) ? { ...done(0, ''), stdout: object } : done(0, '');
    // The failed command's own object holds only its status; its errors come from lastlog.
    const log = retCode === null ? null : await this.send(LASTLOG);
    const messages = log === null ? [] : readShellReport(log).messages;
    const text = messages.map((m) => `  ${m}\n`).join('');
    return done(retCode === null ? 1 : shellExitCode(retCode), retCode === null ? `lvm shell: no status in the report for ${argv[0]}\n${text}` : text);
  }

  async close(): Promise<void> {
    if (this.child === null) return;
    this.child.stdin!.end();
    await this.exited;
    // Closed before its first command: a report asked before the lock ran unused (still listed).
    const p = this.prefetch;
    this.prefetch = null;
    if (p !== null && p.line !== null) noteUnusedReport(prefetchedReport(this.objects[0] ?? null, (this.firstAt ?? nowMs()) - p.askedAt));
  }
}

// ---- observation without processes (HostPort.readMountinfo, readLoopSysfs, lstat, statfsAvail) ----
// What the kernel already exposes, read directly: each read costs microseconds where the equivalent
// tool (findmnt, losetup, stat, df) costs a process start (0.2-0.6 s under QEMU/TCG). Sync reads: a
// handful of small files; the LVM report runs concurrently in its own process anyway.

/** Path lookups that mean "does not exist" (the old `stat` also reported these as missing). */
const MISSING = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP']);
const missing = (err: unknown): boolean => MISSING.has((err as NodeJS.ErrnoException).code ?? '');

function readMountinfo(): Promise<string> {
  return Promise.resolve(readFileSync('/proc/self/mountinfo', 'utf8'));
}

const SYS_BLOCK = '/sys/block';

function readKernelLoops(): Promise<SysfsLoop[]> {
  const out: SysfsLoop[] = [];
  for (const name of readdirSync(SYS_BLOCK)) {
    if (!/^loop\d+$/.test(name)) continue;
    const dir = `${SYS_BLOCK}/${name}`;
    const files: Record<string, string> = {};
    try {
      files['dev'] = readFileSync(`${dir}/dev`, 'utf8');
      files['size'] = readFileSync(`${dir}/size`, 'utf8');
    } catch (err) {
      if (missing(err)) continue; // removed (losetup -D, LOOP_CTL_REMOVE) while we looked
      throw err;
    }
    let attrs: string[] = [];
    try {
      attrs = readdirSync(`${dir}/loop`); // exists only while the device is bound
    } catch (err) {
      if (!missing(err)) throw err;
    }
    for (const a of attrs) {
      try {
        files[`loop/${a}`] = readFileSync(`${dir}/loop/${a}`, 'utf8');
      } catch (err) {
        // Unbound between readdir and read: the parser then sees an incomplete loop/ directory.
        if (!missing(err) && (err as NodeJS.ErrnoException).code !== 'ENXIO') throw err;
      }
    }
    out.push({ name, files });
  }
  return Promise.resolve(out);
}

function realLstat(path: string): Promise<FileStat | null> {
  try {
    const st = lstatSync(path);
    const type = st.isFile() ? 'file' : st.isDirectory() ? 'directory' : st.isBlockDevice() ? 'block' : 'other';
    return Promise.resolve({ type, dev: st.dev, ino: st.ino, size: st.size });
  } catch (err) {
    if (missing(err)) return Promise.resolve(null);
    throw err;
  }
}

/** realpath(3), or for a dangling link the missing path its chain of links ends at (as readlink -f). */
function realRealpath(path: string): Promise<string | null> {
  try {
    return Promise.resolve(realpathSync(path));
  } catch (err) {
    if (!missing(err)) throw err;
  }
  // Missing, or a symlink (chain) ending nowhere: follow it link by link (40 hops, as the kernel's ELOOP).
  let at = resolve(path);
  for (let hop = 0; hop < 40; hop++) {
    let st;
    try {
      st = lstatSync(at);
    } catch (err) {
      if (!missing(err)) throw err;
      return Promise.resolve(hop === 0 ? null : at);
    }
    if (!st.isSymbolicLink()) return Promise.resolve(at);
    at = resolve(dirname(at), readlinkSync(at));
  }
  return Promise.resolve(null);
}

/** link(2) of the complete file into place (EEXIST if the lock exists); where the filesystem has no hard
 *  links, O_EXCL create then write (the old way, its short empty window included). */
function createLockFile(tmp: string, path: string, content: string): void {
  try {
    linkSync(tmp, path);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
  }
  const fd = openSync(path, 'wx', 0o644);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}

function realStatfsAvail(path: string): Promise<number | null> {
  try {
    const st = statfsSync(path);
    return Promise.resolve(st.bavail * st.bsize);
  } catch (err) {
    if (missing(err)) return Promise.resolve(null);
    throw err;
  }
}
