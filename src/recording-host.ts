// Wraps any HostPort to record and log every command: the --json "commands" list and the pino log.
import { ForwardingHost } from './forwarding-host.js';
import { tapShell, type CommandResult, type HostPort, type LvmShell, type PipeInput, type PipeOptions, type PipeOutput, type PipeResult, type PipeStage, type RunOptions } from './port.js';

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

/** A command as --json and the log list it: its argv, exit code, time, and whether it changes anything. */
export function commandRecord(argv: readonly string[], opts: RunOptions, r: CommandResult): CommandRecord {
  return { argv: [...argv], exitCode: r.exitCode, ms: r.ms, mutating: opts.mutating, ...(r.inProcess ? { inProcess: true as const } : {}) };
}

export class RecordingHost extends ForwardingHost {
  readonly commands: CommandRecord[] = [];
  constructor(inner: HostPort, private readonly log?: CommandLog) {
    super(inner);
  }

  private record(argv: readonly string[], opts: RunOptions, r: CommandResult): void {
    const rec = commandRecord(argv, opts, r);
    this.commands.push(rec);
    this.log?.command({ ...rec, stderr: r.stderr });
  }

  override async run(argv: readonly string[], opts: RunOptions): Promise<CommandResult> {
    const r = await this.inner.run(argv, opts);
    this.record(argv, opts, r);
    return r;
  }
  /** Each command of an lvm shell is recorded like a command of its own (its argv, exit code and time). */
  override lvmShell(): LvmShell | null {
    return tapShell(this.inner.lvmShell?.() ?? null, (argv, opts, r) => this.record(argv, opts, r));
  }
  override prefetchedLvmShell(lockless?: boolean): LvmShell | null {
    return tapShell(this.inner.prefetchedLvmShell?.(lockless) ?? null, (argv, opts, r) => this.record(argv, opts, r));
  }
  /** A pipeline is recorded as one command per stage (argv, exit code, the pipeline's duration). */
  override async pipe(stages: readonly PipeStage[], input: PipeInput, output: PipeOutput, opts: PipeOptions): Promise<PipeResult> {
    const r = await this.inner.pipe(stages, input, output, opts);
    for (const st of r.stages) {
      const rec = { argv: [...st.argv], exitCode: st.exitCode, ms: r.ms, mutating: opts.mutating };
      this.commands.push(rec);
      this.log?.command({ ...rec, stderr: st.stderr });
    }
    return r;
  }
}
