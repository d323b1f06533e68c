// SimHost: a HostPort backed by the pure simulator, with a command log, a kernel log and crash injection.
import { simPipe } from './cmd-backup.js';
import { isShellReport, LASTLOG, lvmShellLine, readShellReport, renderShellReport, shellExitCode, splitShellLine } from '../lvm-shell/protocol.js';
import type { CommandResult, FileStat, HostPort, LockResult, LvmShell, PipeInput, PipeOptions, PipeOutput, PipeResult, PipeStage, RunOptions, SysfsLoop } from '../port.js';
import { REMOVE, edit } from './edit.js';
import { exec } from './exec.js';
import { SYS_BLOCK, sysfsBlockDir, sysfsBlockFile } from './sysfs-block.js';
import { nowMs } from '../clock.js';
import { inProcessOp, nativeOp } from '../in-process/ops.js';
import { lstat, mountinfo, realpath, statfsAvail, sysfsLoops } from './kernel-views.js';
import { normPath, type SimSystem } from './state.js';

/** Thrown by every SimHost call once the simulated process has been "killed". */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
  constructor(readonly mutatingDone: number, readonly call: string) {
    super(`simulated crash: process killed after ${mutatingDone} mutating operation(s); refused ${call}`);
  }
}

export interface SimHostOptions {
  /** Kill the process right after the k-th mutating operation (run with mutating, writeFile, removeFile). */
  readonly crashAfterMutating?: number;
  /** Process id used for locks; default: a fresh one. */
  readonly pid?: number;
  /** Drift injected before each run(): return the system as someone else changed it. */
  readonly beforeRun?: (system: SimSystem, argv: readonly string[], index: number) => SimSystem;
  /**
   * The process started an lvm shell before reading its arguments, as the real launcher does for an
   * apply or a status (src/host-real-prefetch.ts: wantsPrefetch): one 'lvmShell' call at once, handed out by
   * prefetchedLvmShell() (once); a run that never takes it leaves just that process, having run nothing
   * that changes anything (the real one may have answered the report).
   * The real host's report asked before the lock is timing only: the model asks it where observe does.
   */
  readonly earlyLvmShell?: boolean;
  /**
   * The executable's native add-on is loaded (the package, src/native/): an `umount -- PATH` or `losetup
   * --detach /dev/loopN` that succeeds is made without a process (inProcess); one that fails ran the tool.
   */
  readonly nativeAddon?: boolean;
}

export interface SimCall {
  /** lvmShell: an lvm shell process started (argv ['lvm']); its commands are 'run' calls with inShell. */
  readonly op: 'run' | 'lvmShell' | 'pipe' | 'readFile' | 'listDir' | 'writeFile' | 'removeFile' | 'lock' | 'unlock' | KernelRead;
  readonly argv: readonly string[];
  readonly mutating: boolean;
  /** A command sent to an lvm shell (a line on its stdin) rather than a process of its own. */
  readonly inShell?: true;
  /** A command the real host answers without a process (src/in-process/). */
  readonly inProcess?: true;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall-clock time the simulator took (CommandResult.ms is always 0 for reproducibility). */
  readonly elapsedMs: number;
}

/** Reads of what the kernel exposes (no process): their answer is recorded as stdout (JSON but mountinfo). */
export type KernelRead = 'readMountinfo' | 'readLoopSysfs' | 'lstat' | 'realpath' | 'statfsAvail';

let nextPid = 4000;
const livePids = new Set<number>();

export class SimHost implements HostPort {
  readonly pid: number;
  readonly calls: SimCall[] = [];
  /** Kernel log lines the commands caused (xfs/ext4 mount messages, I/O errors). */
  readonly dmesg: string[] = [];
  private current: SimSystem;
  private mutations = 0;
  private dead = false;
  private early = false;

  constructor(system: SimSystem, private readonly opts: SimHostOptions = {}) {
    this.current = system;
    this.pid = opts.pid ?? nextPid++;
    livePids.add(this.pid);
    if (opts.crashAfterMutating === 0) this.kill();
    if (opts.earlyLvmShell === true) {
      this.early = true;
      this.record('lvmShell', ['lvm'], false, {}, nowMs());
    }
  }

  get system(): SimSystem { return this.current; }
  set system(s: SimSystem) { this.current = s; }
  get crashed(): boolean { return this.dead; }
  get mutatingCount(): number { return this.mutations; }
  /** Commands run so far (run() only). */
  get commands(): SimCall[] { return this.calls.filter((c) => c.op === 'run'); }

