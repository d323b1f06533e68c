// SimHost: a HostPort backed by the pure simulator, with a command log, a kernel log and crash injection.
import type { CommandResult, HostPort, LockResult, RunOptions } from '../port.js';
import { REMOVE, edit } from './edit.js';
import { exec } from './exec.js';
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
}

export interface SimCall {
  readonly op: 'run' | 'readFile' | 'listDir' | 'writeFile' | 'removeFile' | 'lock' | 'unlock';
  readonly argv: readonly string[];
  readonly mutating: boolean;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall-clock time the simulator took (CommandResult.ms is always 0 for reproducibility). */
  readonly elapsedMs: number;
}

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

  constructor(system: SimSystem, private readonly opts: SimHostOptions = {}) {
    this.current = system;
    this.pid = opts.pid ?? nextPid++;
    livePids.add(this.pid);
    if (opts.crashAfterMutating === 0) this.kill();
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
    const t0 = performance.now();
    if (this.opts.beforeRun) this.current = this.opts.beforeRun(this.current, argv, this.commands.length);
    const { system, result } = exec(this.current, argv);
    this.current = system;
    if (result.notes) this.dmesg.push(...result.notes);
    this.record('run', argv, opts.mutating, result, t0);
    if (opts.mutating) this.mutated();
    return { argv, exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, ms: 0 };
  }

  async readFile(path: string): Promise<string | null> {
    this.alive(`readFile ${path}`);
    const t0 = performance.now();
    const data = this.current.stateFiles[normPath(path)] ?? null;
    this.record('readFile', [path], false, { exitCode: data === null ? 1 : 0 }, t0);
    return data;
  }

  async listDir(path: string): Promise<string[]> {
    this.alive(`listDir ${path}`);
    const t0 = performance.now();
    const dir = `${normPath(path)}/`;
    const names = new Set<string>();
    for (const p of Object.keys(this.current.stateFiles)) if (p.startsWith(dir)) names.add(p.slice(dir.length).split('/')[0]!);
    this.record('listDir', [path], false, {}, t0);
    return [...names].sort();
  }

  async writeFile(path: string, data: string): Promise<void> {
    this.alive(`writeFile ${path}`);
    const t0 = performance.now();
    this.current = edit(this.current, { stateFiles: { [normPath(path)]: data } });
    this.record('writeFile', [path], true, {}, t0);
    this.mutated();
  }

  async removeFile(path: string): Promise<void> {
    this.alive(`removeFile ${path}`);
    const t0 = performance.now();
    if (this.current.stateFiles[normPath(path)] !== undefined) {
      this.current = edit(this.current, { stateFiles: { [normPath(path)]: REMOVE } });
    }
    this.record('removeFile', [path], true, {}, t0);
    this.mutated();
  }

  async lock(path: string): Promise<LockResult> {
    this.alive(`lock ${path}`);
    const t0 = performance.now();
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
    const t0 = performance.now();
    const p = normPath(path);
    if (this.current.locks[p]?.pid === this.pid) this.current = edit(this.current, { locks: { [p]: REMOVE } });
    this.record('unlock', [path], false, {}, t0);
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
    r: { exitCode?: number; stdout?: string; stderr?: string }, t0: number): void {
    this.calls.push({
      op, argv: [...argv], mutating, exitCode: r.exitCode ?? 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '',
      elapsedMs: performance.now() - t0,
    });
  }
}
