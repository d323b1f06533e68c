// Wraps any HostPort to record and log every command: the --json "commands" list and the pino log.
import { tapShell, type CommandResult, type FileStat, type HostPort, type LockResult, type LvmShell, type PipeInput, type PipeOptions, type PipeOutput, type PipeResult, type PipeStage, type RunOptions, type SysfsLoop } from './port.js';

export interface CommandRecord {
  readonly argv: readonly string[];
  readonly exitCode: number;
  readonly ms: number;
  readonly mutating: boolean;
  /** Answered without a process (src/in-process/). */
  readonly inProcess?: true;
}

export interface CommandLog {
  command(rec: CommandRecord & { readonly stderr: string }): void;
}

export class RecordingHost implements HostPort {
  readonly commands: CommandRecord[] = [];
  constructor(private readonly inner: HostPort, private readonly log?: CommandLog) {}

  private record(argv: readonly string[], opts: RunOptions, r: CommandResult): void {
    const rec = { argv: [...argv], exitCode: r.exitCode, ms: r.ms, mutating: opts.mutating, ...(r.inProcess ? { inProcess: true as const } : {}) };
    this.commands.push(rec);
    this.log?.command({ ...rec, stderr: r.stderr });
  }

  async run(argv: readonly string[], opts: RunOptions): Promise<CommandResult> {
    const r = await this.inner.run(argv, opts);
    this.record(argv, opts, r);
    return r;
  }
  /** Each command of an lvm shell is recorded like a command of its own (its argv, exit code and time). */
  lvmShell(): LvmShell | null {
    return tapShell(this.inner.lvmShell?.() ?? null, (argv, opts, r) => this.record(argv, opts, r));
  }
  prefetchedLvmShell(): LvmShell | null {
    return tapShell(this.inner.prefetchedLvmShell?.() ?? null, (argv, opts, r) => this.record(argv, opts, r));
  }
  /** A pipeline is recorded as one command per stage (argv, exit code, the pipeline's duration). */
  async pipe(stages: readonly PipeStage[], input: PipeInput, output: PipeOutput, opts: PipeOptions): Promise<PipeResult> {
    const r = await this.inner.pipe(stages, input, output, opts);
    for (const st of r.stages) {
      const rec = { argv: [...st.argv], exitCode: st.exitCode, ms: r.ms, mutating: opts.mutating };
      this.commands.push(rec);
      this.log?.command({ ...rec, stderr: st.stderr });
    }
    return r;
  }
  readFile(path: string): Promise<string | null> { return this.inner.readFile(path); }
  listDir(path: string): Promise<string[]> { return this.inner.listDir(path); }
  writeFile(path: string, data: string): Promise<void> { return this.inner.writeFile(path, data); }
  removeFile(path: string): Promise<void> { return this.inner.removeFile(path); }
  lock(path: string): Promise<LockResult> { return this.inner.lock(path); }
  unlock(path: string): Promise<void> { return this.inner.unlock(path); }
  // Kernel reads are not commands: they cost no process and are not listed.
  readMountinfo(): Promise<string> { return this.inner.readMountinfo(); }
  readLoopSysfs(): Promise<SysfsLoop[]> { return this.inner.readLoopSysfs(); }
  lstat(path: string): Promise<FileStat | null> { return this.inner.lstat(path); }
  realpath(path: string): Promise<string | null> { return this.inner.realpath(path); }
  statfsAvail(path: string): Promise<number | null> { return this.inner.statfsAvail(path); }
  uid(): number { return this.inner.uid(); }
}