  /** The process dies: every further call throws, and its locks become stale. */
  kill(): void { this.dead = true; livePids.delete(this.pid); }

  async run(argv: readonly string[], opts: RunOptions): Promise<CommandResult> {
    this.alive(argv.join(' '));
    const t0 = nowMs();
    if (this.opts.beforeRun) this.current = this.opts.beforeRun(this.current, argv, this.commands.length);
    const { system, result } = exec(this.current, argv);
    this.current = system;
    if (result.notes) this.dmesg.push(...result.notes);
    // mkdir/rmdir/rm of one path: the real host answers them without a process (src/in-process/); the
    // native add-on's calls too, when they succeed (a failed one changed nothing, then the tool ran).
    const inProcess = inProcessOp(argv) !== null || (this.opts.nativeAddon === true && result.exitCode === 0 && nativeOp(argv) !== null);
    this.record('run', argv, opts.mutating, result, t0, inProcess);
    if (opts.mutating) this.mutated();
    return { argv, exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, ms: 0, ...(inProcess ? { inProcess: true as const } : {}) };
  }

  /**
   * lvm2's shell, modelled through its protocol: each argv becomes the line lvmsnap would send, is split
   * back as lvm splits it, runs like the forked command, and its status comes from the report object lvm
   * would write (read with the real host's parser); a failure's messages from the lastlog object.
   */
  lvmShell(): LvmShell {
    return this.shell(false);
  }

  /** The shell started with the process (SimHostOptions.earlyLvmShell), once; already counted as started. */
  prefetchedLvmShell(): LvmShell | null {
    if (!this.early) return null;
    this.early = false;
    return this.shell(true);
  }

  private shell(started: boolean): LvmShell {
    return {
      run: async (argv, opts) => {
        const line = lvmShellLine(argv);
        if (line === null) throw new Error(`not an lvm shell command: ${argv.join(' ')}`);
        this.alive(line);
        if (!started) {
          started = true;
          this.record('lvmShell', ['lvm'], false, {}, nowMs());
        }
        const t0 = nowMs();
        const words = splitShellLine(line);
        if (this.opts.beforeRun) this.current = this.opts.beforeRun(this.current, words, this.commands.length);
        // lvm runs `fullreport` (the line has no leading lvm): the simulator answers it as `lvm fullreport`.
        const { system, result } = exec(this.current, isShellReport(argv) ? ['lvm', ...words] : words);
        this.current = system;
        if (result.notes) this.dmesg.push(...result.notes);
        const object = renderShellReport(words[0]!, result.exitCode, [], isShellReport(argv) && result.exitCode === 0 ? result.stdout : undefined);
        const status = readShellReport(object).retCode!;
        const stderr = status === 1 ? ''
          : readShellReport(renderShellReport(LASTLOG, result.exitCode, result.stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '')))
            .messages.map((m) => `  ${m}\n`).join('');
        const exitCode = shellExitCode(status);
        const stdout = status === 1 && isShellReport(argv) ? object : '';
        this.calls.push({ op: 'run', argv: words, mutating: opts.mutating, inShell: true, exitCode, stdout, stderr, elapsedMs: nowMs() - t0 });
        if (opts.mutating) this.mutated();
        return { argv, exitCode, stdout, stderr, ms: 0 };
      },
      // A killed process closes nothing; the model has no process to end.
      close: async () => {},
    };
  }

  /** A pipeline: recorded as one 'pipe' call whose argv joins the stages with "|". */
  async pipe(stages: readonly PipeStage[], input: PipeInput, output: PipeOutput, opts: PipeOptions): Promise<PipeResult> {
    const argv = stages.flatMap((st, i) => (i === 0 ? [...st.argv] : ['|', ...st.argv]));
    this.alive(argv.join(' '));
    const t0 = nowMs();
    const { system, result } = simPipe(this.current, stages, input, output);
    this.current = system;
    opts.onProgress?.({ bytesIn: 0, bytesOut: result.bytesOut });
    const failed = result.openError !== null ? 1 : result.stages.find((st) => st.exitCode !== 0)?.exitCode ?? 0;
    this.record('pipe', argv, opts.mutating, { exitCode: failed, stderr: result.openError ?? result.stages.map((st) => st.stderr).join('') }, t0);
    if (opts.mutating) this.mutated();
    return result;
  }

  async readFile(path: string): Promise<string | null> {
    this.alive(`readFile ${path}`);
    const t0 = nowMs();
    const norm = normPath(path);
    const data = norm.startsWith(SYS_BLOCK) ? sysfsBlockFile(this.current, norm) : this.current.stateFiles[norm] ?? null;
    this.record('readFile', [path], false, { exitCode: data === null ? 1 : 0 }, t0);
    return data;
  }

  async listDir(path: string): Promise<string[]> {
    this.alive(`listDir ${path}`);
    const t0 = nowMs();
    const dir = `${normPath(path)}/`;
    const names = new Set<string>(dir.startsWith(SYS_BLOCK) ? sysfsBlockDir(this.current, dir) : []);
    for (const p of Object.keys(this.current.stateFiles)) if (p.startsWith(dir)) names.add(p.slice(dir.length).split('/')[0]!);
    this.record('listDir', [path], false, {}, t0);
    return [...names].sort();
  }

  async writeFile(path: string, data: string): Promise<void> {
    this.alive(`writeFile ${path}`);
    const t0 = nowMs();
    this.current = edit(this.current, { stateFiles: { [normPath(path)]: data } });
    this.record('writeFile', [path], true, {}, t0);
    this.mutated();
  }

  async removeFile(path: string): Promise<void> {
    this.alive(`removeFile ${path}`);
    const t0 = nowMs();
    if (this.current.stateFiles[normPath(path)] !== undefined) {
      this.current = edit(this.current, { stateFiles: { [normPath(path)]: REMOVE } });
    }
    this.record('removeFile', [path], true, {}, t0);
    this.mutated();
  }

  async lock(path: string): Promise<LockResult> {
    this.alive(`lock ${path}`);
    const t0 = nowMs();
    const p = normPath(path);
    const held = this.current.locks[p];
    let res: LockResult;
    if (held && held.pid !== this.pid && livePids.has(held.pid)) res = { acquired: false, holder: held.holder };
    else {
      this.current = edit(this.current, { locks: { [p]: { pid: this.pid, holder: `pid ${this.pid}` } } });
      res = { acquired: true };
    }
    this.record('lock', [path], false, { exitCode: res.acquired ? 0 : 1 }, t0);
    return res;
  }

  async unlock(path: string): Promise<void> {
    this.alive(`unlock ${path}`);
    const t0 = nowMs();
    const p = normPath(path);
    if (this.current.locks[p]?.pid === this.pid) this.current = edit(this.current, { locks: { [p]: REMOVE } });
    this.record('unlock', [path], false, {}, t0);
  }

  async readMountinfo(): Promise<string> {
    return this.kernelRead('readMountinfo', [], () => mountinfo(this.current), (t) => t);
  }

  async readLoopSysfs(): Promise<SysfsLoop[]> {
    return this.kernelRead('readLoopSysfs', [], () => sysfsLoops(this.current), JSON.stringify);
  }

  async lstat(path: string): Promise<FileStat | null> {
    return this.kernelRead('lstat', [path], () => lstat(this.current, path), JSON.stringify);
  }

  async realpath(path: string): Promise<string | null> {
    return this.kernelRead('realpath', [path], () => realpath(this.current, path), JSON.stringify);
  }

  async statfsAvail(path: string): Promise<number | null> {
    return this.kernelRead('statfsAvail', [path], () => statfsAvail(this.current, path), JSON.stringify);
  }

  private kernelRead<T>(op: KernelRead, args: readonly string[], read: () => T, show: (v: T) => string): T {
    this.alive([op, ...args].join(' '));
    const t0 = nowMs();
    // Someone else's changes land before any look at the system, as before a run().
    if (this.opts.beforeRun) this.current = this.opts.beforeRun(this.current, [op, ...args], this.commands.length);
    const v = read();
    this.record(op, args, false, { exitCode: v === null ? 1 : 0, stdout: show(v) }, t0);
    return v;
  }

  uid(): number {
    this.alive('uid');
    return this.current.uid;
  }

  private alive(call: string): void {
    if (this.dead) throw new SimulatedCrash(this.mutations, call);
  }

  private mutated(): void {
    this.mutations += 1;
    if (this.opts.crashAfterMutating !== undefined && this.mutations >= this.opts.crashAfterMutating) this.kill();
  }

  private record(op: SimCall['op'], argv: readonly string[], mutating: boolean,
    r: { exitCode?: number; stdout?: string; stderr?: string }, t0: number, inProcess = false): void {
    this.calls.push({
      op, argv: [...argv], mutating, exitCode: r.exitCode ?? 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '',
      elapsedMs: nowMs() - t0, ...(inProcess ? { inProcess: true as const } : {}),
    });
  }
}
